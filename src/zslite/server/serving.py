"""`zslite serve`: prepare the database once, bind the port, then serve it with one process or N.

Every process is a management node on the shared database (SPEC §9). With --workers N, uvicorn's
supervisor starts N worker processes that share the listening socket (the kernel hands each new
connection to one of them) and replaces a worker that dies; each worker builds its app with
server.app.worker_app().
"""

from __future__ import annotations

import os
import signal
import sys

import uvicorn

from zslite.clock import Clock
from zslite.config import Settings
from zslite.db.engine import Database
from zslite.server.app import create_app, node_name, prepare

GRACEFUL_SECONDS = 10


def uvicorn_options() -> dict:
    """How zslite runs uvicorn (bench/floor.py runs its bare app the same way)."""
    return {"log_level": "warning", "access_log": False, "lifespan": "on",
            "timeout_graceful_shutdown": GRACEFUL_SECONDS}


def _config(app, host: str, port: int, **kw) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, **uvicorn_options(), **kw)


def serve(settings: Settings, *, host: str, port: int, workers: int = 1, demo: bool = False) -> None:
    name = node_name(settings, port)
    database = Database(settings.db_url)
    clock = Clock()
    prepare(settings, database, clock, name)
    if demo:
        from zslite import demo as demo_mod
        from zslite.server.app import runtime
        demo_mod.load_and_print(runtime(settings, database, clock, name), port, host)
    else:  # the banner: where the web console and the API are
        from zslite.server.console import url as console_url
        print(f"zslite is ready: web console {console_url(host, port)} · API {console_url(host, port)}zstack/v1",
              file=sys.stderr, flush=True)

    if workers == 1:
        app = create_app(settings, database=database, clock=clock, name=name, prepared=True)
        server = uvicorn.Server(_config(app, host, port))
        # uvicorn stops cleanly on SIGTERM/SIGINT (stops accepting, finishes requests and running jobs,
        # runs the shutdown), then re-raises the signal: a clean stop exits 0
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: sys.exit(0))
        server.run()
        return

    from uvicorn.supervisors import Multiprocess

    database.dispose()
    os.environ["ZSLITE_NODE_NAME"] = name  # the workers are processes of this node name
    config = _config("zslite.server.app:worker_app", host, port, factory=True, workers=workers)
    Multiprocess(config, sockets=[config.bind_socket()]).run()
