"""Routes generated from the registry. A route parses through the spec's model, calls one service
function (here or in a job), and wraps the envelope. Nothing else."""

from __future__ import annotations

import re
from collections import defaultdict

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from zslite.apispec import all_apis
from zslite.apispec import api as spec_of
from zslite.apispec.spec import ApiSpec
from zslite.errors import BadRequest, PermissionDenied
from zslite.ids import UUID_RE, new_uuid
from zslite.jobs.runner import parse_result, render
from zslite.server import auth
from zslite.server.exceptions import json_response
from zslite.server.logging import API_KEY, UNKNOWN
from zslite.server.params import from_body, from_query, parse_json_body, validate
from zslite.context import Ctx
from zslite.wire.envelopes import dumps, location_body

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
        return await run_in_threadpool(_execute, rt, request, spec, data, strict=bool(spec.body_key))

    return endpoint


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
                                   request.url.path)
    params = validate(spec, data, strict)
    if spec.role == "admin" and not caller.is_admin:
        raise PermissionDenied(f"API[{spec.name}] is for admin only")
    with_schema = _wants_schema(request, spec)
    if spec.is_async:
        job_uuid = job_uuid or new_uuid()
        rt.runner.create(job_uuid, spec.name, caller.account_uuid if caller else None, with_schema,
                         request.headers.get("x-web-hook"))
        rt.runner.submit(job_uuid, spec, params, caller, with_schema, request.headers.get("x-web-hook"))
        host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
        return json_response(location_body(host, job_uuid), 202)
    db = rt.database.read() if spec.method == "GET" else rt.database.write()
    with db as s:
        ctx = Ctx(db=s, caller=caller, settings=rt.settings, clock=rt.clock, new_uuid=new_uuid,
                  database=rt.database)
        result = spec.handler(ctx, params)
        body = render(result, with_schema, rt.settings.timezone)
    return Response(body, media_type="application/json; charset=utf-8")


async def get_job(request: Request) -> Response:
    """Polling needs no session: the job uuid is the capability."""
    rt = request.app.state.zs
    job_uuid = request.path_params["uuid"]
    job = await run_in_threadpool(rt.runner.get, job_uuid)
    if job is None:
        return PlainTextResponse(f"job[{job_uuid}] is unknown or expired", status_code=404)
    if job.state == "Running":
        host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
        return json_response(location_body(host, job_uuid), 202)
    status = 200 if job.state == "Succeeded" else 503
    body = job.result
    spec = _spec_named(job.api_name)
    if status == 200 and spec is not None and spec.reveal is not None:
        body = await run_in_threadpool(_reveal, rt, spec, job)
    return Response(body, status_code=status, media_type="application/json; charset=utf-8")


def _spec_named(name: str) -> ApiSpec | None:
    try:
        return spec_of(name)
    except KeyError:
        return None


def _reveal(rt, spec: ApiSpec, job) -> bytes:
    with rt.database.read() as s:
        return dumps(spec.reveal(s, rt.settings, parse_result(job)), rt.settings.timezone)


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
