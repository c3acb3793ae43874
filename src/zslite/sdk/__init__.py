"""zslite's Python SDK.

Two faces over one core (sdk.core): ZStack-style Actions, one class per registry API, generated
when first asked for (`from zslite.sdk import configure, GetImageCandidatesForVmToChangeAction`),
and the Pythonic `Client` / `AsyncClient` (also exported as `zslite.Client`).
"""

from __future__ import annotations

from typing import Any

from zslite.sdk import errors
from zslite.sdk.actions import AbstractAction, ApiResult, ErrorCode, action_classes, configure
from zslite.sdk.client import AsyncClient, AsyncJob, Client, Job
from zslite.sdk.errors import *  # noqa: F403  (the exception classes, listed in errors.__all__)

_STATIC = ["AbstractAction", "ApiResult", "AsyncClient", "AsyncJob", "Client", "ErrorCode", "Job", "action_classes",
           "configure", "errors", *errors.__all__]


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return [*_STATIC, *sorted(action_classes())]
    if name.endswith("Action"):
        classes = action_classes()
        if name in classes:
            return classes[name]
    raise AttributeError(f"module 'zslite.sdk' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(action_classes()))
