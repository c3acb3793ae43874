"""Fleet image change (SPEC §11): one ChangeVmImage per VM a selection names, as a durable, rolling,
pausable plan.

- CreateImageChangePlan resolves the VMs once, in a fixed order (name by code point, then uuid), and
  checks each with ChangeVmImage's own checks (services/candidates.py `checks`, over facts read for
  the whole fleet at once): a fixed number of statements whatever the number of VMs or images. The
  creating job ends there, with the plan as its result (Planned for a dry run, Running otherwise).
- A running plan is carried on by the plan driver of every node (jobs/plans.py), through the step
  functions at the end of this module: each commits together with the effect it records, so a node
  that dies mid-plan leaves nothing half done, and another node picks its VMs up.
- Pause, resume, cancel and delete are compare-and-set moves through the "imageChangePlan" table of
  rules/states.py, under the plan's row lock (which every claim and every VM's end also take).
"""

from __future__ import annotations

import logging
import uuid as uuidlib
from dataclasses import asdict

import orjson
from sqlalchemy import delete, func, insert, select, update

from zslite.context import Caller, Ctx
from zslite.db.models import (AccountResourceRef, BackupStorage, Host, Image, ImageBackupStorageRef, ImageChangePlan,
                              ImageChangePlanVm, VmInstance)
from zslite.errors import InternalError, InvalidArgument, OperationError, ZStackError, not_found
from zslite.policy.visibility import owned_filter
from zslite.query import resources
from zslite.query.compiler import compile_condition
from zslite.query.parser import parse_condition
from zslite.rules import candidates as rules
from zslite.rules.states import PLAN_VM_ACTIVE, next_state
from zslite.services.candidates import CheckFacts, candidate_reasons, checks
from zslite.services.common import add_owner, add_tags, ensure_new_uuid, forget_resource, grouped_by
from zslite.wire import inventories as inv

log = logging.getLogger("zslite.plans")

RESOURCE_TYPE = "ImageChangePlanVO"
MAX_VMS = 10_000          # VMs in one plan (a selection matching more is refused)
MAX_LISTED_VMS = 4096     # vmInstanceUuids given by hand
RUNNING, PAUSED, PLANNED = "Running", "Paused", "Planned"
PENDING, WILL_CHANGE, REFUSED = "Pending", "WillChange", "Refused"
STOPPING, CHANGING, STARTING = PLAN_VM_ACTIVE
SUCCEEDED, FAILED, SKIPPED, CANCELLED = "Succeeded", "Failed", "Skipped", "Cancelled"


# ---- visibility and inventories -----------------------------------------------------------------

def visibility(caller: Caller, model):
    """A tenant sees its own plans (never shared), admin all of them."""
    return None if caller.is_admin else model.account_uuid == caller.account_uuid


def vm_row_visibility(caller: Caller, model):
    if caller.is_admin:
        return None
    return model.plan_uuid.in_(select(ImageChangePlan.uuid).where(ImageChangePlan.account_uuid ==
                                                                  caller.account_uuid))


def load(db, rows) -> list:
    """Plans → inventories, every plan's VMs in ONE query."""
    vms = grouped_by(db, ImageChangePlanVm.plan_uuid, [p.uuid for p in rows],
                     order_by=(ImageChangePlanVm.plan_uuid, ImageChangePlanVm.seq))
    return [inv.image_change_plan(p, vms.get(p.uuid, ())) for p in rows]


def load_vm_rows(db, rows) -> list:
    return [inv.image_change_plan_vm(v) for v in rows]


def inventory_of(ctx: Ctx, plan: ImageChangePlan):
    return load(ctx.db, [plan])[0]


def visible_plan(ctx: Ctx, uuid: str, *, for_update: bool = False) -> ImageChangePlan | None:
    stmt = select(ImageChangePlan).where(ImageChangePlan.uuid == uuid)
    vis = visibility(ctx.caller, ImageChangePlan)
    if vis is not None:
        stmt = stmt.where(vis)
    if for_update:
        stmt = stmt.with_for_update()
    return ctx.db.scalar(stmt)


