"""One line per request on stderr; session uuids and secrets never appear."""

from __future__ import annotations

import logging
import re
import sys
import time

from zslite import metrics

log = logging.getLogger("zslite.access")
API_KEY = "zslite.api"  # set in the ASGI scope by the registry's endpoint once it knows the API
UNKNOWN = "unknown"
# routes outside the registry, labelled by name (a registry route whose API is not known yet is "endpoint")
ROUTE_LABELS = {"get_job": "api-jobs", "endpoint": UNKNOWN}
_SESSION_IN_PATH = re.compile(r"(/sessions/)[^/]+")


def mask_path(path: str) -> str:
    return _SESSION_IN_PATH.sub(r"\1***", path) if "/sessions/" in path else path


def setup(level: str = "INFO") -> None:
    root = logging.getLogger("zslite")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)


class AccessLogMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 0

        async def send_wrapper(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            log.info("%s %s %d %.1fms", scope["method"], mask_path(scope["path"]), status, elapsed * 1000)
            metrics.request_done(api_label(scope), status or "unhandled", elapsed)


def api_label(scope) -> str:
    """The metrics label of a request: the registry's API name, a route's fixed name, or `unknown` —
    never anything taken from the URL."""
    if scope.get(API_KEY):
        return scope[API_KEY]
    route = scope.get("route")
    name = getattr(route, "name", None) if route is not None else None
    if not name:
        return UNKNOWN
    return ROUTE_LABELS.get(name, name)
