"""GET /docs: a browsable reference of /zstack/v1/openapi.json (Swagger UI, vendored under
server/static/swagger-ui — no CDN, no internet access), with "Try it out" against this server: authorize
with `OAuth <session uuid>` from a login."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from zslite import __version__

STATIC = Path(__file__).parent / "static" / "swagger-ui"
SWAGGER_UI_VERSION = "5.35.0"
OPENAPI_PATH = "/zstack/v1/openapi.json"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>zslite {__version__} — API reference</title>
<link rel="icon" type="image/png" href="/docs/static/favicon-32x32.png">
<link rel="stylesheet" href="/docs/static/swagger-ui.css">
<style>
  body {{ margin: 0; font-family: system-ui, sans-serif; }}
  .zs-top {{ display: flex; gap: 1.5rem; align-items: baseline; padding: .6rem 1.2rem; background: #1f2d3d; color: #fff; }}
  .zs-top a {{ color: #cfe3ff; }}
  .zs-top h1 {{ font-size: 1.1rem; margin: 0; }}
</style>
</head>
<body data-openapi="{OPENAPI_PATH}">
<header class="zs-top">
  <h1>zslite {__version__} — ZStack REST API v1</h1>
  <a href="/">console</a>
  <a href="{OPENAPI_PATH}">openapi.json</a>
  <span>Log in with <code>PUT /zstack/v1/accounts/login</code>, then “Authorize” with <code>OAuth &lt;session uuid&gt;</code>.</span>
</header>
<main id="swagger-ui"></main>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/static/docs-init.js"></script>
</body>
</html>
"""


async def docs_page(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


def routes() -> list:
    return [Route("/docs", docs_page, methods=["GET"], name="docs"),
            Mount("/docs/static", app=StaticFiles(directory=STATIC), name="docs-static")]
