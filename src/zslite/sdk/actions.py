"""ZStack-style Action classes, generated from the registry: one `<Name>Action` per ApiSpec.

    from zslite.sdk import configure, GetImageCandidatesForVmToChangeAction
    configure(hostname="localhost", port=8080, context_path="/zstack")
    action = GetImageCandidatesForVmToChangeAction()
    action.vmInstanceUuid = "54f0aebe7a2536978aafb9eb7a95003e"
    action.sessionId = "b86c9016b4f24953a9edefb53ca0678c"
    res = action.call()          # res.value.inventories / res.error.code

An Action is a thin layer over sdk.core (the same request building, checks, polling and error
mapping as zslite.Client); nothing here is written per API.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from zslite.apispec import all_apis
from zslite.apispec.spec import ApiSpec
from zslite.sdk import core
from zslite.sdk.errors import INTERNAL_ERROR, SdkError, ZStackApiError, error_from

# ---- configure() ------------------------------------------------------------------------------


@dataclass
class _Config:
    endpoint: core.Endpoint
    options: core.Options
    read_timeout: float
    write_timeout: float
    http_client: httpx.Client | None = None
    owned: bool = False


_config: _Config | None = None
_lock = threading.Lock()


def configure(hostname: str = "127.0.0.1", port: int = 8080, polling_timeout: float = 3600 * 3,
              polling_interval: float = 1, read_timeout: float = 15, write_timeout: float = 15,
              web_hook: str | None = None, context_path: str = "/zstack", *, scheme: str = "http",
              max_retries: int = 3, http_client: httpx.Client | None = None,
              transport: httpx.BaseTransport | None = None) -> None:
    """Where Actions send their calls (ZStack Python SDK's configure(), plus injectable HTTP).

    `http_client` (any httpx.Client, e.g. Starlette's TestClient) or `transport` replace the network.
    """
    global _config
    with _lock:
        if _config and _config.owned and _config.http_client is not None:
            _config.http_client.close()
        base = f"{scheme}://{hostname}:{port}" if port else f"{scheme}://{hostname}"
        owned = http_client is None
        if http_client is None:
            http_client = httpx.Client(transport=transport, timeout=httpx.Timeout(
                read_timeout, connect=write_timeout, write=write_timeout, pool=write_timeout))
        _config = _Config(core.Endpoint(base, context_path),
                          core.Options(polling_timeout=polling_timeout, polling_interval=polling_interval,
                                       max_retries=max_retries, web_hook=web_hook),
                          read_timeout, write_timeout, http_client, owned)


def _current() -> _Config:
    if _config is None:
        raise SdkError("call configure() before using any APIs", code=INTERNAL_ERROR)
    return _config


# ---- results ----------------------------------------------------------------------------------


class ErrorCode:
    """ZStack's ErrorCode: code, description, details, elaboration, opaque, cause (+ httpStatus)."""

    def __init__(self, exc: ZStackApiError):
        self.code = exc.code
        self.description = exc.description
        self.details = exc.details
        self.elaboration = exc.elaboration
        self.opaque = exc.opaque
        self.cause = ErrorCode(exc.cause) if exc.cause else None
        self.httpStatus = exc.http_status
        self._exc = exc

    def to_exception(self) -> ZStackApiError:
        return self._exc

    def __repr__(self) -> str:
        return f"ErrorCode(code={self.code!r}, description={self.description!r}, details={self.details!r})"


class ApiResult:
    """What action.call() returns: `value` on success (attribute access), `error` on failure."""

    def __init__(self, value: core.Obj | None = None, error: ErrorCode | None = None, job_uuid: str | None = None):
        self.value = value
        self.error = error
        self.jobUuid = job_uuid

    def throw_exception_if_error(self) -> ApiResult:
        if self.error is not None:
            raise self.error.to_exception()
        return self

    throwExceptionIfError = throw_exception_if_error  # the Java SDK's spelling

    def __repr__(self) -> str:
        return f"{type(self).__name__}(value={self.value!r}, error={self.error!r})"


# ---- actions ----------------------------------------------------------------------------------

_COMMON = ("sessionId", "accessKeyId", "accessKeySecret", "apiId", "requestIp", "timeout", "pollingInterval")


class AbstractAction:
    """Base of every generated action. Parameters are plain attributes named as in the API."""

    _spec: ApiSpec
    PARAMS: dict[str, dict[str, Any]] = {}
    Result = ApiResult

    def __init__(self, **params: Any):
        for name in self.PARAMS:
            object.__setattr__(self, name, None)
        for name in _COMMON:
            object.__setattr__(self, name, None)
        for name, value in params.items():
            setattr(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self.PARAMS and name not in _COMMON and not name.startswith("_"):
            close = difflib.get_close_matches(name, [*self.PARAMS, *_COMMON], n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise AttributeError(f"{type(self).__name__} has no parameter {name!r}{hint}")
        object.__setattr__(self, name, value)

    # -- the call --

    def _params(self) -> dict[str, Any]:
        params = {name: getattr(self, name) for name in self.PARAMS
                  if name != "conditions" and getattr(self, name) is not None}
        if self._spec.query and self.conditions:  # ZStack SDKs' name for the q= conditions
            params["q"] = [*(params.get("q") or []), *self.conditions]
        return params

    def _credentials(self) -> core.Credentials:
        return core.Credentials(self.sessionId, self.accessKeyId, self.accessKeySecret)

    def _run(self) -> ApiResult:
        cfg = _current()
        spec = self._spec
        data = core.check_params(spec, self._params())
        creds = self._credentials()
        if spec.auth != "none" and not creds.session_id and not creds.has_access_key:
            raise SdkError(f"{spec.name} needs sessionId or accessKeyId and accessKeySecret",
                           code=INTERNAL_ERROR)
        options = cfg.options
        if self.pollingInterval is not None:
            options = core.Options(**{**options.__dict__, "polling_interval": float(self.pollingInterval)})
        request = core.build_request(spec, data, cfg.endpoint, creds, options, api_id=self.apiId)
        if self.requestIp:
            request.headers["X-Request-Ip"] = str(self.requestIp)
        if self.timeout is not None:
            request.headers["X-API-Timeout"] = str(int(float(self.timeout) * 1000))
        outcome = core.run_sync(cfg.http_client, core.call_flow(
            request, options, timeout=None if self.timeout is None else float(self.timeout)))
        return self._result(outcome)

    def _result(self, outcome: core.Outcome) -> ApiResult:
        if outcome.error is not None:
            return self.Result(error=ErrorCode(outcome.error), job_uuid=outcome.job_uuid)
        return self.Result(value=core.Obj(outcome.body or {}), job_uuid=outcome.job_uuid)

    def call(self, cb: Callable[[ApiResult], Any] | None = None):
        """Run the API (an async one is polled to its end). With a callback, run in the background
        and hand the result to cb; the started thread is returned (join() it if you must wait)."""
        if cb is None:
            return self._run()
        # check parameters now, so a wrong call fails at the call site, not in the thread
        core.check_params(self._spec, self._params())

        def work():
            try:
                result = self._run()
            except ZStackApiError as exc:
                result = self.Result(error=ErrorCode(exc))
            except Exception as exc:  # the callback must hear about everything
                result = self.Result(error=ErrorCode(error_from(
                    {"code": INTERNAL_ERROR, "description": "the SDK failed", "details": repr(exc)})))
            cb(result)

        thread = threading.Thread(target=work, name=f"zslite-{self._spec.name}", daemon=True)
        thread.start()
        return thread

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._params()!r})"


def _param_info(spec: ApiSpec) -> dict[str, dict[str, Any]]:
    info: dict[str, dict[str, Any]] = {}
    for name, f in spec.params.model_fields.items():
        info[name] = {"required": f.is_required(), "valid_values": core.valid_values(f.annotation),
                      "list": core.is_list(f.annotation),
                      "location": "url" if name in spec.path_params else ("body" if spec.body_key else "query")}
    if spec.query:
        info["conditions"] = {"required": False, "valid_values": None, "list": True, "location": "query"}
    return info


def make_action(spec: ApiSpec) -> type[AbstractAction]:
    name = f"{spec.name}Action"
    result = type("Result", (ApiResult,), {"__qualname__": f"{name}.Result"})
    doc = (f"{spec.summary or spec.name}.\n\n{spec.method} /zstack/v1{spec.path}"
           f"{' (asynchronous: polled to its end)' if spec.is_async else ''}\n\nParameters: "
           + ", ".join(f"{p}{'' if i['required'] else '?'}" for p, i in _param_info(spec).items()))
    return type(name, (AbstractAction,), {"_spec": spec, "PARAMS": _param_info(spec), "Result": result,
                                          "__doc__": doc, "__module__": "zslite.sdk"})


_cache: dict[str, type[AbstractAction]] = {}


def action_classes() -> dict[str, type[AbstractAction]]:
    """Every registry API as an Action class, keyed by class name (built once per API)."""
    out: dict[str, type[AbstractAction]] = {}
    for spec in all_apis():
        key = f"{spec.name}Action"
        if key not in _cache or _cache[key]._spec is not spec:
            _cache[key] = make_action(spec)
        out[key] = _cache[key]
    return out
