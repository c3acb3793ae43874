"""Domain errors, one class per ZStack error code. server/exceptions.py maps them to HTTP."""

from __future__ import annotations

import re
from typing import Any

_CREDENTIALS = re.compile(r"([\w.%+-]+):[^\s/]*@")  # user:password@host


class ZStackError(Exception):
    code = "SYS.1000"
    default_description = "An internal error happened"

    def __init__(self, details: str = "", description: str | None = None, *, opaque: Any = None,
                 cause: "ZStackError | None" = None):
        super().__init__(details or description or self.default_description)
        self.details = details
        self.description = description or self.default_description
        self.opaque = opaque
        self.cause = cause

    def one_line(self, limit: int = 500) -> str:
        """`CODE description: details` on one line for a log, credentials in URLs masked."""
        text = f"{self.code} {self.description}" + (f": {self.details}" if self.details else "")
        text = _CREDENTIALS.sub(r"\1:***@", " ".join(text.split()))
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"code": self.code, "description": self.description, "details": self.details}
        if self.opaque is not None:
            out["opaque"] = self.opaque
        if self.cause is not None:
            out["cause"] = self.cause.to_dict()
        return out


class InternalError(ZStackError):
    code = "SYS.1000"
    default_description = "An internal error happened in the management server"


class TimeoutError_(ZStackError):
    code = "SYS.1001"
    default_description = "Operation timeout"


class ResourceNotFound(ZStackError):
    code = "SYS.1003"
    default_description = "Resource not found"


class OperationError(ZStackError):
    code = "SYS.1006"
    default_description = "Operation failure"


class InvalidArgument(ZStackError):
    code = "SYS.1007"
    default_description = "One or more API argument is invalid"


class AuthenticationFailed(ZStackError):
    code = "ID.1000"
    default_description = "Authentication failed"


class InvalidSession(ZStackError):
    code = "ID.1001"
    default_description = "Session expired or invalid"


class PermissionDenied(ZStackError):
    code = "ID.1002"
    default_description = "Permission denied"


def not_found(field: str, uuid: object) -> InvalidArgument:
    """ZStack's answer for an unknown (or invisible) uuid named in a parameter."""
    return InvalidArgument(f"invalid field[{field}], resource[uuid:{uuid}] not found")


class BadRequest(Exception):
    """A malformed request: answered 400 with a plain-text body (never reaches services)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


ERRORS_BY_CODE = {cls.code: cls for cls in (InternalError, TimeoutError_, ResourceNotFound, OperationError,
                                             InvalidArgument, AuthenticationFailed, InvalidSession,
                                             PermissionDenied)}
