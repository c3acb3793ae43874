"""GetImageCandidatesForVmToChange and ChangeVmImage (SPEC §4, §5)."""

from __future__ import annotations

import orjson
from sqlalchemy import delete, select, update

from zslite import faults
from zslite.db.models import AccountResourceRef, BackupStorage, Host, Image, ImageBackupStorageRef, VmInstance, Volume
from zslite.errors import InvalidArgument, OperationError, not_found
from zslite.policy.visibility import owned_filter
from zslite.rules import candidates as rules
from zslite.services import primary_storage, vms
from zslite.services.common import forget_resource, owner_of, ownership_error
from zslite.context import Caller, Ctx
from zslite.wire import inventories as inv


def get_image_candidates(ctx: Ctx, p) -> dict:
    scope = rules.load_scope(ctx.db, ctx.caller, p.vmInstanceUuid)
    # the candidate query brings the refs along (rules.candidates): one round trip, no ORM objects
    found, refs, total = rules.candidates(ctx.db, ctx.caller, scope, limit=p.limit, start=p.start,
                                          with_total=p.replyWithCount)
    body: dict = {"inventories": [inv.image(i, refs[i.uuid]) for i in found]}
    if total is not None:
        body["total"] = total
    if p.explain:
        page = rules.explain_page(ctx.db, ctx.caller, scope, limit=p.limit, start=p.start,
                                  with_total=p.replyWithCount)
        body["excluded"] = page.excluded
        body["excludedTruncated"] = page.truncated
        if page.total is not None:
            body["excludedTotal"] = page.total
    return body


# ---- ChangeVmImage ---------------------------------------------------------------------------------

def _refusal_details(vm_uuid: str, image_uuid: str, reasons: list[dict]) -> str:
    parts = []
    for r in reasons:
        text = f"{r['code']}: {r['message']}"
        if r.get("backupStorages"):
            text += " [" + "; ".join(f"backup storage[uuid:{b['uuid']}] {','.join(b['codes'])}"
                                     for b in r["backupStorages"]) + "]"
        parts.append(text)
    return (f"instance[uuid:{vm_uuid}] cannot be changed image to image[uuid:{image_uuid}]: "
            + " | ".join(parts))


def _host_ok(host: Host | None) -> bool:
    return host is not None and host.state == "Enabled" and host.status == "Connected"


def _install_path(ps, volume_uuid: str, account_uuid: str) -> str:
    if ps.type == "Ceph":
        pool = None
        try:
            for entry in orjson.loads(ps.pools or "[]"):
                if isinstance(entry, dict) and entry.get("type") in ("Root", "root"):
                    pool = entry.get("poolName")
                elif isinstance(entry, str) and pool is None:
                    pool = entry
        except orjson.JSONDecodeError:
            pool = None
        return f"ceph://{pool or 'pri-v-r-' + ps.uuid}/{volume_uuid}"
    return f"{ps.url.rstrip('/')}/rootVolumes/acct-{account_uuid}/vol-{volume_uuid}/{volume_uuid}.qcow2"


class CheckFacts:
    """What ChangeVmImage's checks read beyond the VM's scope. ChangeVmImage reads it for one VM, locking
    the image and its storage (OneVm below); a fleet plan's dry run reads it for all of its VMs in a
    fixed number of queries (services/plans.py). Both go through the same `checks`."""

    def owner(self, vm_uuid: str) -> str | None:
        raise NotImplementedError

    def host_usable(self, host_uuid: str) -> bool:
        """The host is Enabled and Connected."""
        raise NotImplementedError

    def cluster_has_usable_host(self, cluster_uuid: str | None) -> bool:
        raise NotImplementedError

    def image(self, image_uuid: str) -> tuple[Image, list] | None:
        """The image if the caller may see it (rule 6), with its (ref, backup storage) pairs by ref id."""
        raise NotImplementedError


class OneVm(CheckFacts):
    def __init__(self, ctx: Ctx):
        self.ctx = ctx

    def owner(self, vm_uuid):
        return owner_of(self.ctx, vm_uuid)

    def host_usable(self, host_uuid):
        return _host_ok(self.ctx.db.get(Host, host_uuid))

    def cluster_has_usable_host(self, cluster_uuid):
        return self.ctx.db.scalar(select(Host.uuid).where(Host.cluster_uuid == cluster_uuid, Host.state == "Enabled",
                                                          Host.status == "Connected").limit(1)) is not None

    def image(self, image_uuid):
        # lock the image (shared) and its refs and storage so that a concurrent disable waits until this
        # change has committed
        vis = owned_filter(self.ctx.caller, Image.uuid)
        stmt = select(Image).where(Image.uuid == image_uuid)
        if vis is not None:
            stmt = stmt.where(vis)
        image = self.ctx.db.scalar(stmt.with_for_update(read=True))
        if image is None:
            return None
        refs = self.ctx.db.execute(
            select(ImageBackupStorageRef, BackupStorage)
            .join(BackupStorage, BackupStorage.uuid == ImageBackupStorageRef.backup_storage_uuid)
            .where(ImageBackupStorageRef.image_uuid == image.uuid).order_by(ImageBackupStorageRef.id)
            .with_for_update(read=True)).all()
        return image, [tuple(r) for r in refs]


def candidate_reasons(scope: rules.VmScope, image: Image, refs: list) -> list[dict]:
    """Every rule of SPEC §4 the image fails for this VM, exactly as explain gives them ([] = a candidate)."""
    return rules.reasons_for(scope, image, refs, {bs.uuid for bs in scope.zone_storages})


