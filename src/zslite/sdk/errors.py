"""SDK exceptions, one class per ZStack error code, mapped in one place (`error_from`).

`ZStackApiError` is the base: `code`, `description`, `details`, `http_status`, `cause`. The `sdk.*`
codes are the client's own, as in ZStack's Python SDK: `sdk.1000` an HTTP or connection failure,
`sdk.1001` a job that did not finish before the polling timeout.
"""

from __future__ import annotations

from typing import Any

HTTP_ERROR = "sdk.1000"
POLLING_TIMEOUT_ERROR = "sdk.1001"
INTERNAL_ERROR = "sdk.1002"


class ZStackApiError(Exception):
    code = "SYS.1000"

    def __init__(self, description: str = "", details: str = "", *, code: str | None = None,
                 http_status: int | None = None, cause: ZStackApiError | None = None,
                 elaboration: Any = None, opaque: Any = None):
        self.code = code or type(self).code
        self.description = description or ""
        self.details = details or ""
        self.http_status = http_status
        self.cause = cause
        self.elaboration = elaboration
        self.opaque = opaque
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"[{self.code}] {self.description}"
        if self.details:
            text += f": {self.details}"
        return text

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"code": self.code, "description": self.description, "details": self.details}
        if self.http_status is not None:
            out["httpStatus"] = self.http_status
        if self.cause is not None:
            out["cause"] = self.cause.to_dict()
        return out


class InternalError(ZStackApiError):
    code = "SYS.1000"


class OperationTimeout(ZStackApiError):
    code = "SYS.1001"


class ResourceNotFound(ZStackApiError):
    code = "SYS.1003"


class OperationError(ZStackApiError):
    code = "SYS.1006"


class InvalidArgument(ZStackApiError, ValueError):
    code = "SYS.1007"


class AuthenticationFailed(ZStackApiError):
    code = "ID.1000"


class InvalidSession(ZStackApiError):
    code = "ID.1001"


class PermissionDenied(ZStackApiError):
    code = "ID.1002"


class SdkError(ZStackApiError):
    """A failure on the client side of the wire (codes sdk.*)."""

    code = INTERNAL_ERROR


class HttpError(SdkError):
    """The server answered an HTTP status that is not part of the API contract (400, 404, 5xx…)."""

    code = HTTP_ERROR


class ApiConnectionError(HttpError):
    """No answer at all: connection refused, DNS failure, timeout on the socket."""


class PollingTimeout(SdkError):
    code = POLLING_TIMEOUT_ERROR


class ParameterError(InvalidArgument):
    """Client-side parameter check failed (missing required, invalid value): nothing was sent."""


ERRORS_BY_CODE: dict[str, type[ZStackApiError]] = {
    cls.code: cls for cls in (InternalError, OperationTimeout, ResourceNotFound, OperationError, InvalidArgument,
                              AuthenticationFailed, InvalidSession, PermissionDenied, HttpError, PollingTimeout,
                              SdkError)
}


def error_from(error: dict | None, *, http_status: int | None = None) -> ZStackApiError:
    """A ZStack ErrorCode dict → the exception class of its code (base class for unknown codes)."""
    error = error or {}
    cause = error.get("cause")
    code = str(error.get("code") or "SYS.1000")
    cls = ERRORS_BY_CODE.get(code, ZStackApiError)
    return cls(str(error.get("description") or ""), str(error.get("details") or ""), code=code,
               http_status=http_status, cause=error_from(cause) if isinstance(cause, dict) else None,
               elaboration=error.get("elaboration"), opaque=error.get("opaque"))


__all__ = [
    "ApiConnectionError", "AuthenticationFailed", "ERRORS_BY_CODE", "HTTP_ERROR", "HttpError", "INTERNAL_ERROR",
    "InternalError", "InvalidArgument", "InvalidSession", "OperationError", "OperationTimeout", "POLLING_TIMEOUT_ERROR",
    "ParameterError", "PermissionDenied", "PollingTimeout", "ResourceNotFound", "SdkError", "ZStackApiError",
    "error_from",
]
