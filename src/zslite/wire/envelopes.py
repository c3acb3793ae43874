"""Response bodies of ZStack REST v1 and their serialization (orjson; dates in ZStack's format)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from zslite.errors import ZStackError
from zslite.wire.dates import format_date
from zslite.wire.schema import Inv, schema_of


class Secret(str):
    """A value shown once, in the reply that creates it, and never stored: stored job results keep a
    redacted copy (see redact), and the API's reveal hook puts it back for the first reader only."""


def redact(body: Any) -> Any:
    """A copy of body without its Secret values (inventory classes kept, for the schema map)."""
    if isinstance(body, dict):
        out = {k: redact(v) for k, v in body.items() if not isinstance(v, Secret)}
        return Inv(body.zclass, out) if isinstance(body, Inv) else out
    if isinstance(body, list):
        return [redact(v) for v in body]
    return body


def error_body(err: ZStackError) -> dict:
    return {"error": err.to_dict()}


def location_body(host: str, job_uuid: str) -> dict:
    # always /zstack/v1 whichever prefix the request used: the Java SDK expects it
    return {"location": f"http://{host}/zstack/v1/api-jobs/{job_uuid}"}


def dumps(body: Any, tz: str = "UTC") -> bytes:
    def default(value):
        if isinstance(value, datetime):
            return format_date(value, tz)
        if isinstance(value, (set, frozenset, tuple)):
            return list(value)
        raise TypeError(f"not serializable: {type(value).__name__}")

    return orjson.dumps(body, default=default, option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS)


def wrap(result) -> dict:
    """A service's result as a reply body: one inventory, a list of them, or the dict it returned."""
    if result is None:
        return {}
    if isinstance(result, Inv):
        return {"inventory": result}
    if isinstance(result, list):
        return {"inventories": result}
    return result


def render(result, with_schema: bool, tz: str, *, redacted: bool = False) -> bytes:
    """The reply's bytes; redacted leaves Secret values out; with_schema adds the Java SDK's class map."""
    body = wrap(result)
    if redacted:
        body = redact(body)
    if with_schema:
        body = {**body, "schema": schema_of(body)}
    return dumps(body, tz)
