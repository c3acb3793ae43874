"""The one place that maps errors to HTTP: 400 text, 503 ErrorCode JSON; never 500."""

from __future__ import annotations

import logging
import uuid

from starlette.requests import ClientDisconnect
from starlette.responses import PlainTextResponse, Response

from zslite.errors import BadRequest, InternalError, ZStackError
from zslite.wire.envelopes import dumps, error_body

log = logging.getLogger("zslite.server")


def json_response(body, status: int = 200, tz: str = "UTC") -> Response:
    return Response(dumps(body, tz), status_code=status, media_type="application/json; charset=utf-8")


def error_response(exc: BaseException) -> Response:
    if isinstance(exc, BadRequest):
        return PlainTextResponse(exc.message, status_code=400)
    if isinstance(exc, ZStackError):
        return json_response(error_body(exc), 503)
    if isinstance(exc, ClientDisconnect):  # the client went away mid-request: nobody to answer, nothing wrong
        return PlainTextResponse("the client disconnected before its request was complete", status_code=400)
    trace = uuid.uuid4().hex
    log.error("unexpected error, trace id %s", trace, exc_info=exc)
    return json_response(error_body(InternalError(f"an internal error happened; trace id {trace}")), 503)


class ErrorMiddleware:
    """Outermost ASGI layer: whatever escapes the app becomes a 503 SYS.1000 (the trace stays in the log).
    Starlette re-raises after its own handler answered; that is swallowed here, already logged."""

    def __init__(self, app):
        self.app = app

    def __getattr__(self, name):
        return getattr(self.app, name)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_wrapper(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            if started:
                return
            await error_response(exc)(scope, receive, send)
