"""create_app(settings): the ASGI application. Nothing global: engine, node, runner and clock live on
app.state.

`zslite serve` prepares the database once (migrations, the admin account, the jobs left running by
this node's previous life) and then starts one or several server processes on it; each process is a
management node (jobs/nodes.py). create_app(..., prepared=False) — tests, embedding — prepares it
in its own lifespan instead.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zslite import metrics
from zslite.clock import Clock
from zslite.config import Settings, load_settings
from zslite.db.engine import Database
from zslite.db.locks import named_lock
from zslite.db.migrate import upgrade
from zslite.errors import BadRequest, ZStackError
from zslite.jobs.nodes import Node, recover_previous_life
from zslite.jobs.plans import PlanDriver
from zslite.jobs.runner import JobRunner
from zslite.server import console, docs, openapi, ops
from zslite.server.exceptions import ErrorMiddleware, error_response, json_response
from zslite.server.logging import AccessLogMiddleware, setup
from zslite.server.routes import IndexedRouter, build_routes
from zslite.services.accounts import CredentialCache, ensure_admin

log = logging.getLogger("zslite.server")


@dataclass
class Runtime:
    settings: Settings
    database: Database
    clock: Clock
    node: Node
    runner: JobRunner
    credentials: CredentialCache
    threads: ThreadPoolExecutor  # where requests do their blocking work (server/routes.py in_thread)
    plans: PlanDriver
    inflight: list = field(default_factory=lambda: [0])  # requests doing their work now (in_thread)


def node_name(settings: Settings, port: int | None = None) -> str:
    """ZSLITE_NODE_NAME, else <hostname>:<port> (unique while the process holds the port)."""
    return settings.node_name or f"{socket.gethostname()}:{port if port is not None else 'embedded'}"


def prepare(settings: Settings, database: Database, clock: Clock, name: str | None) -> None:
    """Once per start of a node, before it serves: migrations (if enabled), the admin account, and the
    jobs that this node's previous life left running (interrupted). Without a name (a command that is
    not a node, like `zslite demo`), no job is touched."""
    with named_lock(database, "prepare"):  # nodes starting together take turns
        if settings.migrate_on_start:
            upgrade(database.engine)
        with database.write() as s:
            ensure_admin(s, settings, clock)
    if name is not None:
        recover_previous_life(database, settings, clock, name)


def runtime(settings: Settings, database: Database | None = None, clock: Clock | None = None,
            name: str | None = None) -> Runtime:
    clock = clock or Clock()
    database = database or Database(settings.db_url)
    node = Node(database, settings, clock, name or node_name(settings))
    rt = Runtime(settings, database, clock, node, JobRunner(database, settings, clock, node),
                 CredentialCache(settings.session_cache_seconds),
                 ThreadPoolExecutor(max_workers=settings.request_threads, thread_name_prefix="zslite-request"),
                 PlanDriver(database, settings, clock, node))
    rt.runner.requests_in_flight = lambda: rt.inflight[0]
    return rt


def create_app(settings: Settings, *, database: Database | None = None, clock: Clock | None = None,
               name: str | None = None, prepared: bool = False, on_start=None) -> Starlette:
    """The ASGI app; `prepared=True` when the caller already ran prepare() (zslite serve does, so that a
    database problem is reported before uvicorn starts)."""
    setup(settings.log_level)
    rt = runtime(settings, database, clock, name)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if not prepared:
            prepare(settings, rt.database, rt.clock, rt.node.name)
        rt.runner.start()
        rt.plans.start()  # after the node has joined: its claims are known to be alive
        if on_start:
            on_start(rt)
        try:
            yield
        finally:
            rt.plans.stop(wait=True)
            rt.runner.stop(wait=True)
            rt.threads.shutdown(wait=True)
            metrics.process_exit()

    async def openapi_json(request: Request) -> Response:
        return json_response(openapi.document())

    routes = [Route(p + "/openapi.json", openapi_json, methods=["GET"], name="openapi") for p in ("/zstack/v1", "/v1")]
    routes += ops.routes()
    routes += docs.routes()
    routes += build_routes()
    routes += console.routes()  # the web console: `/` and `/console/...`

    def handler(request, exc):
        return error_response(exc)

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={ZStackError: handler, BadRequest: handler, Exception: handler})
    app.router = IndexedRouter(app.router.routes, lifespan=lifespan)
    app.state.zs = rt
    app.state.pool_watch = metrics.watch_pool(rt.database.engine, rt.database.read_engine)
    app.add_middleware(AccessLogMiddleware)
    return ErrorMiddleware(app)


def worker_app() -> Starlette:
    """The app of one worker process of `zslite serve --workers N` (uvicorn's factory): the parent
    prepared the database and passed the node name in ZSLITE_NODE_NAME."""
    return create_app(load_settings(warn=False), prepared=True)