def caller_json(caller: Caller) -> str:
    fields = asdict(caller)
    fields.pop("session_uuid")  # a credential: the changes need the account, not the session
    return orjson.dumps(fields).decode()


def caller_of(plan: ImageChangePlan) -> Caller:
    return Caller(**orjson.loads(plan.caller))


def error_json(err: ZStackError) -> str:
    return orjson.dumps(err.to_dict()).decode()


# ---- CreateImageChangePlan ----------------------------------------------------------------------

class FleetFacts(CheckFacts):
    """What ChangeVmImage's checks read beyond each VM's scope, read once for the whole fleet: the VMs'
    owners (1 query, tenants only), their local-storage hosts (1), the clusters with a usable host (1),
    the image the caller may use (1) and its refs with their backup storages (1)."""

    def __init__(self, ctx: Ctx, scopes: dict[str, rules.VmScope], image_uuid: str):
        db, caller = ctx.db, ctx.caller
        self.owners: dict[str, str] = {}
        if not caller.is_admin:
            self.owners = dict(db.execute(select(AccountResourceRef.resource_uuid, AccountResourceRef.account_uuid)
                                          .where(AccountResourceRef.resource_uuid.in_(list(scopes)))).all())
        local = {sc.vm.last_host_uuid or (sc.root.host_uuid if sc.root else None)
                 for sc in scopes.values() if sc.ps is not None and sc.ps.type == "LocalStorage"} - {None}
        clusters = {sc.vm.cluster_uuid for sc in scopes.values()
                    if sc.ps is not None and sc.ps.type != "LocalStorage"} - {None}
        usable = (Host.state == "Enabled", Host.status == "Connected")
        self.hosts = set(db.scalars(select(Host.uuid).where(Host.uuid.in_(list(local)), *usable))) if local else set()
        self.clusters = (set(db.scalars(select(Host.cluster_uuid).distinct().where(Host.cluster_uuid.in_(
            list(clusters)), *usable))) if clusters else set())
        stmt = select(Image).where(Image.uuid == image_uuid)
        vis = owned_filter(caller, Image.uuid)
        self._image = db.scalar(stmt if vis is None else stmt.where(vis))
        self._refs: list = []
        if self._image is not None:
            self._refs = [tuple(r) for r in db.execute(
                select(ImageBackupStorageRef, BackupStorage)
                .join(BackupStorage, BackupStorage.uuid == ImageBackupStorageRef.backup_storage_uuid)
                .where(ImageBackupStorageRef.image_uuid == image_uuid).order_by(ImageBackupStorageRef.id))]

    def owner(self, vm_uuid):
        return self.owners.get(vm_uuid)

    def host_usable(self, host_uuid):
        return host_uuid in self.hosts

    def cluster_has_usable_host(self, cluster_uuid):
        return cluster_uuid in self.clusters

    def image(self, image_uuid):
        return None if self._image is None else (self._image, self._refs)


