"""VM instances: create (placed by rules/placement.py), start, stop, reboot, destroy, recover, expunge.

Every state change is a compare-and-set on the VM's state (rules/states.py "vm" table): a caller that
loses a race gets a clear SYS.1006 and changes nothing. Host CPU and memory are held while a VM sits
on a host (Running); primary-storage capacity is held by its volumes until they are expunged.
"""

from __future__ import annotations


from sqlalchemy import delete, select, update

from zslite.db.models import (
    Cluster,
    Host,
    Image,
    InstanceOffering,
    PrimaryStorage,
    VmInstance,
    Volume,
    Zone,
)
from zslite.errors import InvalidArgument, OperationError, not_found
from zslite.policy.visibility import owned_filter
from zslite.rules import placement
from zslite.rules.states import next_state
from zslite.services import hosts, images, volumes
from zslite.services.common import (
    grouped_by,
    add_owner,
    add_tags,
    ensure_new_uuid,
    forget_resource,
    get_visible,
    require_owner,
)
from zslite.context import Ctx
from zslite.wire import inventories as inv

RESOURCE_TYPE = "VmInstanceVO"
DEFAULT_ALLOCATOR = "DefaultHostAllocatorStrategy"


# ---- loading ----------------------------------------------------------------------------------

def visibility(caller, model):
    return owned_filter(caller, model.uuid)


def volumes_by_vm(db, vm_uuids) -> dict[str, list[Volume]]:
    """Every volume of these VMs in ONE query (root first, then by device id)."""
    return grouped_by(db, Volume.vm_instance_uuid, vm_uuids,
                      order_by=(Volume.vm_instance_uuid, Volume.device_id, Volume.uuid))


def load(db, rows) -> list:
    vols = volumes_by_vm(db, [v.uuid for v in rows])
    return [inv.vm_instance(v, vols.get(v.uuid, ())) for v in rows]


def inventory_of(ctx: Ctx, vm: VmInstance):
    return load(ctx.db, [vm])[0]


def owned_vm(ctx: Ctx, uuid: str, field: str = "uuid") -> VmInstance:
    """A VM the caller may see (else not found) and owns (else ID.1002), for writes."""
    vm = get_visible(ctx, VmInstance, uuid, field, visibility)
    require_owner(ctx, vm.uuid, "vm instance")
    return vm


# host capacity: the infrastructure's compare-and-set helpers
reserve_host = hosts.reserve_host_capacity
release_host = hosts.release_host_capacity


# ---- state compare-and-set --------------------------------------------------------------------

