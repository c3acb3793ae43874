"""The one core under every face of the SDK (Actions, Client, AsyncClient, CLI).

It is sans-IO: `call_flow` is a generator that yields `HttpRequest`s (and `Sleep`s) and receives
the responses, deciding retries, job polling and error mapping in one place. `run_sync` and
`run_async` drive it over an `httpx.Client` or `httpx.AsyncClient`, so sync and async share every
decision and differ only in how they wait.

Retries happen only for GET (reads and job polling), on connection failures and 429/502/504, with
capped exponential backoff and full jitter. Writes are never resent by the SDK: each carries an
`X-Job-UUID` (the action's `apiId`, or a fresh one), which makes a caller's own resubmit safe.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import random
import re
import time
import typing
import uuid as uuidlib
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import ValidationError

from zslite.apispec.spec import ApiSpec
from zslite.sdk.errors import (ApiConnectionError, HttpError, ParameterError, PollingTimeout, ZStackApiError,
                               error_from)

RETRY_STATUSES = frozenset({429, 502, 504})
TAG_FIELDS = ("systemTags", "userTags")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# ---- configuration ------------------------------------------------------------------------------

@dataclass
class Endpoint:
    """Where the API lives: base URL (scheme://host:port) and context path ("/zstack" or "")."""

    base_url: str = "http://127.0.0.1:8080"
    context_path: str = "/zstack"

    @property
    def api_root(self) -> str:
        ctx = "/" + self.context_path.strip("/") if self.context_path.strip("/") else ""
        return self.base_url.rstrip("/") + ctx + "/v1"


@dataclass
class Credentials:
    session_id: str | None = None
    access_key_id: str | None = None
    access_key_secret: str | None = None

    @property
    def has_access_key(self) -> bool:
        return bool(self.access_key_id and self.access_key_secret)


@dataclass
class Options:
    polling_timeout: float = 3 * 3600.0   # seconds, as ZStack's Python SDK
    polling_interval: float = 1.0
    max_retries: int = 3
    backoff_base: float = 0.1
    backoff_cap: float = 5.0
    web_hook: str | None = None
    json_schema: bool = False            # ask for the "schema" map (typed results)


# ---- what the flow yields ---------------------------------------------------------------------

@dataclass
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: list[tuple[str, str]] | None = None
    json: Any = None


@dataclass
class Sleep:
    seconds: float


@dataclass
class Outcome:
    """What one API call came to: a body (200), a pending job (202, not waited for) or an error."""

    body: dict | None = None
    error: ZStackApiError | None = None
    location: str | None = None
    status: int | None = None

    @property
    def job_uuid(self) -> str | None:
        return self.location.rstrip("/").rsplit("/", 1)[-1] if self.location else None


# ---- parameters -------------------------------------------------------------------------------

def _describe(err: dict) -> str:
    loc = ".".join(str(x) for x in err["loc"]) or "parameters"
    if err["type"] == "missing":
        return f"missing a mandatory parameter[{loc}]"
    value = err.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return f"parameter[{loc}]: {err['msg']} (got {shown})"


def check_params(spec: ApiSpec, params: dict[str, Any]) -> dict[str, Any]:
    """Validate against the API's pydantic model before anything is sent; return wire-ready values.

    Every problem (unknown name, missing required, wrong type, value outside a Literal) is named in
    one ParameterError, as the server names every bad field in one SYS.1007.
    """
    fields = spec.params.model_fields
    given = {k: v for k, v in params.items() if v is not None}
    problems = [f"unknown parameter[{k}]" for k in given if k not in fields]
    model = None
    try:
        model = spec.params.model_validate({k: v for k, v in given.items() if k in fields})
    except ValidationError as exc:
        problems += [_describe(e) for e in exc.errors(include_url=False)]
    if problems:
        raise ParameterError(f"invalid parameters of {spec.name}", "; ".join(problems))
    assert model is not None
    return model.model_dump(mode="json", include=set(given) & set(fields))


def valid_values(annotation) -> tuple | None:
    """The Literal values a field accepts (None when it is not an enumeration)."""
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    for arg in typing.get_args(annotation):
        found = valid_values(arg)
        if found:
            return found
    return None


def is_list(annotation) -> bool:
    if typing.get_origin(annotation) is list:
        return True
    return any(is_list(a) for a in typing.get_args(annotation) if a is not type(None))


# ---- requests ---------------------------------------------------------------------------------

def http_date(now: datetime | None = None) -> str:
    """'EEE, dd MMM yyyy HH:mm:ss Etc/UTC', locale-independent, in the Java SDK's shape: the UTC time, so
    that it holds against a server whose ZSLITE_TIMEZONE is UTC (the default) wherever the client runs,
    and against any server with ZSLITE_CHECK_TIME_ZONE=true (the label is then read)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return (f"{_DAYS[now.weekday()]}, {now.day:02d} {_MONTHS[now.month - 1]} {now.year} "
            f"{now:%H:%M:%S} Etc/UTC")


def sign(secret: str, method: str, date: str, path: str) -> str:
    """base64(HMAC-SHA1(secret, METHOD\\nDate\\n/v1<path>)) — SPEC §2."""
    mac = hmac.new(secret.encode(), f"{method}\n{date}\n/v1{path}".encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def build_request(spec: ApiSpec, data: dict[str, Any], endpoint: Endpoint, creds: Credentials, options: Options,
                  *, api_id: str | None = None) -> HttpRequest:
    data = dict(data)
    path = spec.path
    if spec.query and data.get("uuid") and len(spec.paths) > 1:
        path = spec.paths[1]
    for name in re.findall(r"{(\w+)}", path):
        if data.get(name) in (None, ""):
            raise ParameterError(f"invalid parameters of {spec.name}", f"missing a mandatory parameter[{name}]")
        path = path.replace("{" + name + "}", str(data.pop(name)))
    headers = {"X-Job-UUID": api_id or uuidlib.uuid4().hex}
    if options.web_hook and spec.is_async:
        headers["X-Web-Hook"] = options.web_hook
    if options.json_schema:
        headers["X-JSON-Schema"] = "true"
    if spec.auth != "none":
        if creds.has_access_key:
            date = http_date()
            headers["Date"] = date
            headers["Authorization"] = (f"ZStack {creds.access_key_id}:"
                                        f"{sign(creds.access_key_secret, spec.method, date, path)}")
        elif creds.session_id:
            headers["Authorization"] = f"OAuth {creds.session_id}"
    request = HttpRequest(spec.method, endpoint.api_root + path, headers)
    if spec.body_key:
        request.json = {spec.body_key: data}
    else:
        params: list[tuple[str, str]] = []
        for key, value in data.items():
            for item in (value if isinstance(value, list) else [value]):
                params.append((key, _query_value(item)))
        request.params = params
    return request


# ---- the flow ---------------------------------------------------------------------------------

def backoff(attempt: int, options: Options) -> float:
    """Capped exponential backoff with full jitter."""
    return random.uniform(0, min(options.backoff_cap, options.backoff_base * (2 ** attempt)))


def _send(request: HttpRequest, retries: int, options: Options):
    attempt = 0
    while True:
        result = yield request
        retryable = isinstance(result, Exception) or result.status_code in RETRY_STATUSES
        if retryable and attempt < retries:
            yield Sleep(backoff(attempt, options))
            attempt += 1
            continue
        if isinstance(result, Exception):
            return ApiConnectionError(f"cannot reach {request.url}", f"{type(result).__name__}: {result}")
        return result


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def interpret(response: httpx.Response) -> Outcome:
    status = response.status_code
    body = _json(response) if response.content else {}
    if status == 200 and isinstance(body, dict):
        return Outcome(body=body, status=200)
    if status == 202 and isinstance(body, dict) and body.get("location"):
        return Outcome(location=body["location"], status=202)
    if status == 503 and isinstance(body, dict) and isinstance(body.get("error"), dict):
        return Outcome(error=error_from(body["error"], http_status=503), status=503)
    return Outcome(error=HttpError(f"the http status code[{status}] indicates a failure happened",
                                   response.text, http_status=status), status=status)


def poll_flow(location: str, options: Options, headers: dict[str, str] | None = None,
              timeout: float | None = None) -> Generator[Any, Any, Outcome]:
    """GET the job location until it is no longer 202, or the polling timeout passes (sdk.1001)."""
    timeout = options.polling_timeout if timeout is None else timeout
    deadline = time.monotonic() + timeout
    request = HttpRequest("GET", location, dict(headers or {}))
    while True:
        response = yield from _send(request, options.max_retries, options)
        if isinstance(response, ZStackApiError):
            return Outcome(error=response, location=location)
        outcome = interpret(response)
        if outcome.status != 202:
            outcome.location = location
            return outcome
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Outcome(error=PollingTimeout(f"the job[{location}] did not finish within {timeout} seconds",
                                                "the job keeps running on the server; poll its location later"),
                           location=location)
        yield Sleep(min(options.polling_interval, remaining))


def call_flow(request: HttpRequest, options: Options, *, wait: bool = True,
              timeout: float | None = None) -> Generator[Any, Any, Outcome]:
    """Send one API request; for a 202, poll the job to its end unless wait is False."""
    retries = options.max_retries if request.method == "GET" else 0
    response = yield from _send(request, retries, options)
    if isinstance(response, ZStackApiError):
        return Outcome(error=response)
    outcome = interpret(response)
    if outcome.location and wait:
        poll_headers = {k: v for k, v in request.headers.items() if k == "Authorization" and v.startswith("OAuth")}
        return (yield from poll_flow(outcome.location, options, poll_headers, timeout))
    return outcome


# ---- drivers ----------------------------------------------------------------------------------

def run_sync(http: httpx.Client, flow: Generator[Any, Any, Outcome]) -> Outcome:
    value: Any = None
    while True:
        try:
            step = flow.send(value)
        except StopIteration as stop:
            return stop.value
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            value = None
            continue
        try:
            value = http.request(step.method, step.url, params=step.params, json=step.json, headers=step.headers)
        except httpx.HTTPError as exc:
            value = exc
        except OSError as exc:  # transports that surface raw socket errors
            value = exc


async def run_async(http: httpx.AsyncClient, flow: Generator[Any, Any, Outcome]) -> Outcome:
    value: Any = None
    while True:
        try:
            step = flow.send(value)
        except StopIteration as stop:
            return stop.value
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            value = None
            continue
        try:
            value = await http.request(step.method, step.url, params=step.params, json=step.json,
                                       headers=step.headers)
        except (httpx.HTTPError, OSError) as exc:
            value = exc


# ---- ZStack-style result objects --------------------------------------------------------------

class Obj:
    """A JSON object with attribute access, as ZStack's Python SDK returns (res.value.inventories[0].name)."""

    def __init__(self, data: dict):
        self.__dict__["_data"] = data
        for key, value in data.items():
            self.__dict__[key] = wrap(value)

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def get(self, key: str, default: Any = None) -> Any:
        return self.__dict__.get(key, default) if key in self._data else default

    def to_dict(self) -> dict:
        return self._data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Obj) and other._data == self._data

    def __repr__(self) -> str:
        return f"Obj({self._data!r})"


def wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return Obj(value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value