def _resolve(ctx: Ctx, p) -> list[tuple[str, str, str | None]]:
    """(uuid, name, image uuid) of the VMs the caller selects, in the plan's order: name by code point,
    then uuid. A uuid the caller may not see answers as an unknown one; no VM at all is SYS.1007."""
    cols = (VmInstance.uuid, VmInstance.name, VmInstance.image_uuid)
    order = (VmInstance.name, VmInstance.uuid)
    if p.vmInstanceUuids is not None:
        wanted = list(dict.fromkeys(p.vmInstanceUuids))
        stmt = select(*cols).where(VmInstance.uuid.in_(wanted))
        vis = owned_filter(ctx.caller, VmInstance.uuid)
        rows = ctx.db.execute((stmt if vis is None else stmt.where(vis)).order_by(*order)).all()
        found = {r[0] for r in rows}
        missing = next((u for u in wanted if u not in found), None)
        if missing is not None:
            raise not_found("vmInstanceUuids", missing)
        return [tuple(r) for r in rows]
    # the Query API's conditions over VMs (checked when the request came in), with the caller's visibility
    res = resources.get("vmInstance")
    stmt = select(*cols)
    vis = res.visibility(ctx.caller, VmInstance)
    if vis is not None:
        stmt = stmt.where(vis)
    for text in p.conditions:
        stmt = stmt.where(compile_condition(res, VmInstance, parse_condition(text), tz=ctx.settings.timezone,
                                            caller=ctx.caller))
    rows = ctx.db.execute(stmt.order_by(*order).limit(MAX_VMS + 1)).all()
    if not rows:
        raise InvalidArgument(f"invalid field[conditions]: no VM matches {list(p.conditions)}")
    if len(rows) > MAX_VMS:
        raise InvalidArgument(f"invalid field[conditions]: more than {MAX_VMS} VMs match {list(p.conditions)};"
                              " a plan takes at most that many (narrow the conditions, or make several plans)")
    return [tuple(r) for r in rows]


def verdict(ctx: Ctx, scope: rules.VmScope | None, vm_uuid: str, image_uuid: str, facts: FleetFacts,
            stop_running: bool) -> tuple[ZStackError | None, list[dict]]:
    """(the error ChangeVmImage would answer now, capacity aside; the explain reasons if the image is not a
    candidate for this VM). Both empty: the VM will change."""
    if scope is None:  # gone since it was selected
        return not_found("vmInstanceUuid", vm_uuid), []
    try:
        checks(ctx.caller, scope, image_uuid, facts, running_ok=stop_running)
        error = None
    except ZStackError as err:
        error = err
    image, refs = facts.image(image_uuid)
    return error, candidate_reasons(scope, image, refs)


def create_image_change_plan(ctx: Ctx, p):
    uuid = p.resourceUuid or ctx.new_uuid()
    if p.resourceUuid:
        ensure_new_uuid(ctx, ImageChangePlan, uuid)
    picked = _resolve(ctx, p)
    scopes = rules.load_scopes(ctx.db, ctx.caller, [vm for vm, _, _ in picked])
    facts = FleetFacts(ctx, scopes, p.imageUuid)
    found = facts.image(p.imageUuid)
    if found is None:  # an image the caller may not use is an unknown one
        raise not_found("imageUuid", p.imageUuid)
    image = found[0]
    now = ctx.now()
    rows = []
    for seq, (vm_uuid, vm_name, old_image) in enumerate(picked):
        error, reasons = verdict(ctx, scopes.get(vm_uuid), vm_uuid, p.imageUuid, facts, p.stopRunningVms)
        state = REFUSED if error is not None else (WILL_CHANGE if p.dryRun else PENDING)
        rows.append({"plan_uuid": uuid, "seq": seq, "vm_instance_uuid": vm_uuid, "vm_name": vm_name,
                     "old_image_uuid": old_image, "state": state,
                     "reasons": orjson.dumps(reasons).decode() if reasons else None,
                     "error": error_json(error) if error is not None else None, "new_root_volume_uuid": None,
                     "stopped_by_plan": False, "node_uuid": None, "start_date": None,
                     "end_date": now if error is not None else None})
    if p.dryRun:
        state = PLANNED
    else:  # a real run with nothing to change has nothing left to do
        state = RUNNING if any(r["state"] == PENDING for r in rows) else SUCCEEDED
    plan = ImageChangePlan(uuid=uuid, name=p.name or f"change to {image.name}"[:255], description=p.description,
                           image_uuid=image.uuid, account_uuid=ctx.caller.account_uuid, caller=caller_json(ctx.caller),
                           api_id=ctx.api_id, state=state, dry_run=p.dryRun, max_concurrency=p.maxConcurrency,
                           stop_running_vms=p.stopRunningVms, max_failures=p.maxFailures, create_date=now,
                           last_op_date=now)
    ctx.db.add(plan)
    add_owner(ctx, uuid, RESOURCE_TYPE)
    add_tags(ctx, uuid, RESOURCE_TYPE, p.systemTags, p.userTags)
    ctx.db.flush()
    ctx.db.execute(insert(ImageChangePlanVm.__table__), rows)  # Core: ONE executemany, whatever the rows hold
    return inventory_of(ctx, plan)


