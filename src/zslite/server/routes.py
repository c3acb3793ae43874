"""Routes generated from the registry. A route parses through the spec's model, calls one service
function (here or in a job), and wraps the envelope. Nothing else."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

import asyncio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Match, Route, Router

from zslite.apispec import all_apis
from zslite.apispec import api as spec_of
from zslite.apispec.spec import ApiSpec
from zslite.errors import BadRequest, PermissionDenied
from zslite.ids import UUID_RE, new_uuid
from zslite.jobs import queue
from zslite.server import auth
from zslite.server.exceptions import json_response
from zslite.server.logging import API_KEY, UNKNOWN
from zslite.server.params import from_body, from_query, parse_json_body, validate
from zslite.context import Ctx
from zslite.wire.envelopes import dumps, location_body, render

PREFIXES = ("/zstack/v1", "/v1")


def _pick(specs: list[ApiSpec], method: str, body: dict) -> ApiSpec:
    if len(specs) == 1:
        return specs[0]
    keys = [s for s in specs if s.body_key in body]
    if len(keys) == 1:
        return keys[0]
    names = ", ".join(s.body_key for s in specs)
    if not keys:
        raise BadRequest(f"the body of {method} on this URL must hold one of: {names}")
    raise BadRequest(f"the body must hold exactly one of: {names}")


def _wants_schema(request: Request, spec: ApiSpec) -> bool:
    return spec.query is not None or request.headers.get("x-json-schema", "").lower() == "true"


def make_endpoint(specs_by_method: dict[str, list[ApiSpec]]):
    async def endpoint(request: Request) -> Response:
        rt = request.app.state.zs
        method = request.method
        specs = specs_by_method[method]
        request.scope[API_KEY] = specs[0].name if len(specs) == 1 else UNKNOWN  # the metrics label
        body: dict = {}
        if method in ("POST", "PUT") or (method == "DELETE" and any(s.body_key for s in specs)):
            body = parse_json_body(await request.body())
        spec = _pick(specs, method, body)
        request.scope[API_KEY] = spec.name
        data = from_body(spec, body) if spec.body_key else from_query(spec, request.query_params)
        if method == "DELETE" and not spec.body_key:
            data.update({k: v for k, v in from_body(spec, body).items() if k in ("systemTags", "userTags")})
        data.update(_path_params(spec, request))  # path parameters win over body fields
        return await in_thread(rt, _execute, rt, request, spec, data, bool(spec.body_key))

    return endpoint


async def in_thread(rt, fn, *args):
    """Run blocking work (the database) on the app's request threads. asyncio's own executor hand-off
    costs less per request than anyio's to_thread, which Starlette's run_in_threadpool uses."""
    rt.inflight[0] += 1  # (only the event loop's thread changes it)
    try:
        return await asyncio.get_running_loop().run_in_executor(rt.threads, fn, *args)
    finally:
        rt.inflight[0] -= 1


def _execute(rt, request: Request, spec: ApiSpec, data: dict, strict: bool) -> Response:
    job_uuid = None
    if spec.is_async:
        job_uuid = request.headers.get("x-job-uuid")
        if job_uuid is not None and not UUID_RE.match(job_uuid):
            raise BadRequest(f"malformed X-Job-UUID [{job_uuid}]: 32 lowercase hex digits expected")
    if spec.auth == "none":
        caller = None
    else:
        caller = auth.authenticate(rt.database, rt.settings, rt.clock, request.headers, request.method,
                                   request.url.path, rt.credentials)
    params = validate(spec, data, strict)
    if spec.role == "admin" and not caller.is_admin:
        raise PermissionDenied(f"API[{spec.name}] is for admin only")
    with_schema = _wants_schema(request, spec)
    if spec.is_async:
        job_uuid = job_uuid or new_uuid()
        rt.runner.accept(job_uuid, spec, params, caller, with_schema, request.headers.get("x-web-hook"))
        return json_response(location_body(_host(request), job_uuid), 202)
    db = rt.database.read() if spec.read_only else rt.database.write()
    with db as s:
        ctx = Ctx(db=s, caller=caller, settings=rt.settings, clock=rt.clock, new_uuid=new_uuid,
                  database=rt.database, node=rt.node, credentials=rt.credentials)
        result = spec.handler(ctx, params)
        body = render(result, with_schema, rt.settings.timezone)
    return Response(body, media_type="application/json; charset=utf-8")


def _host(request: Request) -> str:
    return request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"


async def get_job(request: Request) -> Response:
    """Polling needs no session: the job uuid is the capability (any node answers for any job)."""
    rt = request.app.state.zs
    job_uuid = request.path_params["uuid"]
    return await in_thread(rt, _job_reply, rt, job_uuid, _host(request))


def _job_reply(rt, job_uuid: str, host: str) -> Response:
    job = queue.get(rt.database, job_uuid, rt.clock.now())
    if job is None:
        return PlainTextResponse(f"job[{job_uuid}] is unknown or expired", status_code=404)
    if job.state in (queue.QUEUED, queue.RUNNING):
        return json_response(location_body(host, job_uuid), 202)
    status = 200 if job.state == queue.SUCCEEDED else 503
    body = job.result
    if status == 200 and job.reveal and queue.take_reveal(rt.database, job_uuid):
        # the secret of this result is for the first reader only
        with rt.database.read() as s:
            body = dumps(spec_of(job.api_name).reveal(s, rt.settings, queue.parse_result(job)), rt.settings.timezone)
    return Response(body, status_code=status, media_type="application/json; charset=utf-8")


def _shape(path: str) -> str:
    return re.sub(r"{\w+}", "{}", path)


def _path_params(spec: ApiSpec, request: Request) -> dict:
    """Path parameters under the spec's own names: APIs sharing a URL shape may name them differently
    (PUT /vm-instances/{uuid}/actions and /vm-instances/{vmInstanceUuid}/actions)."""
    values = list(request.path_params.values())
    route_shape = _shape(request.scope["route"].path) if "route" in request.scope else None
    for path in spec.paths:
        names = re.findall(r"{(\w+)}", path)
        if len(names) == len(values) and (route_shape is None or route_shape.endswith(_shape(path))):
            return dict(zip(names, values))
    return dict(request.path_params)


def build_routes() -> list[Route]:
    groups: dict[str, dict[str, list[ApiSpec]]] = defaultdict(lambda: defaultdict(list))
    templates: dict[str, str] = {}
    for spec in all_apis():
        for path in spec.paths:
            shape = _shape(path)
            templates.setdefault(shape, path)
            groups[shape][spec.method].append(spec)

    # literal segments before parameters, so /accounts/login wins over /accounts/{uuid}
    def order(path: str):
        return [(1 if seg.startswith("{") else 0, seg) for seg in path.split("/")]

    routes: list[Route] = []
    for prefix in PREFIXES:
        routes.append(Route(prefix + "/api-jobs/{uuid}", get_job, methods=["GET"]))
        for shape in sorted(groups, key=order):
            by_method = dict(groups[shape])
            routes.append(Route(prefix + templates[shape], make_endpoint(by_method), methods=list(by_method)))
    return routes


def resource_key(path: str) -> str | None:
    """The path segment after /zstack/v1 or /v1 (zones, vm-instances, …), or None for other paths."""
    for prefix in PREFIXES:
        if path.startswith(prefix + "/"):
            return path[len(prefix) + 1:].split("/", 1)[0]
    return None


class IndexedRouter(Router):
    """Starlette's router, with the registry's routes indexed by resource: a request is matched only
    against the few routes of its resource, not every route in turn. Anything else — the lifespan,
    other paths, a 404 or a 405 — takes Starlette's own way."""

    def __init__(self, routes: Sequence[Route], **kw):
        super().__init__(routes, **kw)
        self._index: dict[str, list] = defaultdict(list)
        for route in self.routes:
            key = resource_key(getattr(route, "path", ""))
            if key is not None:
                self._index[key].append(route)

    async def app(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            for route in self._index.get(resource_key(scope["path"]), ()):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.setdefault("router", self)
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await super().app(scope, receive, send)
