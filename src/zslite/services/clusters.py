"""Clusters: a group of hosts of one hypervisor type and architecture inside a zone."""

from __future__ import annotations

from sqlalchemy import delete

from zslite.db.models import Cluster, Host, PrimaryStorageClusterRef, VmInstance, Zone
from zslite.errors import OperationError
from zslite.policy.visibility import public_filter
from zslite.services.common import (add_owner, add_tags, count_rows, ensure_new_uuid, flush_or_conflict,
                                    forget_resource, get_visible, set_state)
from zslite.context import Ctx
from zslite.wire import inventories as inv

RESOURCE_TYPE = "ClusterVO"


def load(db, rows) -> list:
    return [inv.cluster(c) for c in rows]


def create_cluster(ctx: Ctx, p):
    zone = get_visible(ctx, Zone, p.zoneUuid, "zoneUuid", public_filter)
    now = ctx.now()
    cluster = Cluster(uuid=p.resourceUuid or ctx.new_uuid(), name=p.name, description=p.description,
                      state="Enabled", hypervisor_type=p.hypervisorType, zone_uuid=zone.uuid, type=p.type,
                      architecture=p.architecture, create_date=now, last_op_date=now)
    ensure_new_uuid(ctx, Cluster, cluster.uuid)
    ctx.db.add(cluster)
    add_owner(ctx, cluster.uuid, RESOURCE_TYPE)
    add_tags(ctx, cluster.uuid, RESOURCE_TYPE, p.systemTags, p.userTags)
    flush_or_conflict(ctx, OperationError(f"a resource with uuid[{cluster.uuid}] already exists"))
    return inv.cluster(cluster)


def update_cluster(ctx: Ctx, p):
    cluster = get_visible(ctx, Cluster, p.uuid, "uuid", public_filter)
    if p.name is not None:
        cluster.name = p.name
    if p.description is not None:
        cluster.description = p.description
    cluster.last_op_date = ctx.now()
    ctx.db.flush()
    return inv.cluster(cluster)


def change_cluster_state(ctx: Ctx, p):
    cluster = get_visible(ctx, Cluster, p.uuid, "uuid", public_filter)
    set_state(ctx, Cluster, cluster, "cluster", p.stateEvent)
    return inv.cluster(cluster)


def delete_cluster(ctx: Ctx, p):
    """Refused while hosts or VMs are in the cluster; primary storage is detached."""
    cluster = ctx.db.get(Cluster, p.uuid)
    if cluster is None:
        return {}  # ZStack: deleting what is not there succeeds
    hosts = count_rows(ctx, Host, Host.cluster_uuid == cluster.uuid)
    vms = count_rows(ctx, VmInstance, VmInstance.cluster_uuid == cluster.uuid)
    if hosts or vms:
        raise OperationError(f"cannot delete cluster[uuid:{cluster.uuid}, name:{cluster.name}]: it still has "
                             f"{hosts} host(s) and {vms} VM instance(s); delete them first")
    ctx.db.execute(delete(PrimaryStorageClusterRef).where(PrimaryStorageClusterRef.cluster_uuid == cluster.uuid))
    forget_resource(ctx, cluster.uuid)
    ctx.db.delete(cluster)
    return {}