# ---- pause, resume, cancel, delete ---------------------------------------------------------------

def _move(ctx: Ctx, p, event: str):
    plan = visible_plan(ctx, p.uuid, for_update=True)
    if plan is None:
        raise not_found("uuid", p.uuid)
    current = plan.state
    target = next_state("imageChangePlan", plan.uuid, current, event)
    now = ctx.now()
    if target != current:
        done = ctx.db.execute(update(ImageChangePlan).where(ImageChangePlan.uuid == plan.uuid,
                                                            ImageChangePlan.state == current)
                              .values(state=target, last_op_date=now).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            raise OperationError(f"image change plan[uuid:{plan.uuid}] changed state concurrently; try again")
        rows = ImageChangePlanVm.__table__
        if event == "cancel":  # what has not started never will; changes under way finish
            ctx.db.execute(rows.update().where(rows.c.plan_uuid == plan.uuid, rows.c.state.in_((PENDING, WILL_CHANGE)))
                           .values(state=SKIPPED, end_date=now))
        elif event == "resume" and current == PLANNED:  # a dry run started as planned
            ctx.db.execute(rows.update().where(rows.c.plan_uuid == plan.uuid, rows.c.state == WILL_CHANGE)
                           .values(state=PENDING))
        if target == RUNNING:
            settle(ctx.db, plan.uuid, now)  # nothing left to do: it ends at once
        ctx.db.refresh(plan)
    return inventory_of(ctx, plan)


def pause_image_change_plan(ctx: Ctx, p):
    return _move(ctx, p, "pause")


def resume_image_change_plan(ctx: Ctx, p):
    return _move(ctx, p, "resume")


def cancel_image_change_plan(ctx: Ctx, p):
    return _move(ctx, p, "cancel")


def active_vms(db, plan_uuid: str) -> int:
    """How many of a plan's VMs are out of service now (stopping, changing or starting again)."""
    t = ImageChangePlanVm
    return db.scalar(select(func.count()).select_from(t).where(t.plan_uuid == plan_uuid,
                                                               t.state.in_(PLAN_VM_ACTIVE))) or 0


def delete_image_change_plan(ctx: Ctx, p):
    """An ended plan goes with its VM rows. Unknown (or another tenant's): success, as ZStack deletes."""
    plan = visible_plan(ctx, p.uuid, for_update=True)
    if plan is None:
        return {}
    if plan.state in (RUNNING, PAUSED):
        raise OperationError(f"image change plan[uuid:{plan.uuid}] is {plan.state}; cancel it first")
    active = active_vms(ctx.db, plan.uuid)
    if active:
        raise OperationError(f"image change plan[uuid:{plan.uuid}] still has {active} VM change(s) under way;"
                             " delete it when they have ended")
    ctx.db.execute(delete(ImageChangePlanVm).where(ImageChangePlanVm.plan_uuid == plan.uuid))
    forget_resource(ctx, plan.uuid)
    ctx.db.delete(plan)
    return {}


# ---- progress (GetTaskProgress on the creating API id) -------------------------------------------

def progress_of_job(db, api_id: str) -> tuple[str, int, int, int] | None:
    """(plan state, VMs in a final state, total, percent) of the plan a job created, or None."""
    plan = db.scalar(select(ImageChangePlan).where(ImageChangePlan.api_id == api_id))
    if plan is None:
        return None
    counts = dict(db.execute(select(ImageChangePlanVm.state, func.count()).where(
        ImageChangePlanVm.plan_uuid == plan.uuid).group_by(ImageChangePlanVm.state)).all())
    total = sum(counts.values())
    final = sum(counts.get(s, 0) for s in (SUCCEEDED, FAILED, SKIPPED, REFUSED))
    if plan.state == PLANNED:  # a dry run has done all it will do
        final = total
    return plan.state, final, total, (100 * final // total) if total else 100


# ---- the steps of a running plan (driven by jobs/plans.py) -------------------------------------------

class Lost(Exception):
    """The VM row is no longer this node's: it was taken over after this node was declared dead."""


def interrupted() -> OperationError:
    return OperationError("the change was interrupted: the management node running it stopped",
                          description="interrupted")


def internal(exc: BaseException) -> InternalError:
    trace = uuidlib.uuid4().hex
    log.error("a plan step failed unexpectedly, trace id %s", trace, exc_info=exc)
    return InternalError(f"an internal error happened; trace id {trace}")


def runnable(db) -> list[str]:
    """Running plans with a VM waiting for a node, oldest first (a cheap read before claiming)."""
    waiting = select(ImageChangePlanVm.plan_uuid).where(ImageChangePlanVm.plan_uuid == ImageChangePlan.uuid,
                                                        ImageChangePlanVm.state == PENDING).exists()
    return list(db.scalars(select(ImageChangePlan.uuid).where(ImageChangePlan.state == RUNNING, waiting)
                           .order_by(ImageChangePlan.create_date, ImageChangePlan.uuid)))


def claim(db, plan_uuid: str, node_uuid: str, limit: int, now) -> list[int]:
    """Take up to `limit` Pending VMs of a Running plan for this node, never more than the plan's
    maxConcurrency out of service at once across all nodes: the plan's row lock serializes claimers
    (and every VM's end), so the count of VMs under way is exact."""
    plan = db.scalar(select(ImageChangePlan).where(ImageChangePlan.uuid == plan_uuid).with_for_update())
    if plan is None or plan.state != RUNNING:
        return []
    t = ImageChangePlanVm
    active = active_vms(db, plan_uuid)
    n = min(limit, plan.max_concurrency - active)
    if n <= 0:
        return []
    picked = db.execute(select(t.seq, t.vm_instance_uuid).where(t.plan_uuid == plan_uuid, t.state == PENDING)
                        .order_by(t.seq).limit(n)).all()
    if not picked:
        return []
    running = set()
    if plan.stop_running_vms:
        running = set(db.scalars(select(VmInstance.uuid).where(VmInstance.uuid.in_([vm for _, vm in picked]),
                                                               VmInstance.state == "Running")))
    out = []
    for seq, vm_uuid in picked:
        done = db.execute(update(t).where(t.plan_uuid == plan_uuid, t.seq == seq, t.state == PENDING).values(
            state=STOPPING if vm_uuid in running else CHANGING, node_uuid=node_uuid, start_date=now)
            .execution_options(synchronize_session=False))
        if done.rowcount == 1:
            out.append(seq)
    return out


def row_of(db, plan_uuid: str, seq: int) -> ImageChangePlanVm | None:
    return db.get(ImageChangePlanVm, (plan_uuid, seq))


def plan_of(db, plan_uuid: str) -> ImageChangePlan | None:
    return db.get(ImageChangePlan, plan_uuid)


def move_vm(db, row: ImageChangePlanVm, node_uuid: str, target: str, now, **values) -> None:
    """Compare-and-set of a claimed VM row: still in the state we read, still ours; else Lost (and the
    transaction, with whatever effect it holds, rolls back)."""
    t = ImageChangePlanVm
    if target in (SUCCEEDED, FAILED):
        values["end_date"] = now
    done = db.execute(update(t).where(t.plan_uuid == row.plan_uuid, t.seq == row.seq, t.state == row.state,
                                      t.node_uuid == node_uuid).values(state=target, **values)
                      .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Lost(f"plan[uuid:{row.plan_uuid}] vm #{row.seq} is no longer held by this node")
    if target in (SUCCEEDED, FAILED):
        settle(db, row.plan_uuid, now, failed=target == FAILED)


def settle(db, plan_uuid: str, now, *, failed: bool = False) -> str | None:
    """After a VM's end (or a resume): a plan with nothing left to do and nothing under way ends (Failed if
    a VM failed, else Succeeded); a Running plan with more failed VMs than maxFailures pauses. Under the
    plan's row lock, so that the last two VMs ending at once on two nodes cannot both miss the end.
    A Cancelled plan stays Cancelled. Returns the plan's new state, if it moved."""
    plan = db.scalar(select(ImageChangePlan).where(ImageChangePlan.uuid == plan_uuid).with_for_update()
                     .execution_options(populate_existing=True))  # the row as it is now, not as loaded before
    if plan is None or plan.state not in (RUNNING, PAUSED):
        return None
    t = ImageChangePlanVm
    counts = dict(db.execute(select(t.state, func.count()).where(
        t.plan_uuid == plan_uuid, t.state.in_((PENDING, FAILED, *PLAN_VM_ACTIVE))).group_by(t.state)).all())
    left = counts.get(PENDING, 0) + sum(counts.get(s, 0) for s in PLAN_VM_ACTIVE)
    if not left:
        target = FAILED if counts.get(FAILED) else SUCCEEDED
    elif failed and plan.state == RUNNING and counts.get(FAILED, 0) > plan.max_failures:
        target = PAUSED
    else:
        return None
    db.execute(update(ImageChangePlan).where(ImageChangePlan.uuid == plan_uuid, ImageChangePlan.state == plan.state)
               .values(state=target, last_op_date=now).execution_options(synchronize_session=False))
    db.expire(plan)
    return target


def unsettled(db) -> list[str]:
    """Running or Paused plans with nothing pending and nothing under way (a sweep ends them)."""
    t = ImageChangePlanVm
    busy = select(t.plan_uuid).where(t.plan_uuid == ImageChangePlan.uuid,
                                     t.state.in_((PENDING, *PLAN_VM_ACTIVE))).exists()
    return list(db.scalars(select(ImageChangePlan.uuid).where(ImageChangePlan.state.in_((RUNNING, PAUSED)), ~busy)))


def orphans_exist(db, node_uuid: str, alive) -> bool:
    t = ImageChangePlanVm
    return db.scalar(select(t.plan_uuid).where(t.state.in_(PLAN_VM_ACTIVE), t.node_uuid != node_uuid,
                                               t.node_uuid.not_in(alive)).limit(1)) is not None


def adopt_orphans(db, node_uuid: str, alive, now, *, skip_locked: bool) -> list[tuple[str, int]]:
    """The VMs a dead node held: a change under way never committed (it commits with its row's move), so
    the old root volume is intact. Stopping or Changing → Failed ("interrupted"); a VM the plan had stopped
    is Starting again, now on this node (returned, to be driven here), as is one that was Starting."""
    t = ImageChangePlanVm
    stmt = select(t).where(t.state.in_(PLAN_VM_ACTIVE), t.node_uuid != node_uuid, t.node_uuid.not_in(alive))
    rows = list(db.scalars(stmt.with_for_update(skip_locked=True) if skip_locked else stmt))
    mine = []
    for row in rows:
        cas = update(t).where(t.plan_uuid == row.plan_uuid, t.seq == row.seq, t.state == row.state,
                              t.node_uuid == row.node_uuid).execution_options(synchronize_session=False)
        if row.state == STARTING or (row.state == CHANGING and row.stopped_by_plan):
            error = row.error or (error_json(interrupted()) if row.state == CHANGING else None)
            if db.execute(cas.values(state=STARTING, node_uuid=node_uuid, error=error)).rowcount == 1:
                mine.append((row.plan_uuid, row.seq))
        elif db.execute(cas.values(state=FAILED, node_uuid=node_uuid, error=error_json(interrupted()),
                                   end_date=now)).rowcount == 1:
            settle(db, row.plan_uuid, now, failed=True)
    return mine
