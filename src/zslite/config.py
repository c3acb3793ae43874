"""Settings, read from ZSLITE_* environment variables by load_settings() (never at import time)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("zslite.config")

DEFAULT_ADMIN_PASSWORD = "password"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZSLITE_", extra="ignore")

    db_url: str = "sqlite:///./zslite.db"
    admin_password: str = DEFAULT_ADMIN_PASSWORD
    # idle time after which a session expires, in seconds (ZStack: 2 hours)
    session_timeout: int = Field(default=7200, ge=1)
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
    webhook_timeout: float = 10.0
    migrate_on_start: bool = True
    # name of this management node; jobs it left running are marked interrupted on its next start
    node_name: str = ""
    # test-only fault injection (see zslite.faults); never set in production
    fault_injection: str = ""
    log_level: str = "INFO"
    password_hash_n: int = Field(default=2**14, ge=2**4)

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


def load_settings(**overrides) -> Settings:
    settings = Settings(**overrides)
    if settings.admin_password == DEFAULT_ADMIN_PASSWORD:
        log.warning("ZSLITE_ADMIN_PASSWORD is not set: the admin password is the default 'password'")
    return settings
