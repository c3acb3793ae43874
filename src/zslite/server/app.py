"""create_app(settings): the ASGI application. Nothing global: engine, runner and clock live on app.state."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zslite import metrics
from zslite.clock import Clock
from zslite.config import Settings
from zslite.errors import BadRequest, ZStackError
from zslite.db.engine import Database
from zslite.db.migrate import upgrade
from zslite.jobs.runner import JobRunner
from zslite.server import docs, openapi, ops
from zslite.server.exceptions import ErrorMiddleware, error_response, json_response
from zslite.server.logging import AccessLogMiddleware, setup
from zslite.server.routes import build_routes
from zslite.services.accounts import ensure_admin

log = logging.getLogger("zslite.server")


@dataclass
class Runtime:
    settings: Settings
    database: Database
    clock: Clock
    runner: JobRunner


def prepare(settings: Settings, database: Database, clock: Clock) -> None:
    """Migrations (if enabled) and the admin account."""
    if settings.migrate_on_start:
        upgrade(database.engine)
    with database.write() as s:
        ensure_admin(s, settings, clock)


def create_app(settings: Settings, *, database: Database | None = None, clock: Clock | None = None,
               on_start=None, prepared: bool = False) -> Starlette:
    """The ASGI app; `prepared=True` when the caller already ran prepare() (zslite serve does, so that a
    database problem is reported before uvicorn starts)."""
    setup(settings.log_level)
    clock = clock or Clock()
    database = database or Database(settings.db_url)
    runner = JobRunner(database, settings, clock)
    rt = Runtime(settings, database, clock, runner)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if not prepared:
            prepare(settings, database, clock)
        runner.start()
        if on_start:
            on_start(rt)
        try:
            yield
        finally:
            runner.stop(wait=True)
            metrics.process_exit()

    async def openapi_json(request: Request) -> Response:
        return json_response(openapi.document())

    routes = [Route(p + "/openapi.json", openapi_json, methods=["GET"], name="openapi") for p in ("/zstack/v1", "/v1")]
    routes += ops.routes()
    routes += docs.routes()
    routes += build_routes()

    def handler(request, exc):
        return error_response(exc)

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={ZStackError: handler, BadRequest: handler, Exception: handler})
    app.state.zs = rt
    app.state.pool_watch = metrics.watch_pool(database.engine)
    app.add_middleware(AccessLogMiddleware)
    return ErrorMiddleware(app)
