"""Opening the database of ZSLITE_DB_URL at start, with one clear sentence for each way it fails.

`open_database(url)` parses the URL and connects once (a short connect timeout, no pool) before the
real engine is built, so a typo, a refused connection, a missing database or wrong credentials stop
zslite with `ConfigError("ZSLITE_DB_URL", …)` instead of a driver's traceback. `create_database(url)`
makes a PostgreSQL or MariaDB database that does not exist yet (`zslite db create`). Passwords in
URLs never appear in a message.
"""

from __future__ import annotations

import os
import re

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from zslite.config import ConfigError
from zslite.db.engine import Database, normalize_url

SETTING = "ZSLITE_DB_URL"
CONNECT_TIMEOUT = 10
EXAMPLES = "sqlite:///path/to/zslite.db, postgresql://user@host:5432/zslite or mysql://user@host:3306/zslite"
_PASSWORD_IN_URL = re.compile(r"(://[^/@:]*:)[^/]*@")  # greedy: a password may hold @


def mask(url: str) -> str:
    """The URL as a message may show it: any password replaced by ***."""
    return _PASSWORD_IN_URL.sub(r"\1***@", url)


def parse(url: str) -> URL:
    """The normalized URL (driver chosen), or ConfigError naming what is wrong with it."""
    if not url.strip():
        raise ConfigError(SETTING, f"empty; expected a database URL such as {EXAMPLES}")
    try:
        parsed = make_url(normalize_url(url))
        parsed.get_dialect()  # an unknown database kind or a missing driver fails here
    except NoSuchModuleError:
        kind = url.split("://", 1)[0] if "://" in url else url
        raise ConfigError(SETTING, f"unknown database kind [{kind}] in [{mask(url)}]: use sqlite, postgresql or "
                                   "mysql (MariaDB)") from None
    except (ArgumentError, ValueError) as exc:
        raise ConfigError(SETTING, f"cannot parse [{mask(url)}] as a database URL ({_one_line(str(exc))}); "
                                   f"expected e.g. {EXAMPLES}") from None
    if parsed.get_backend_name() != "sqlite" and not parsed.database:
        raise ConfigError(SETTING, f"[{mask(url)}] names no database: add it after the host, e.g. "
                                   f"{parsed.drivername.split('+')[0]}://{parsed.host or 'host'}/zslite")
    return parsed


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _where(u: URL) -> str:
    default = {"postgresql": 5432, "mysql": 3306}.get(u.get_backend_name())
    return f"{u.host or 'localhost'}:{u.port or default}"


def describe_connect_error(exc: BaseException, u: URL) -> str:
    """One sentence for a failed connection (the driver's words kept when no pattern matches)."""
    orig = getattr(exc, "orig", None) or exc
    msg = _one_line(str(orig))
    backend = u.get_backend_name()
    kind = {"postgresql": "PostgreSQL", "mysql": "MariaDB/MySQL"}.get(backend, backend)
    where = _where(u)
    if backend == "sqlite":
        path = u.database or ":memory:"
        if "unable to open" in msg:
            folder = os.path.dirname(os.path.abspath(path))
            why = "its directory does not exist" if not os.path.isdir(folder) else "it cannot be opened or created here"
            return f"cannot open the SQLite file [{path}]: {why}"
        if "not a database" in msg:
            return f"[{path}] is not an SQLite database file"
        return f"cannot use the SQLite file [{path}]: {msg}"
    code = orig.args[0] if backend == "mysql" and getattr(orig, "args", None) else None
    low = msg.lower()
    if (backend == "postgresql" and re.search(r'database "[^"]*" does not exist', msg)) or code == 1049:
        return (f"database [{u.database}] does not exist on {where}: create it with `zslite db create` "
                "(or point ZSLITE_DB_URL to an existing one)")
    # PyMySQL says "refused" or errno 111; mysqlclient (a non-blocking connect) says 2002 "... (115)"
    if ("connection refused" in low or code == 2003 and "refused" in low or "(111)" in msg
            or code in (2002, 2003) and "(115)" in msg):
        return f"cannot connect to {kind} at {where}: connection refused (is the server running there?)"
    if ("password authentication failed" in low or "role" in low and "does not exist" in low
            or code == 1045 or "no password supplied" in low):
        return f"the {kind} server at {where} refused the credentials of user [{u.username}]"
    if code == 1044:
        return f"user [{u.username}] may not use database [{u.database}] on {where}"
    if ("could not translate host name" in low or "name or service not known" in low
            or "failed to resolve" in low or "nodename nor servname" in low or code == 2005
            or "getaddrinfo" in low or "temporary failure in name resolution" in low):
        return f"unknown host [{u.host}]"
    if "timeout" in low or "timed out" in low:
        return f"cannot connect to {kind} at {where}: no answer within {CONNECT_TIMEOUT} s"
    if code == 2003:
        return f"cannot connect to {kind} at {where}: {msg}"
    return f"cannot use the {kind} database at {where}: {msg}"


def _probe_engine(u: URL):
    args = {} if u.get_backend_name() == "sqlite" else {"connect_timeout": CONNECT_TIMEOUT}
    return create_engine(u, poolclass=NullPool, connect_args=args)


def probe(url: str) -> URL:
    """Connect once; ConfigError (exit code 4) when the database cannot be reached or used."""
    u = parse(url)
    if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:"):
        folder = os.path.dirname(os.path.abspath(u.database))
        if not os.path.isdir(folder):
            raise ConfigError(SETTING, f"cannot open the SQLite file [{u.database}]: its directory does not exist",
                              exit_code=4)
    engine = _probe_engine(u)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        raise ConfigError(SETTING, describe_connect_error(exc, u), exit_code=4) from exc
    finally:
        engine.dispose()
    return u


def open_database(url: str, **kw) -> Database:
    """The Database of a URL that parses and answers (else ConfigError)."""
    probe(url)
    try:
        return Database(url, **kw)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise ConfigError(SETTING, _one_line(str(exc))) from exc


def create_database(url: str) -> bool:
    """Create the PostgreSQL or MariaDB database the URL names; False if it existed already. SQLite files
    are created on first use, so there is nothing to do for them."""
    u = parse(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        return False
    name = u.database
    server = u._replace(database="postgres" if backend == "postgresql" else None)  # (set() ignores None)
    engine = create_engine(server, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                           connect_args={"connect_timeout": CONNECT_TIMEOUT})
    try:
        with engine.connect() as conn:
            if backend == "postgresql":
                exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
                if exists:
                    return False
                quoted = engine.dialect.identifier_preparer.quote_identifier(name)
                conn.execute(text(f"CREATE DATABASE {quoted} ENCODING 'UTF8' TEMPLATE template0"))
            else:
                exists = conn.scalar(text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :n"),
                                     {"n": name})
                if exists:
                    return False
                quoted = engine.dialect.identifier_preparer.quote_identifier(name)
                conn.execute(text(f"CREATE DATABASE {quoted} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
            return True
    except (DBAPIError, SQLAlchemyError, OSError) as exc:
        raise ConfigError(SETTING, describe_connect_error(exc, u).replace(
            "cannot use the", "cannot create the"), exit_code=4) from exc
    finally:
        engine.dispose()
