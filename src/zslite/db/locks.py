"""A named lock held across every process using the database, for the rare start-up steps that must
not run twice at once (migrations, the admin account) when several nodes start together.

PostgreSQL: a session-level advisory lock; MariaDB: GET_LOCK; SQLite: flock(2) on a file beside the
database (all its users are on this machine)."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from zslite.db.sqlite_gate import _FileLock

WAIT_SECONDS = 600


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def named_lock(database, name: str):
    backend = database.backend
    if backend == "sqlite":
        path = make_url(database.url).database
        if path in (None, "", ":memory:"):
            yield
            return
        lock = _FileLock(f"{path}.{name}.lock")
        try:
            with lock.held():
                yield
        finally:
            lock.close()
        return
    with database.engine.connect() as conn:
        if backend == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _key(name)})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(name)})
                conn.commit()
        else:
            got = conn.execute(text("SELECT GET_LOCK(:n, :t)"), {"n": f"zslite.{name}", "t": WAIT_SECONDS}).scalar()
            if got != 1:
                raise TimeoutError(f"could not take the database lock [{name}] within {WAIT_SECONDS} s")
            try:
                yield
            finally:
                conn.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": f"zslite.{name}"})
