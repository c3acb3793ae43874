"""Instance offerings: named CPU and memory sizes for VMs, readable by every account."""

from __future__ import annotations

from zslite.db.models import InstanceOffering
from zslite.policy.visibility import public_filter
from zslite.errors import OperationError
from zslite.services.common import (add_owner, add_tags, ensure_new_uuid, flush_or_conflict, forget_resource,
                                    get_visible, set_state)
from zslite.context import Ctx
from zslite.wire import inventories as inv

RESOURCE_TYPE = "InstanceOfferingVO"


def load(db, rows) -> list:
    return [inv.instance_offering(o) for o in rows]


def create_instance_offering(ctx: Ctx, p):
    now = ctx.now()
    offering = InstanceOffering(uuid=p.resourceUuid or ctx.new_uuid(), name=p.name, description=p.description,
                                cpu_num=p.cpuNum, cpu_speed=p.cpuSpeed, memory_size=p.memorySize,
                                allocator_strategy=p.allocatorStrategy, sort_key=p.sortKey, state="Enabled",
                                type=p.type, create_date=now, last_op_date=now)
    ensure_new_uuid(ctx, InstanceOffering, offering.uuid)
    ctx.db.add(offering)
    add_owner(ctx, offering.uuid, RESOURCE_TYPE)
    add_tags(ctx, offering.uuid, RESOURCE_TYPE, p.systemTags, p.userTags)
    flush_or_conflict(ctx, OperationError(f"a resource with uuid[{offering.uuid}] already exists"))
    return inv.instance_offering(offering)


def update_instance_offering(ctx: Ctx, p):
    offering = get_visible(ctx, InstanceOffering, p.uuid, "uuid", public_filter)
    if p.name is not None:
        offering.name = p.name
    if p.description is not None:
        offering.description = p.description
    if p.allocatorStrategy is not None:
        offering.allocator_strategy = p.allocatorStrategy
    if p.sortKey is not None:
        offering.sort_key = p.sortKey
    offering.last_op_date = ctx.now()
    ctx.db.flush()
    return inv.instance_offering(offering)


def change_instance_offering_state(ctx: Ctx, p):
    offering = get_visible(ctx, InstanceOffering, p.uuid, "uuid", public_filter)
    set_state(ctx, InstanceOffering, offering, "instanceOffering", p.stateEvent)
    return inv.instance_offering(offering)


def delete_instance_offering(ctx: Ctx, p):
    """VMs made from the offering keep their sizes (a VM copies cpuNum and memorySize), as in ZStack."""
    offering = ctx.db.get(InstanceOffering, p.uuid)
    if offering is None:
        return {}  # ZStack: deleting what is not there succeeds
    forget_resource(ctx, offering.uuid)
    ctx.db.delete(offering)
    return {}
