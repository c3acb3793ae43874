"""Task progress of jobs. A job is one task: Queued, Running, then done (100%) or failed."""

from __future__ import annotations

from zslite.db.models import Job
from zslite.services import plans
from zslite.context import Ctx
from zslite.wire.schema import Inv


def get_task_progress(ctx: Ctx, p) -> list:
    job = ctx.db.get(Job, p.apiId)
    if job is None or (job.expires_at is not None and job.expires_at < ctx.now()):
        return []
    if not ctx.caller.is_admin and job.account_uuid != ctx.caller.account_uuid:
        return []  # another account's job does not exist for this caller
    progress = "0" if job.state in ("Queued", "Running") else "100"
    state, content = job.state, f"{job.api_name}: {job.state}"
    plan = plans.progress_of_job(ctx.db, job.uuid) if job.api_name == "CreateImageChangePlan" else None
    if plan is not None:  # the job ended once the plan was checked; the plan goes on (SPEC §11)
        state, done, total, percent = plan
        progress, content = str(percent), f"{job.api_name}: plan {state}, {done} of {total} VM(s) done"
    return [Inv("TaskProgress", {
        "taskUuid": job.uuid, "taskName": job.api_name, "apiId": job.uuid, "type": "Task",
        "content": content, "time": int(job.create_date.timestamp() * 1000),
        "opaque": {"state": state, "progress": progress}})]
