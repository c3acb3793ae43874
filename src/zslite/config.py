"""Settings, read from ZSLITE_* environment variables by load_settings() (never at import time)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("zslite.config")

DEFAULT_ADMIN_PASSWORD = "password"
ENV_PREFIX = "ZSLITE_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# settings whose values never appear in a message
SECRET_SETTINGS = ("admin_password", "secret_key")


class ConfigError(Exception):
    """A setting or argument that stops zslite from starting: the CLI prints `setting: problem` on one
    line and exits with `exit_code` (2: the value is invalid; 4: what it names cannot be reached or used)."""

    def __init__(self, setting: str, problem: str, exit_code: int = 2, *, message: str | None = None):
        super().__init__(message or f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem
        self.exit_code = exit_code


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZSLITE_", extra="ignore")

    db_url: str = "sqlite:///./zslite.db"
    admin_password: str = DEFAULT_ADMIN_PASSWORD
    # idle time after which a session expires, in seconds (ZStack: 2 hours)
    session_timeout: int = Field(default=7200, ge=1)
    # time zone in which timestamps are rendered on the wire
    timezone: str = "UTC"
    # master key from which access-key secrets are derived; if empty, read or
    # created at secret_key_file (mode 0600)
    secret_key: str = ""
    secret_key_file: str = "./zslite.key"
    job_retention_seconds: int = Field(default=2 * 24 * 3600, ge=1)
    job_workers: int = Field(default=8, ge=1, le=256)
    webhook_timeout: float = 10.0
    migrate_on_start: bool = True
    # name of this management node; jobs it left running are marked interrupted on its next start
    node_name: str = ""
    # test-only fault injection (see zslite.faults); never set in production
    fault_injection: str = ""
    log_level: str = "INFO"
    password_hash_n: int = Field(default=2**14, ge=2**4)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"unknown log level [{value}]: one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone [{value}]") from None
        return value

    def master_key(self) -> bytes:
        if self.secret_key:
            return self.secret_key.encode()
        path = Path(self.secret_key_file)
        if path.exists():
            return path.read_bytes().strip()
        key = secrets.token_hex(32).encode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def describe_validation_error(exc: ValidationError) -> str:
    """Every invalid setting, by its environment variable, on one line (secret values never shown)."""
    return "; ".join(_describe(err) for err in exc.errors())


def _describe(err) -> str:
    field = str(err["loc"][0]) if err["loc"] else ""
    msg = err["msg"].removeprefix("Value error, ")
    shown = "" if field in SECRET_SETTINGS or "input" not in err else f" (got {err['input']!r})"
    return " ".join(f"{env_name(field) if field else 'settings'}: {msg}{shown}".split())


def uses_default_admin_password(settings: Settings) -> bool:
    return settings.admin_password == DEFAULT_ADMIN_PASSWORD


def load_settings(*, warn: bool = True, **overrides) -> Settings:
    """Settings from the environment; an invalid one raises ConfigError naming its variable."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        names = [env_name(str(e["loc"][0])) for e in exc.errors() if e["loc"]]
        raise ConfigError(", ".join(dict.fromkeys(names)) or "settings", "invalid value",
                          message=describe_validation_error(exc)) from exc
    if warn and uses_default_admin_password(settings):
        log.warning("ZSLITE_ADMIN_PASSWORD is not set: the admin password is the default 'password'")
    return settings
