"""zslite: a ZStack-compatible management server for the VM image lifecycle.

`zslite.Client`, `zslite.AsyncClient` and the SDK's exceptions are imported on first use, so
`import zslite` stays cheap for the server and the CLI.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_SDK_ERRORS = ("ZStackApiError", "ApiConnectionError", "AuthenticationFailed", "HttpError", "InternalError",
               "InvalidArgument", "InvalidSession", "OperationError", "OperationTimeout", "ParameterError",
               "PermissionDenied", "PollingTimeout", "ResourceNotFound", "SdkError")

__all__ = ["__version__", "Client", "AsyncClient", *_SDK_ERRORS]


def __getattr__(name: str) -> Any:
    if name in ("Client", "AsyncClient"):
        from zslite.sdk import client
        return getattr(client, name)
    if name in _SDK_ERRORS:
        from zslite.sdk import errors
        return getattr(errors, name)
    raise AttributeError(f"module 'zslite' has no attribute {name!r}")
