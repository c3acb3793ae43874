"""GetTaskProgress: what the server knows of a job, by its api id (= job uuid)."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from zslite.apispec.params import Params
from zslite.apispec.spec import ApiSpec
from zslite.services import tasks as svc


class GetTaskProgressParams(Params):
    apiId: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    all: bool = False


APIS = [
    ApiSpec("GetTaskProgress", "GET", ("/task-progresses/{apiId}",), GetTaskProgressParams, svc.get_task_progress,
            result="inventories", summary="The progress of an asynchronous API call"),
]
