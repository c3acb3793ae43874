"""What the server commands (serve, demo, db …) need before they run: settings, the database, the
listening socket — each failure a ConfigError that `main()` prints as one line naming the setting.

Exit codes of these failures: 2 when a value is invalid (a setting, --port, --host), 4 when what a
valid value names cannot be reached or used (the database, the address to listen on).
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import traceback

from zslite.config import ConfigError, Settings, load_settings, uses_default_admin_password

ALL_INTERFACES = "0.0.0.0"
LOOPBACK = "127.0.0.1"
BACKLOG = 2048  # uvicorn's default


def settings(**overrides) -> Settings:
    """The ZSLITE_* settings; the default-password warning is left to the banner."""
    return load_settings(warn=False, **overrides)


def check_metrics_dir() -> None:
    """PROMETHEUS_MULTIPROC_DIR, when set, must be a writable directory (every process writes its metrics there)."""
    from zslite.metrics import MULTIPROC_ENV, multiprocess_dir

    path = multiprocess_dir()
    if path is None:
        return
    if not os.path.isdir(path):
        raise ConfigError(MULTIPROC_ENV, f"[{path}] is not a directory (create it empty before the server starts)")
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(MULTIPROC_ENV, f"[{path}] is not writable", exit_code=4)


def check_master_key(s: Settings) -> None:
    """The master key can be had: ZSLITE_SECRET_KEY, or a key file that can be read (or created) and is
    not empty — found at start, not by the first access key."""
    if s.secret_key:
        return
    try:
        key = s.master_key()
    except OSError as exc:
        raise ConfigError("ZSLITE_SECRET_KEY_FILE", f"cannot read or create [{s.secret_key_file}]: "
                          f"{exc.strerror or exc}", exit_code=4) from None
    if not key:
        raise ConfigError("ZSLITE_SECRET_KEY_FILE", f"[{s.secret_key_file}] is empty: delete it (a new key is "
                          "made; access keys made with the old one stop working) or restore the key", exit_code=4)


def open_database(s: Settings):
    from zslite.db.check import open_database as open_db

    return open_db(s.db_url)


def prepare(s: Settings, database, clock, name: str | None) -> None:
    """Migrations, the admin account and (for a node, by name) its previous life's jobs, with a failure
    turned into one line about the database."""
    from sqlalchemy.exc import SQLAlchemyError

    from zslite.db.check import SETTING, describe_connect_error, parse
    from zslite.server.app import prepare as prepare_app

    try:
        prepare_app(s, database, clock, name)
    except (SQLAlchemyError, OSError) as exc:
        raise ConfigError(SETTING, "could not bring the schema up to date: "
                          + describe_connect_error(exc, parse(s.db_url)), exit_code=4) from exc
    except Exception as exc:  # alembic: a revision this version does not know (a newer zslite's database)
        if type(exc).__module__.startswith("alembic"):
            raise ConfigError(SETTING, f"the database schema cannot be upgraded by zslite {_version()}: "
                              f"{' '.join(str(exc).split())}", exit_code=4) from exc
        raise


def _version() -> str:
    from zslite import __version__

    return __version__


def default_host(s: Settings) -> str:
    """SPEC §7: loopback only while the admin password is the default one, all interfaces once it is set."""
    return LOOPBACK if uses_default_admin_password(s) else ALL_INTERFACES


def bind(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    """A socket bound to host:port (handed to uvicorn), or ConfigError naming --host or --port.

    reuse_port (serve --workers N): SO_REUSEPORT, so that the workers' sockets share the address. A
    plain socket is bound first, so that a port someone else holds is still refused."""
    if reuse_port:
        bind(host, port).close()
    if not 1 <= port <= 65535:
        raise ConfigError("--port", f"{port} is out of range: 1 to 65535")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise ConfigError("--host", f"[{host}] is not an address or a known host name "
                          f"({' '.join(str(exc).split())})") from None
    family, kind, proto, _, address = infos[0]
    # the protocol must be IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it every small response waits for the client's delayed ACK (~40 ms)
    sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        # listening at once: with SO_REUSEADDR, Linux lets a second socket bind a port nobody listens on yet,
        # so "in use" is only certain once we listen (connections wait in the backlog until uvicorn serves)
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise ConfigError(*_bind_problem(exc, host, port), exit_code=4) from None
    sock.set_inheritable(True)
    return sock


def _bind_problem(exc: OSError, host: str, port: int) -> tuple[str, str]:
    if exc.errno == errno.EADDRINUSE:
        return "--port", f"port {port} on {host} is already in use (another server? choose one with --port)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "--port", f"no permission to listen on port {port} (ports below 1024 need privileges)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return "--host", f"[{host}] is not an address of this machine"
    return "--host", f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def url_host(host: str) -> str:
    """The host to put in a URL for a listening address (all interfaces → localhost)."""
    if host in (ALL_INTERFACES, "::", ""):
        return "localhost"
    return f"[{host}]" if ":" in host else host


def banner(s: Settings, host: str, port: int, workers: int = 1) -> str:
    from zslite import __version__

    base = f"http://{url_host(host)}:{port}"
    where = "all interfaces" if host in (ALL_INTERFACES, "::") else host
    processes = f" ({workers} worker processes)" if workers > 1 else ""
    lines = [f"zslite {__version__} is serving on {where}, port {port}{processes}",
             f"  console:        {base}/",
             f"  API:            {base}/zstack/v1  (reference: {base}/docs)",
             f"  health/metrics: {base}/health  {base}/metrics"]
    if uses_default_admin_password(s):
        lines.append("  the admin password is the default 'password': set ZSLITE_ADMIN_PASSWORD"
                     + (" (then zslite listens on all interfaces unless --host says otherwise)"
                        if host == LOOPBACK else ""))
        if host == LOOPBACK:
            lines[0] += " (loopback only while the admin password is the default)"
    return "\n".join(lines)


def verbose() -> bool:
    """ZSLITE_LOG_LEVEL=DEBUG: a startup failure's one line is followed by its trace."""
    return os.environ.get("ZSLITE_LOG_LEVEL", "").strip().upper() == "DEBUG"


def report(exc: BaseException, message: str | None = None) -> None:
    """Print a startup failure as ONE line on stderr (plus its trace with ZSLITE_LOG_LEVEL=DEBUG)."""
    line = " ".join((message or str(exc)).split())
    sys.stderr.write(f"error: {line}\n")
    if verbose():
        traceback.print_exception(exc, file=sys.stderr)
    sys.stderr.flush()
