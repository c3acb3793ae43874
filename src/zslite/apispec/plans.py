"""Fleet image change plans (SPEC §11), a zslite extension: new paths and inventories that ZStack's SDKs
never meet (inventory class org.zstack.zslite.plan.ImageChangePlanInventory)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, ValidationInfo, field_validator
from sqlalchemy import func, select

# the image and vmInstance query resources that plans' conditions and relations reach
from zslite.apispec import images as _images, vms as _vms  # noqa: F401
from zslite.apispec.params import CreateParams, Description, Name, Uuid, UuidParams
from zslite.apispec.spec import ApiSpec, query_api
from zslite.db.models import ImageChangePlan, ImageChangePlanVm
from zslite.errors import BadRequest, InvalidArgument
from zslite.query import resources
from zslite.query.compiler import apply_op, compile_condition
from zslite.query.parser import parse_condition
from zslite.query.resources import Computed, QueryResource, Relation, register
from zslite.rules.states import PLAN_VM_ACTIVE, PLAN_VM_TO_DO
from zslite.services import plans as svc

Condition = Annotated[str, StringConstraints(min_length=1, max_length=4096)]


def _checked_condition(text: str) -> str:
    """A Query API condition over VMs, parsed and compiled now: a bad one is refused before any job."""
    try:
        condition = parse_condition(text)
        res = resources.get("vmInstance")
        compile_condition(res, res.model, condition)
    except (BadRequest, InvalidArgument) as exc:
        raise ValueError(getattr(exc, "message", None) or exc.details) from None
    return text


class CreateImageChangePlanParams(CreateParams):
    imageUuid: Uuid
    vmInstanceUuids: list[Uuid] | None = Field(default=None, min_length=1, max_length=svc.MAX_LISTED_VMS)
    # validate_default: "neither vmInstanceUuids nor conditions" is named on this field
    conditions: list[Condition] | None = Field(default=None, min_length=1, max_length=64, validate_default=True)
    dryRun: bool = False
    maxConcurrency: int = Field(default=4, ge=1, le=64)
    stopRunningVms: bool = False
    maxFailures: int = Field(default=0, ge=0, le=svc.MAX_VMS)
    name: Name | None = None
    description: Description | None = None

    @field_validator("conditions")
    @classmethod
    def _one_selection(cls, value: list[str] | None, info: ValidationInfo):
        listed = info.data.get("vmInstanceUuids") is not None
        if value is None and not listed:
            raise ValueError("give either vmInstanceUuids or conditions (a list of Query API conditions over VMs)")
        if value is not None and listed:
            raise ValueError("give either vmInstanceUuids or conditions, not both")
        for text in value or ():
            _checked_condition(text)
        return value


class PlanActionParams(UuidParams):
    pass


class DeletePlanParams(UuidParams):
    pass


def _count(states: tuple[str, ...] | None) -> Computed:
    """A count of the plan's VMs (in these states) as a queryable integer field: failed>0, total>=100."""

    def build(alias, op, values):
        t = ImageChangePlanVm
        sub = select(func.count()).select_from(t).where(t.plan_uuid == alias.uuid)
        if states is not None:
            sub = sub.where(t.state.in_(states))
        return apply_op(sub.scalar_subquery(), op, values)

    return Computed(build, int, binds=True)


register(QueryResource(
    name="imageChangePlanVm", model=ImageChangePlanVm, resource_type="ImageChangePlanVmVO", load=svc.load_vm_rows,
    visibility=svc.vm_row_visibility,
    fields={"vmInstanceUuid": "vm_instance_uuid", "vmName": "vm_name", "oldImageUuid": "old_image_uuid",
            "state": "state", "newRootVolumeUuid": "new_root_volume_uuid", "startDate": "start_date",
            "endDate": "end_date"}))

register(QueryResource(
    name="imageChangePlan", model=ImageChangePlan, resource_type=svc.RESOURCE_TYPE, load=svc.load,
    visibility=svc.visibility,
    fields={"uuid": "uuid", "name": "name", "description": "description", "imageUuid": "image_uuid",
            "accountUuid": "account_uuid", "state": "state", "dryRun": "dry_run",
            "maxConcurrency": "max_concurrency", "stopRunningVms": "stop_running_vms", "maxFailures": "max_failures",
            "createDate": "create_date", "lastOpDate": "last_op_date",
            "total": _count(None), "pending": _count(PLAN_VM_TO_DO), "running": _count(PLAN_VM_ACTIVE),
            "succeeded": _count(("Succeeded",)), "failed": _count(("Failed",)), "refused": _count(("Refused",)),
            "skipped": _count(("Skipped",))},
    relations={"image": Relation("image", lambda plan, i: i.uuid == plan.image_uuid),
               "vms": Relation("imageChangePlanVm", lambda plan, v: v.plan_uuid == plan.uuid)},
    output_fields=("vms",)))

PATH = "/image-change-plans"
ACTIONS = PATH + "/{uuid}/actions"

APIS = [
    ApiSpec("CreateImageChangePlan", "POST", (PATH,), CreateImageChangePlanParams, svc.create_image_change_plan,
            body_key="params", is_async=True,
            summary="Change the image of every VM a list or Query conditions select, as one rolling, pausable plan "
                    "(dryRun: only check them); the job ends once the plan is checked, and it runs on"),
    query_api("QueryImageChangePlan", (PATH, PATH + "/{uuid}"), "imageChangePlan",
              "Query image change plans (a tenant's own; all for admin) with their VMs and counts"),
    ApiSpec("PauseImageChangePlan", "PUT", (ACTIONS,), PlanActionParams, svc.pause_image_change_plan,
            body_key="pauseImageChangePlan", is_async=True,
            summary="Pause a plan: the changes under way finish, no new one starts"),
    ApiSpec("ResumeImageChangePlan", "PUT", (ACTIONS,), PlanActionParams, svc.resume_image_change_plan,
            body_key="resumeImageChangePlan", is_async=True,
            summary="Resume a paused plan (or start a dry run's plan as it was checked)"),
    ApiSpec("CancelImageChangePlan", "PUT", (ACTIONS,), PlanActionParams, svc.cancel_image_change_plan,
            body_key="cancelImageChangePlan", is_async=True,
            summary="Cancel a plan: its pending VMs are skipped, the changes under way finish"),
    ApiSpec("DeleteImageChangePlan", "DELETE", (PATH + "/{uuid}",), DeletePlanParams, svc.delete_image_change_plan,
            is_async=True, result="empty", summary="Delete an ended plan (a Running or Paused one: cancel it first)"),
]