def checks(caller: Caller, scope: rules.VmScope, image_uuid: str, facts: CheckFacts, *,
           running_ok: bool = False) -> tuple[Image, str | None]:
    """ChangeVmImage's checks of SPEC §5 after "V is visible", in order, but for capacity: raises the error
    ChangeVmImage answers, or returns the image and (local storage) the host of the new root volume.
    running_ok lets a Running VM through the "not stopped" check (a plan that stops it first)."""
    vm = scope.vm
    if not caller.is_admin:
        denied = ownership_error(caller, facts.owner(vm.uuid), vm.uuid, "vm instance")
        if denied is not None:
            raise denied
    if vm.type != "UserVm":
        raise InvalidArgument(f"vm[uuid:{vm.uuid}] is a {vm.type}; only a UserVm may change its image")
    if vm.state != "Stopped" and not (running_ok and vm.state == "Running"):
        raise InvalidArgument(f"do not change vm image when it's not stopped: vm[uuid:{vm.uuid}] is {vm.state}")
    if scope.root is None or scope.ps is None:
        raise InvalidArgument(f"vm[uuid:{vm.uuid}] has no root volume on a primary storage")
    ps = scope.ps
    if ps.state != "Enabled" or ps.status != "Connected":
        raise InvalidArgument(f"primary storage[uuid:{ps.uuid}] of the root volume is {ps.state} and {ps.status};"
                              " it must be Enabled and Connected")
    host_uuid = None
    if ps.type == "LocalStorage":
        host_uuid = vm.last_host_uuid or scope.root.host_uuid
        if not (host_uuid and facts.host_usable(host_uuid)):
            raise InvalidArgument(f"the last host[uuid:{host_uuid}] of vm[uuid:{vm.uuid}] must be Enabled and"
                                  " Connected to change an image on local storage")
    elif not facts.cluster_has_usable_host(vm.cluster_uuid):
        raise InvalidArgument(f"no Enabled and Connected host in cluster[uuid:{vm.cluster_uuid}] of"
                              f" vm[uuid:{vm.uuid}]")
    found = facts.image(image_uuid)
    if found is None:  # invisible is unknown
        raise not_found("imageUuid", image_uuid)
    image, refs = found
    reasons = candidate_reasons(scope, image, refs)
    if reasons:
        raise InvalidArgument(_refusal_details(vm.uuid, image.uuid, reasons), opaque={"reasons": reasons})
    return image, host_uuid


def _check(ctx: Ctx, p):
    """Every check of SPEC §5, in order, before anything changes. Locks V (and I, shared)."""
    scope = rules.load_scope(ctx.db, ctx.caller, p.vmInstanceUuid, for_update=True)
    image, host_uuid = checks(ctx.caller, scope, p.imageUuid, OneVm(ctx))
    ps = scope.ps
    if ps.available_capacity < image.size:
        raise OperationError(f"primary storage[uuid:{ps.uuid}] has {ps.available_capacity} bytes available;"
                             f" the new root volume needs {image.size}")
    return scope, image, host_uuid


def change_vm_image(ctx: Ctx, p):
    spec = ctx.settings.fault_injection
    scope, image, host_uuid = _check(ctx, p)
    vm, old, ps = scope.vm, scope.root, scope.ps
    now = ctx.now()
    owner = owner_of(ctx, vm.uuid) or ctx.caller.account_uuid
    new = Volume(uuid=ctx.new_uuid(), name=f"ROOT-for-{vm.name}", description=None, primary_storage_uuid=ps.uuid,
                 vm_instance_uuid=vm.uuid, root_image_uuid=image.uuid,
                 install_path=None, type="Root", format=image.format, size=image.size,
                 actual_size=image.actual_size, device_id=0, state="Enabled", status="Ready", is_shareable=False,
                 host_uuid=host_uuid if ps.type == "LocalStorage" else None, create_date=now, last_op_date=now)
    new.install_path = _install_path(ps, new.uuid, owner)
    # capacity first: its exclusive row lock on P comes before the new volume's foreign-key check
    # (a shared lock on P on MariaDB), so two changes on one storage queue instead of deadlocking
    primary_storage.reserve_capacity(ctx, ps.uuid, image.size)
    primary_storage.release_capacity(ctx, ps.uuid, old.size)
    faults.hit(spec, "ChangeVmImage.after_capacity")
    ctx.db.add(new)
    ctx.db.add(AccountResourceRef(resource_uuid=new.uuid, resource_type="VolumeVO", account_uuid=owner,
                                  create_date=now))
    ctx.db.flush()
    faults.hit(spec, "ChangeVmImage.after_new_volume")
    done = ctx.db.execute(update(VmInstance).where(VmInstance.uuid == vm.uuid, VmInstance.state == "Stopped",
                                                   VmInstance.root_volume_uuid == old.uuid)
                          .values(image_uuid=image.uuid, root_volume_uuid=new.uuid, platform=image.platform,
                                  guest_os_type=image.guest_os_type, architecture=image.architecture,
                                  last_op_date=now))
    if done.rowcount != 1:
        raise OperationError(f"vm[uuid:{vm.uuid}] changed while its image was being changed; try again")
    faults.hit(spec, "ChangeVmImage.after_vm_update")
    forget_resource(ctx, old.uuid)
    ctx.db.execute(delete(Volume).where(Volume.uuid == old.uuid))
    faults.hit(spec, "ChangeVmImage.after_old_volume_expunged")
    changed = ctx.db.get(VmInstance, vm.uuid, populate_existing=True)  # (the scope holds records, not objects)
    faults.hit(spec, "ChangeVmImage.before_commit")
    return vms.inventory_of(ctx, changed)
