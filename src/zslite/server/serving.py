"""The uvicorn part of `zslite serve`: the prepared database served on a bound socket, by one process
or by N.

Every process is a management node on the shared database (SPEC §9). With workers=N, the supervisor
(server/supervisor.py) starts N worker processes, each on its own SO_REUSEPORT socket of the same
address (the kernel spreads new connections over them), and replaces a worker that dies; each worker
builds its app with server.app.worker_app(). Their Prometheus metrics meet in one PROMETHEUS_MULTIPROC_DIR (a fresh
directory unless one is given), so that a scrape of any worker counts them all.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile

import uvicorn

from zslite.metrics import MULTIPROC_ENV
from zslite.server.app import create_app

GRACEFUL_SECONDS = 10


def uvicorn_options() -> dict:
    """How zslite runs uvicorn (bench/floor.py runs its bare app the same way)."""
    return {"log_level": "warning", "access_log": False, "lifespan": "on",
            "timeout_graceful_shutdown": GRACEFUL_SECONDS}


METRICS_DIR_PREFIX = "zslite-metrics-"


def run(settings, database, clock, name: str, sock, workers: int = 1) -> None:
    # a client that goes away while we write must cost an EPIPE on its connection, never the process
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    if workers == 1:
        app = create_app(settings, database=database, clock=clock, name=name, prepared=True)
        server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options()))
        # uvicorn stops cleanly on SIGTERM/SIGINT (stops accepting, finishes requests and running jobs,
        # runs the shutdown), then re-raises the signal: a clean stop exits 0
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: sys.exit(0))
        server.run(sockets=[sock])
        return

    from zslite.server.supervisor import Supervisor, listening_sockets

    database.dispose()
    os.environ["ZSLITE_NODE_NAME"] = name  # the workers are processes of this node name
    own_metrics_dir = None
    if not os.environ.get(MULTIPROC_ENV):
        remove_orphaned_metrics_dirs()
        own_metrics_dir = tempfile.mkdtemp(prefix=f"{METRICS_DIR_PREFIX}{os.getpid()}-")
        os.environ[MULTIPROC_ENV] = own_metrics_dir
    try:
        Supervisor(listening_sockets(sock, workers), uvicorn_options()).run()
    finally:
        if own_metrics_dir:
            shutil.rmtree(own_metrics_dir, ignore_errors=True)


def remove_orphaned_metrics_dirs() -> None:
    """The metrics directories of `serve --workers` processes that died without cleaning up (kill -9):
    named zslite-metrics-<pid>-…, removed when that pid is no longer alive."""
    base = tempfile.gettempdir()
    try:
        names = os.listdir(base)
    except OSError:
        return
    for entry in names:
        pid = entry.removeprefix(METRICS_DIR_PREFIX).split("-", 1)[0]
        if not entry.startswith(METRICS_DIR_PREFIX) or not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(os.path.join(base, entry), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
