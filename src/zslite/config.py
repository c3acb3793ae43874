"""Settings, read from ZSLITE_* environment variables by load_settings() (never at import time)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("zslite.config")

DEFAULT_ADMIN_PASSWORD = "password"
ENV_PREFIX = "ZSLITE_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# settings whose values never appear in a message (a database URL may hold a password)
SECRET_SETTINGS = ("admin_password", "secret_key", "db_url")


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
    # seconds a node may answer from its memory what a session or access key resolves to (≤ 1: a
    # logout or an expiry is seen by every node within 1 s); 0 asks the database every time
    session_cache_seconds: float = Field(default=1.0, ge=0, le=1)
    # time zone in which timestamps are rendered on the wire, and of the server's wall clock against
    # which access-key Date headers are checked
    timezone: str = "UTC"
    # compare a Date header's instant (its zone label interpreted) instead of its wall-clock time
    # (ZStack's global config checkTimeZone, default false)
    check_time_zone: bool = False
    # master key from which access-key secrets are derived; if empty, read or
    # created at secret_key_file (mode 0600)
    secret_key: str = ""
    secret_key_file: str = "./zslite.key"
    job_retention_seconds: int = Field(default=2 * 24 * 3600, ge=1)
    job_workers: int = Field(default=8, ge=1, le=256)
    # threads of this node carrying fleet image change plans on: VMs it changes at once, whatever the
    # plans' maxConcurrency (which bounds a plan across all nodes)
    plan_workers: int = Field(default=8, ge=1, le=64)
    # threads on which requests do their database work (the event loop never waits for the database)
    request_threads: int = Field(default=32, ge=1, le=256)
    webhook_timeout: float = Field(default=10.0, gt=0, le=3600)
    migrate_on_start: bool = True
    # name of this management node (default <hostname>:<port>); jobs it left running are marked
    # interrupted when a node of this name starts again
    node_name: str = Field(default="", max_length=255)
    # seconds between two heartbeats of a node; a node silent for node_timeout seconds is dead, and
    # its running jobs are marked failed ("interrupted") by the survivors
    heartbeat_interval: float = Field(default=2.0, gt=0, le=60)
    node_timeout: float = Field(default=20.0, gt=0, le=3600)
    # seconds an idle node waits before looking for jobs accepted by other nodes
    job_poll_interval: float = Field(default=0.5, gt=0, le=60)
    # test-only fault injection (see zslite.faults); never set in production
    fault_injection: str = ""
    log_level: str = "INFO"
    # scrypt's cost parameter for stored passwords: a power of 2 (its memory is 128 × 8 × n bytes)
    password_hash_n: int = Field(default=2**14, ge=2**4, le=2**20)

    @model_validator(mode="after")
    def _timeout_after_heartbeats(self):
        if self.node_timeout < 2 * self.heartbeat_interval:
            raise ValueError(f"ZSLITE_NODE_TIMEOUT ({self.node_timeout}) must be at least twice "
                             f"ZSLITE_HEARTBEAT_INTERVAL ({self.heartbeat_interval})")
        return self

    @field_validator("password_hash_n")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value & (value - 1):
            raise ValueError(f"{value} is not a power of 2 (scrypt's cost parameter), e.g. {2**14}")
        return value

    @field_validator("fault_injection")
    @classmethod
    def _fault_items(cls, value: str) -> str:
        from zslite import faults

        faults.parse(value)  # the parser hit() uses: a malformed item is a ValueError naming it
        return value

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
        """The master key: ZSLITE_SECRET_KEY, or the key file (created on first use). Every node of one
        database needs the same key."""
        if self.secret_key:
            return self.secret_key.encode()
        path = Path(self.secret_key_file)
        if not path.exists():
            # write a temporary file, then link it into place: of several processes starting at once,
            # one wins and every one reads the same complete key
            key = secrets.token_hex(32).encode()
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(key)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        return path.read_bytes().strip()


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def describe_validation_error(exc: ValidationError) -> str:
    """Every invalid setting, by its environment variable, on one line (secret values never shown)."""
    return "; ".join(_describe(err) for err in exc.errors())


def _describe(err) -> str:
    field = str(err["loc"][0]) if err["loc"] else ""
    msg = err["msg"].removeprefix("Value error, ")
    # the value given, for one setting that may be shown: an error about several settings (no field)
    # carries the whole input, secrets included
    shown = "" if not field or field in SECRET_SETTINGS or "input" not in err else f" (got {err['input']!r})"
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
