"""One line per request on stderr; session uuids and secrets never appear."""

from __future__ import annotations

import logging
import re
import sys
import time

log = logging.getLogger("zslite.access")
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
            log.info("%s %s %d %.1fms", scope["method"], mask_path(scope["path"]), status,
                     (time.perf_counter() - start) * 1000)
