"""What a service function receives: the unit of work, the caller, and injected time and ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from zslite.clock import Clock
from zslite.config import Settings

ADMIN_ACCOUNT_UUID = "36c27e8ff05c4780bf6d2fa65700f22e"  # ZStack's well-known admin account uuid


@dataclass(frozen=True)
class Caller:
    account_uuid: str
    account_name: str
    is_admin: bool
    session_uuid: str | None = None
    user_uuid: str | None = None


SYSTEM = Caller(ADMIN_ACCOUNT_UUID, "admin", True)


@dataclass
class Ctx:
    db: Session
    caller: Caller
    settings: Settings
    clock: Clock
    new_uuid: Callable[[], str]
    api_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # set by the job runner: lets a handler run a step in a transaction of its own
    database: Any = None
    # this management node (jobs.nodes.Node): who serves the call
    node: Any = None
    # the credential cache of this process (services.accounts.CredentialCache), for LogOut to forget
    credentials: Any = None

    def now(self) -> datetime:
        return self.clock.now()
