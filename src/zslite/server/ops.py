"""Operations endpoints, outside the ZStack API and without a session: GET /health (the process runs; the
database is not touched) and GET /metrics (Prometheus text format, see zslite.metrics)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zslite import metrics
from zslite.server.exceptions import json_response


async def health(request: Request) -> Response:
    return json_response({"status": "ok"})


async def metrics_text(request: Request) -> Response:
    rt = request.app.state.zs
    body = await run_in_threadpool(metrics.exposition, rt, getattr(request.app.state, "pool_watch", None))
    return Response(body, media_type=metrics.CONTENT_TYPE)


def routes() -> list[Route]:
    return [Route("/health", health, methods=["GET"], name="health"),
            Route("/metrics", metrics_text, methods=["GET"], name="metrics")]