def transition(ctx: Ctx, vm: VmInstance, event: str, *, always: bool = False, **values) -> str:
    """Apply event through the "vm" table as UPDATE ... WHERE state = <the state we read>.
    Returns the state the VM was in; values are written with the new state. An event that keeps the
    state is a no-op unless values are given or always is set (then it still checks the state)."""
    current = vm.state
    target = next_state("vm", vm.uuid, current, event)
    if target == current and not values and not always:
        return current
    done = ctx.db.execute(update(VmInstance).where(VmInstance.uuid == vm.uuid, VmInstance.state == current)
                          .values(state=target, last_op_date=ctx.now(), **values)
                          .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise OperationError(f"vm instance[uuid:{vm.uuid}] changed state concurrently (it is no longer "
                             f"{current}); try again")
    ctx.db.refresh(vm)
    return current


# ---- CreateVmInstance -------------------------------------------------------------------------

def _usable_image(ctx: Ctx, uuid: str) -> Image:
    image = images.visible_image(ctx, uuid, "imageUuid")
    if image.media_type != "RootVolumeTemplate":
        raise InvalidArgument(f"image[uuid:{image.uuid}] is of mediaType {image.media_type}; only a "
                              "RootVolumeTemplate image can create a VM here")
    if image.state != "Enabled":
        raise InvalidArgument(f"image[uuid:{image.uuid}] is {image.state}, can't create vm from it")
    if image.status != "Ready":
        raise InvalidArgument(f"image[uuid:{image.uuid}] is {image.status}, not Ready; can't create vm from it")
    return image


def _sizing(ctx: Ctx, p) -> tuple[InstanceOffering | None, int, int]:
    offering = None
    if p.instanceOfferingUuid:
        offering = ctx.db.get(InstanceOffering, p.instanceOfferingUuid)
        if offering is None:
            raise not_found("instanceOfferingUuid", p.instanceOfferingUuid)
        if offering.state != "Enabled":
            raise InvalidArgument(f"instance offering[uuid:{offering.uuid}] is {offering.state}, can't create vm "
                                  "from it")
    cpu = p.cpuNum if p.cpuNum is not None else (offering.cpu_num if offering else None)
    memory = p.memorySize if p.memorySize is not None else (offering.memory_size if offering else None)
    if cpu is None or memory is None:
        raise InvalidArgument("either instanceOfferingUuid or both cpuNum and memorySize must be given")
    return offering, cpu, memory


def _check_named(ctx: Ctx, p) -> None:
    """Infrastructure named by the caller must exist (a normal account may name what it cannot read)."""
    for field, model in (("zoneUuid", Zone), ("clusterUuid", Cluster), ("hostUuid", Host),
                         ("primaryStorageUuidForRootVolume", PrimaryStorage)):
        uuid = getattr(p, field)
        if uuid is not None and ctx.db.get(model, uuid) is None:
            raise not_found(field, uuid)


def create_vm_instance(ctx: Ctx, p):
    image = _usable_image(ctx, p.imageUuid)
    offering, cpu, memory = _sizing(ctx, p)
    _check_named(ctx, p)
    uuid = p.resourceUuid or ctx.new_uuid()
    if p.resourceUuid:
        ensure_new_uuid(ctx, VmInstance, uuid)
    run = p.strategy == "InstantStart"
    where = placement.place(ctx.db, image, placement.Demand(
        cpu=cpu, memory=memory, run=run, zone_uuid=p.zoneUuid, cluster_uuid=p.clusterUuid, host_uuid=p.hostUuid,
        ps_uuid=p.primaryStorageUuidForRootVolume))
    if run:
        reserve_host(ctx, where.host.uuid, cpu, memory)

    now = ctx.now()
    vm = VmInstance(uuid=uuid, name=p.name, description=p.description, zone_uuid=where.host.zone_uuid,
                    cluster_uuid=where.cluster.uuid, image_uuid=image.uuid,
                    host_uuid=where.host.uuid if run else None, last_host_uuid=where.host.uuid,
                    instance_offering_uuid=offering.uuid if offering else None, platform=image.platform,
                    guest_os_type=image.guest_os_type, architecture=image.architecture,
                    default_l3_network_uuid=None, type=p.type, hypervisor_type=where.cluster.hypervisor_type,
                    memory_size=memory, cpu_num=cpu, cpu_speed=offering.cpu_speed if offering else 0,
                    allocator_strategy=(offering.allocator_strategy if offering else None) or DEFAULT_ALLOCATOR,
                    state="Running" if run else "Stopped", create_date=now, last_op_date=now)
    ctx.db.add(vm)
    add_owner(ctx, uuid, RESOURCE_TYPE)
    add_tags(ctx, uuid, RESOURCE_TYPE, p.systemTags, p.userTags)
    ctx.db.flush()
    root = volumes.create_root_volume(ctx, vm_uuid=uuid, vm_name=p.name, image=image, ps=where.ps,
                                      host_uuid=where.host.uuid, account_uuid=ctx.caller.account_uuid)
    vm.root_volume_uuid = root.uuid
    ctx.db.flush()
    return inventory_of(ctx, vm)


# ---- lifecycle --------------------------------------------------------------------------------

def _root_volume(ctx: Ctx, vm: VmInstance) -> Volume | None:
    return ctx.db.get(Volume, vm.root_volume_uuid) if vm.root_volume_uuid else None


def start_vm_instance(ctx: Ctx, p):
    vm = owned_vm(ctx, p.uuid)
    next_state("vm", vm.uuid, vm.state, "start")  # refuse early, with the table's message
    if vm.state == "Running":
        return inventory_of(ctx, vm)
    root = _root_volume(ctx, vm)
    only = None
    if root is not None:
        ps = ctx.db.get(PrimaryStorage, root.primary_storage_uuid) if root.primary_storage_uuid else None
        if ps is not None and (ps.state == "Maintenance" or ps.status != "Connected"):
            raise OperationError(f"cannot start vm instance[uuid:{vm.uuid}]: its root volume's primary "
                                 f"storage[uuid:{ps.uuid}] is {ps.state} and {ps.status}")
        if ps is not None and ps.type == "LocalStorage":
            only = root.host_uuid or vm.last_host_uuid
    host = placement.host_to_start(ctx.db, cluster_uuid=vm.cluster_uuid, architecture=vm.architecture,
                                   cpu=vm.cpu_num, memory=vm.memory_size, prefer=vm.last_host_uuid, only=only)
    transition(ctx, vm, "start", host_uuid=host.uuid, last_host_uuid=host.uuid)
    reserve_host(ctx, host.uuid, vm.cpu_num, vm.memory_size)
    return inventory_of(ctx, vm)


def _leave_host(ctx: Ctx, vm: VmInstance, event: str) -> None:
    """A state change that takes the VM off its host (stop, destroy): CPU and memory go back."""
    host_uuid = vm.host_uuid
    values = {"host_uuid": None, "last_host_uuid": host_uuid} if host_uuid else {}
    transition(ctx, vm, event, **values)
    if host_uuid:
        release_host(ctx, host_uuid, vm.cpu_num, vm.memory_size)


def stop_vm_instance(ctx: Ctx, p):
    vm = owned_vm(ctx, p.uuid)
    _leave_host(ctx, vm, "stop")
    return inventory_of(ctx, vm)


def reboot_vm_instance(ctx: Ctx, p):
    vm = owned_vm(ctx, p.uuid)
    transition(ctx, vm, "reboot", always=True)
    return inventory_of(ctx, vm)


def destroy_vm_instance(ctx: Ctx, p):
    """Unknown (or invisible) VM: success, as ZStack answers a delete of what is not there."""
    cond = visibility(ctx.caller, VmInstance)
    stmt = select(VmInstance).where(VmInstance.uuid == p.uuid)
    vm = ctx.db.scalar(stmt if cond is None else stmt.where(cond))
    if vm is None:
        return {}
    require_owner(ctx, vm.uuid, "vm instance")
    if vm.state != "Destroyed":
        _leave_host(ctx, vm, "destroy")
    return {}


def recover_vm_instance(ctx: Ctx, p):
    vm = owned_vm(ctx, p.uuid)
    transition(ctx, vm, "recover")
    return inventory_of(ctx, vm)


def expunge_vm_instance(ctx: Ctx, p):
    vm = owned_vm(ctx, p.uuid)
    next_state("vm", vm.uuid, vm.state, "expunge")  # only a Destroyed VM
    done = ctx.db.execute(delete(VmInstance).where(VmInstance.uuid == vm.uuid, VmInstance.state == "Destroyed")
                          .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise OperationError(f"vm instance[uuid:{vm.uuid}] changed state concurrently (it is no longer "
                             "Destroyed); try again")
    if vm.host_uuid:  # a Destroyed VM holds no host; belt and braces for rows written by hand
        release_host(ctx, vm.host_uuid, vm.cpu_num, vm.memory_size)
    volumes.expunge_volumes_of(ctx, vm.uuid)
    forget_resource(ctx, vm.uuid)
    ctx.db.expunge(vm)
    return {}
