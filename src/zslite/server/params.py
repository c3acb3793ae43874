"""Request → params model: body forms, query strings, path parameters; every bad field in one SYS.1007."""

from __future__ import annotations

import typing

import orjson
from pydantic import ValidationError
from starlette.datastructures import QueryParams as StarletteQuery

from zslite.apispec.spec import ApiSpec
from zslite.errors import BadRequest, InvalidArgument

MAX_BODY = 4 * 1024 * 1024


def parse_json_body(raw: bytes) -> dict:
    if len(raw) > MAX_BODY:
        raise BadRequest(f"the request body is larger than {MAX_BODY} bytes")
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"malformed JSON body: {exc}") from None
    if not isinstance(body, dict):
        raise BadRequest("the JSON body must be an object")
    return body


def _is_list(annotation) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return any(_is_list(a) for a in typing.get_args(annotation))
    return origin is list


def from_query(spec: ApiSpec, query: StarletteQuery) -> dict:
    data: dict = {}
    for name, info in spec.params.model_fields.items():
        if name not in query:
            continue
        if _is_list(info.annotation):
            values = query.getlist(name)
            if (info.json_schema_extra or {}).get("split"):
                values = [v for item in values for v in item.split(",") if v != ""]
            data[name] = values
        else:
            data[name] = query[name]
    return data


def from_body(spec: ApiSpec, body: dict) -> dict:
    """ZStack bodies: {"params": {...}} or {"<action>": {...}}; systemTags/userTags may sit beside it."""
    key = spec.body_key
    inner = body.get(key, {}) if key else body
    if inner is None:
        inner = {}
    if not isinstance(inner, dict):
        raise BadRequest(f"[{key}] in the body must be a JSON object")
    data = dict(inner)
    for tag_key in ("systemTags", "userTags"):
        if tag_key in body and tag_key not in data:
            data[tag_key] = body[tag_key]
    return data


def _describe(err: dict) -> str:
    loc = ".".join(str(x) for x in err["loc"]) or "body"
    if err["type"] == "missing":
        return f"field[{loc}] is required"
    value = err.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"field[{loc}]: {err['msg']} (got {shown})"


def _nul_fields(value, loc: str, out: list[str]) -> list[str]:
    """Fields whose text holds a NUL character (no database stores one in a text column)."""
    if isinstance(value, str):
        if "\x00" in value:
            out.append(loc)
    elif isinstance(value, dict):
        for k, v in value.items():
            _nul_fields(v, f"{loc}.{k}" if loc else str(k), out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _nul_fields(v, f"{loc}.{i}", out)
    return out


def validate(spec: ApiSpec, data: dict, strict: bool):
    problems = [f"field[{loc}]: NUL characters are not allowed" for loc in _nul_fields(data, "", [])]
    try:
        params = spec.params.model_validate(data, strict=strict)
    except ValidationError as exc:
        problems += [_describe(e) for e in exc.errors(include_url=False)]
    if problems:
        raise InvalidArgument(f"invalid parameters of {spec.name}: {'; '.join(problems)}") from None
    return params
