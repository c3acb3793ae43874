"""ApiSpec: one ZStack API, declared once. Routes, validation, OpenAPI, SDK and CLI come from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from zslite.apispec.params import Params

Method = Literal["GET", "POST", "PUT", "DELETE"]


@dataclass(frozen=True)
class ApiSpec:
    name: str                       # ZStack API name without "API" prefix/"Msg" suffix, e.g. "CreateZone"
    method: Method
    paths: tuple[str, ...]          # under /zstack/v1; the first is canonical
    params: type[Params]            # pydantic model of the parameters (camelCase field names)
    handler: Callable[..., Any]     # services function f(ctx, params) -> Inv | list | dict | None
    body_key: str | None = None     # "params", "<lowerCamelAction>", or None (GET / DELETE: query string)
    is_async: bool = False
    auth: Literal["session", "none"] = "session"
    role: Literal["any", "admin"] = "any"
    query: str | None = None        # name of the query resource for Query* APIs
    result: Literal["inventory", "inventories", "empty", "custom"] = "inventory"
    summary: str = ""
    tags: tuple[str, ...] = field(default=())
    # async APIs whose result holds a Secret: (db session, settings, stored body) -> body with the
    # secret put back, when the job result is read (stored results never hold secrets)
    reveal: Callable[[Any, Any, dict], dict] | None = None
    # a synchronous non-GET API that only reads (GetVersion): served in a read transaction
    writes: bool = True

    @property
    def read_only(self) -> bool:
        return self.method == "GET" or not self.writes

    @property
    def path(self) -> str:
        return self.paths[0]

    @property
    def path_params(self) -> tuple[str, ...]:
        import re
        out: list[str] = []
        for p in self.paths:
            for name in re.findall(r"{(\w+)}", p):
                if name not in out:
                    out.append(name)
        return tuple(out)


def query_api(name: str, paths: tuple[str, ...], resource: str, summary: str = "", role: str = "any") -> ApiSpec:
    """A Query* API: GET /<resources> and GET /<resources>/{uuid}, over a registered QueryResource."""
    from zslite.apispec.params import QueryParams
    from zslite.query.run import run_query

    def handler(ctx, p):
        return run_query(ctx, resource, p)

    handler.__name__ = f"query_{resource}"
    return ApiSpec(name, "GET", paths, QueryParams, handler, query=resource, result="inventories", role=role,
                   summary=summary or f"Query {resource} inventories")
