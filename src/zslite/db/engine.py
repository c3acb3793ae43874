"""Engine and unit of work. SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE
for writes (so concurrent writers queue instead of failing); PostgreSQL and MariaDB run at
READ COMMITTED.

Reads need no transaction of their own: each statement sees the data committed before it, as at
READ COMMITTED. So a read unit of work runs without BEGIN and ROLLBACK — on SQLite in autocommit
mode, on PostgreSQL and MariaDB on a second pool of AUTOCOMMIT connections — which saves two round
trips per request. Pooled connections are pinged only when they sat idle for a while (a restarted
database server is noticed; a busy pool pays nothing).

SQLite has one writer at a time for the whole file. Left to itself, a waiting writer polls
(sleeping up to 100 ms between tries) and a newcomer may overtake it, so a short write (accepting a
job, a login) could wait behind a long queue of job transactions. The write gate (sqlite_gate.py)
queues writers instead, in every process using the file, and lets job transactions enter one at a
time so that other writes never wait for more than one of them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from zslite.db.sqlite_gate import WriteGate


def mysql_driver() -> str:
    """The MariaDB/MySQL driver: mysqlclient (C) when it is installed, else PyMySQL (pure Python, a
    dependency). `make install` builds mysqlclient where the MariaDB client headers are present: it
    decodes rows several times faster (bench/notes.md)."""
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        return "pymysql"
    return "mysqldb"


def normalize_url(url: str) -> str:
    """A URL as SQLAlchemy wants it: `postgresql://` → psycopg 3; `mysql://` or `mariadb://` → the
    MariaDB driver of mysql_driver() (an explicit `mysql+pymysql://` or `mysql+mysqldb://` is kept)."""
    u = make_url(url)
    driver = u.drivername
    if driver in ("postgres", "postgresql"):
        u = u.set(drivername="postgresql+psycopg")
    elif driver in ("mysql", "mariadb"):
        u = u.set(drivername=f"mysql+{mysql_driver()}")
    elif driver in ("mariadb+pymysql", "mariadb+mysqldb"):
        u = u.set(drivername=driver.replace("mariadb", "mysql"))
    if u.drivername.startswith("mysql") and "charset" not in u.query:
        u = u.update_query_dict({"charset": "utf8mb4"})
    return u.render_as_string(hide_password=False)


# SQLite reads the database file through a memory map instead of read() calls into each connection's own
# 2 MB page cache: a lookup in a large catalog no longer costs a system call per B-tree page. QueryImage
# with three conditions at 1M images: its statement 13 → 6.4 ms (bench/notes.md). The map is address
# space shared with the OS page cache, not memory of each connection; SQLite caps it at its build's
# maximum (2 GB on Linux).
SQLITE_MMAP_BYTES = 2 * 1024 ** 3


def make_engine(url: str, **kw) -> Engine:
    url = normalize_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        # a connection is a file handle: keep enough for every request thread and job worker, so that
        # none is opened (and its PRAGMAs run) per request
        kw.setdefault("pool_size", 40)
        kw.setdefault("max_overflow", 40)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kw)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA case_sensitive_like=ON")  # LIKE as on PostgreSQL and MariaDB (binary collation)
            if make_url(url).database not in (None, "", ":memory:"):
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            if mode is not None:  # None: a read, in autocommit mode
                conn.exec_driver_sql(f"BEGIN {mode}")

        return engine
    if make_url(url).drivername == "mysql+mysqldb":
        kw.setdefault("connect_args", {}).setdefault("conv", mysqldb_conversions())
    kw.setdefault("isolation_level", "READ COMMITTED")
    kw.setdefault("pool_size", 10)
    kw.setdefault("max_overflow", 30)
    kw.setdefault("pool_recycle", 3600)
    engine = create_engine(url, **kw)
    _ping_when_idle(engine)
    if backend in ("mysql", "mariadb"):
        _mariadb_session(engine)
    return engine


def mysqldb_conversions() -> dict:
    """mysqlclient's converters, with DATETIME and TIMESTAMP parsed by datetime.fromisoformat (C, ~0.1 µs)
    instead of its own Python parser (~1.1 µs): a 100-candidate answer reads ~550 dates (bench/notes.md).
    A date alone, and what fromisoformat refuses (a zero date), go to mysqlclient's parser, so the
    values are the same."""
    from MySQLdb import converters
    from MySQLdb.constants import FIELD_TYPE

    def parse(text):
        if len(text) < 11:  # a date alone: mysqlclient makes it a date
            return converters.DateTime_or_None(text)
        try:
            return datetime.fromisoformat(text)
        except (TypeError, ValueError):
            return converters.DateTime_or_None(text)

    out = dict(converters.conversions)
    out[FIELD_TYPE.DATETIME] = out[FIELD_TYPE.TIMESTAMP] = parse
    return out


def _mariadb_session(engine: Engine) -> None:
    """MariaDB rewrites EXISTS into a semi-join driven from the subquery's side (exists_to_in). For a
    page in primary-key order — every Query API — that sorts the whole subquery's match first: a
    relation condition such as backupStorageRefs.backupStorageUuid= took 1.4 s at 1M images where
    the EXISTS probed in key order takes 23 ms (bench/notes.md). The rewrite is turned off for our
    sessions; IN subqueries (the candidate query's) keep MariaDB's semi-join strategies."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        if "mariadb" not in dbapi_conn.get_server_info().lower():
            return  # MySQL has no such switch
        cur = dbapi_conn.cursor()
        cur.execute("SET SESSION optimizer_switch='exists_to_in=off'")
        cur.close()


PING_AFTER_IDLE = 10.0  # seconds


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling, but only for a connection idle PING_AFTER_IDLE seconds: the
    pool then replaces a connection the database server dropped (a restart) before anyone uses it."""

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_conn, record):
        record.info["zslite_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, proxy):
        if time.monotonic() - record.info.get("zslite_idle_since", 0.0) < PING_AFTER_IDLE:
            return
        try:
            cur = dbapi_conn.cursor()
            try:
                cur.execute("SELECT 1")
                cur.fetchall()
            finally:
                cur.close()
            dbapi_conn.rollback()
        except Exception as err:
            raise exc.DisconnectionError(f"pooled connection is gone: {err.__class__.__name__}") from err


class Database:
    """Owns the engine; hands out sessions for one unit of work."""

    def __init__(self, url: str, **kw):
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, **kw)
        self.backend = self.engine.dialect.name  # sqlite | postgresql | mysql
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        if self.backend == "sqlite":
            self.read_engine = self.engine
            reads = self.engine.execution_options(sqlite_begin=None)
        else:
            # no transaction on this pool, so nothing to roll back: not when a connection goes back to the
            # pool, not when a unit of work ends (mysqlclient sends a ROLLBACK to the server each time, a
            # round trip per request; psycopg skips it by itself)
            self.read_engine = make_engine(self.url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None)
            self.read_engine.dialect.do_rollback = lambda dbapi_connection: None
            reads = self.read_engine
        self._read_sessions = sessionmaker(reads, expire_on_commit=False, autoflush=False)
        path = make_url(self.url).database if self.backend == "sqlite" else None
        self.gate = WriteGate(path) if path not in (None, "", ":memory:") else None

    @contextmanager
    def write(self, lane: str = "api") -> Iterator[Session]:
        """One read-write transaction: committed on success, rolled back on any exception.

        lane "job" is for job transactions: on SQLite they enter the write gate one at a time, so
        that an "api" write (a job accepted, a login) waits for at most one of them."""
        with self.gate.enter(lane) if self.gate else nullcontext(), self._sessions() as session:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A unit of work that only reads (no transaction: each statement sees what was committed)."""
        with self._read_sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()
        if self.gate:
            self.gate.close()
