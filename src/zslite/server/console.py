"""The web console (SPEC §10): the static assets of `zslite.console`, served as they ship.

The console is a client of the public REST API like the SDK and the CLI: these routes only hand
out its files. `/` is its page and `/console/...` its assets, so nothing here shadows `/zstack/v1`,
`/v1`, `/health`, `/metrics` or `/docs` (an unknown path still gets the router's own 404/405).
"""

from __future__ import annotations

from importlib.resources import files

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

# Every asset comes from this origin; no inline script, no style attribute, no framing. Server
# strings reach the DOM as text only (js/dom.js); this policy is the second line of defence.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY", "Cache-Control": "no-cache"}


def _index_bytes() -> bytes:
    return (files("zslite") / "console" / "index.html").read_bytes()


async def index(request: Request) -> Response:
    body = b"" if request.method == "HEAD" else _index_bytes()
    return Response(body, media_type="text/html; charset=utf-8", headers=HEADERS)


class _Assets(StaticFiles):
    """StaticFiles that asks the browser to revalidate (the files change with each release)."""

    def file_response(self, *args, **kwargs) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def url(host: str, port: int) -> str:
    """The console's address for a server bound to host:port, as the start banner prints it."""
    if host in ("", "0.0.0.0", "::"):
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def routes() -> list:
    return [
        Route("/", index, methods=["GET", "HEAD"]),
        Mount("/console", app=_Assets(packages=[("zslite", "console")]), name="console"),
    ]
