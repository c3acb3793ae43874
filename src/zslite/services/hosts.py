"""KVM hosts. The simulated agent connects at once; the SSH password is checked for shape and
never stored. Host CPU and memory are consumed by VMs through reserve/release_host_capacity."""

from __future__ import annotations

from sqlalchemy import case, select, update

from zslite.db.models import Cluster, Host, VmInstance, Volume
from zslite.errors import InvalidArgument, OperationError, not_found
from zslite.policy.visibility import admin_only_filter, public_filter
from zslite.services.common import (add_owner, add_tags, count_rows, ensure_new_uuid, expire_loaded, flush_or_conflict,
                                    forget_resource, get_visible, set_state)
from zslite.context import Ctx
from zslite.simulator import agents
from zslite.wire import inventories as inv

RESOURCE_TYPE = "HostVO"


def load(db, rows) -> list:
    return [inv.host(h) for h in rows]


def inventory_of(ctx: Ctx, host: Host):
    return inv.host(host)


def _check_ip_free(ctx: Ctx, ip: str, except_uuid: str | None = None) -> None:
    stmt = select(Host.uuid).where(Host.management_ip == ip)
    if except_uuid is not None:
        stmt = stmt.where(Host.uuid != except_uuid)
    other = ctx.db.scalar(stmt)
    if other is not None:
        raise InvalidArgument(f"there has been a host[uuid:{other}] having managementIp[{ip}]")


def add_kvm_host(ctx: Ctx, p):
    cluster = get_visible(ctx, Cluster, p.clusterUuid, "clusterUuid", public_filter)
    if cluster.hypervisor_type != "KVM":
        raise InvalidArgument(f"cluster[uuid:{cluster.uuid}] has hypervisorType[{cluster.hypervisor_type}], "
                              "a KVM host needs a KVM cluster")
    _check_ip_free(ctx, p.managementIp)
    facts = agents.connect_host(p.systemTags)
    now = ctx.now()
    host = Host(uuid=p.resourceUuid or ctx.new_uuid(), name=p.name, description=p.description,
                zone_uuid=cluster.zone_uuid, cluster_uuid=cluster.uuid, management_ip=p.managementIp,
                hypervisor_type="KVM", state="Enabled", status=facts.status, architecture=cluster.architecture,
                username=p.username, ssh_port=p.sshPort, total_cpu_capacity=facts.cpu,
                available_cpu_capacity=facts.cpu, cpu_sockets=1, cpu_num=facts.cpu,
                total_memory_capacity=facts.memory, available_memory_capacity=facts.memory,
                create_date=now, last_op_date=now)
    ensure_new_uuid(ctx, Host, host.uuid)
    ctx.db.add(host)
    add_owner(ctx, host.uuid, RESOURCE_TYPE)
    add_tags(ctx, host.uuid, RESOURCE_TYPE, p.systemTags, p.userTags)
    flush_or_conflict(ctx, InvalidArgument(f"there has been a host having managementIp[{p.managementIp}] or uuid"
                                           f"[{host.uuid}]"))
    return inv.host(host)


def update_host(ctx: Ctx, p):
    host = get_visible(ctx, Host, p.uuid, "uuid", admin_only_filter)
    if p.managementIp is not None and p.managementIp != host.management_ip:
        _check_ip_free(ctx, p.managementIp, host.uuid)
        host.management_ip = p.managementIp
        flush_or_conflict(ctx, InvalidArgument(f"there has been a host having managementIp[{p.managementIp}]"))
    if p.name is not None:
        host.name = p.name
    if p.description is not None:
        host.description = p.description
    host.last_op_date = ctx.now()
    ctx.db.flush()
    return inv.host(host)


def change_host_state(ctx: Ctx, p):
    host = get_visible(ctx, Host, p.uuid, "uuid", admin_only_filter)
    set_state(ctx, Host, host, "host", p.stateEvent)
    return inv.host(host)


def delete_host(ctx: Ctx, p):
    """Refused while VMs run on the host or local-storage volumes live on it."""
    host = ctx.db.get(Host, p.uuid)
    if host is None:
        return {}  # ZStack: deleting what is not there succeeds
    vms = count_rows(ctx, VmInstance, VmInstance.host_uuid == host.uuid)
    if vms:
        raise OperationError(f"cannot delete host[uuid:{host.uuid}, name:{host.name}]: {vms} VM instance(s) are "
                             "on it; stop or migrate them first")
    volumes = count_rows(ctx, Volume, Volume.host_uuid == host.uuid)
    if volumes:
        raise OperationError(f"cannot delete host[uuid:{host.uuid}, name:{host.name}]: {volumes} volume(s) live "
                             "on its local storage; delete them first")
    ctx.db.execute(update(VmInstance).where(VmInstance.last_host_uuid == host.uuid).values(last_host_uuid=None)
                   .execution_options(synchronize_session=False))
    forget_resource(ctx, host.uuid)
    ctx.db.delete(host)
    return {}


# ---- capacity, for the VM services ----------------------------------------------------------------

def reserve_host_capacity(ctx: Ctx, host_uuid: str, cpu: int, memory: int) -> None:
    """Take cpu vCPUs and memory bytes from a host, compare-and-set; not enough → SYS.1006."""
    if cpu < 0 or memory < 0:
        raise InvalidArgument(f"cannot reserve negative capacity (cpu {cpu}, memory {memory})")
    if cpu == 0 and memory == 0:
        return
    done = ctx.db.execute(
        update(Host).where(Host.uuid == host_uuid, Host.available_cpu_capacity >= cpu,
                           Host.available_memory_capacity >= memory)
        .values(available_cpu_capacity=Host.available_cpu_capacity - cpu,
                available_memory_capacity=Host.available_memory_capacity - memory)
        .execution_options(synchronize_session=False))
    if done.rowcount == 1:
        expire_loaded(ctx, Host, host_uuid)
        return
    host = ctx.db.get(Host, host_uuid, populate_existing=True)
    if host is None:
        raise not_found("hostUuid", host_uuid)
    raise OperationError(
        f"host[uuid:{host.uuid}, name:{host.name}] has not enough capacity: requested {cpu} vCPU(s) and {memory} "
        f"bytes of memory, available {host.available_cpu_capacity} vCPU(s) and "
        f"{host.available_memory_capacity} bytes")


def release_host_capacity(ctx: Ctx, host_uuid: str, cpu: int, memory: int) -> None:
    """Give cpu vCPUs and memory bytes back to a host (never above its total). Unknown host: no-op."""
    if cpu < 0 or memory < 0:
        raise InvalidArgument(f"cannot release negative capacity (cpu {cpu}, memory {memory})")
    ctx.db.execute(
        update(Host).where(Host.uuid == host_uuid)
        .values(available_cpu_capacity=case(
                    (Host.available_cpu_capacity + cpu > Host.total_cpu_capacity, Host.total_cpu_capacity),
                    else_=Host.available_cpu_capacity + cpu),
                available_memory_capacity=case(
                    (Host.available_memory_capacity + memory > Host.total_memory_capacity,
                     Host.total_memory_capacity),
                    else_=Host.available_memory_capacity + memory))
        .execution_options(synchronize_session=False))
    expire_loaded(ctx, Host, host_uuid)

