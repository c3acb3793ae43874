"""Transient database conflicts (deadlocks, serialization failures, lock timeouts) are retried by
running the whole unit of work again in a fresh transaction."""

from __future__ import annotations

import random
import time

from sqlalchemy.exc import DBAPIError

# MySQL/MariaDB: 1213 deadlock, 1205 lock wait timeout; PostgreSQL: 40P01 deadlock, 40001 serialization
_MYSQL_CODES = {1213, 1205}
_PG_STATES = {"40P01", "40001", "55P03"}
ATTEMPTS = 6


def is_transient(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return False
    orig = exc.orig
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_CODES:
        return True
    state = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    if state in _PG_STATES:
        return True
    return "database is locked" in str(orig)


def backoff(attempt: int) -> None:
    time.sleep(min(0.02 * 2 ** attempt, 0.5) * (0.5 + random.random()))
