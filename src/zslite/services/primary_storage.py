"""Primary storage: LocalStorage, NFS, SharedMountPoint and Ceph, attached to clusters of its zone.

Capacity is a counter: volumes take it with reserve_capacity and give it back with
release_capacity, both single compare-and-set UPDATEs (no lost updates between concurrent jobs).
"""

from __future__ import annotations

import json

from sqlalchemy import case, delete, select, update

from zslite.db.models import Cluster, PrimaryStorage, PrimaryStorageClusterRef, VmInstance, Volume, Zone
from zslite.errors import InvalidArgument, OperationError, not_found
from zslite.policy.visibility import admin_only_filter, public_filter
from zslite.services.common import (grouped_by, add_owner, add_tags, count_rows, ensure_new_uuid, expire_loaded, flush_or_conflict,
                                    forget_resource, get_visible, set_state)
from zslite.context import Ctx
from zslite.simulator import agents, ceph
from zslite.wire import inventories as inv

RESOURCE_TYPE = "PrimaryStorageVO"
LOCAL, NFS, SMP, CEPH = "LocalStorage", "NFS", "SharedMountPoint", "Ceph"


def cluster_refs(db, ps_uuids) -> dict[str, list[str]]:
    """primary storage uuid → attached cluster uuids, in one query."""
    ref = PrimaryStorageClusterRef
    return grouped_by(db, ref.primary_storage_uuid, ps_uuids, ref.cluster_uuid)


def load(db, rows) -> list:
    refs = cluster_refs(db, [r.uuid for r in rows])
    return [inv.primary_storage(r, refs.get(r.uuid, ())) for r in rows]


def inventory_of(ctx: Ctx, ps: PrimaryStorage):
    return load(ctx.db, [ps])[0]


# ---- creation ---------------------------------------------------------------------------------

def _check_url(kind: str, url: str) -> str:
    url = url.strip()
    if kind in (LOCAL, SMP) and not url.startswith("/"):
        raise InvalidArgument(f"invalid url[{url}] for {kind} primary storage: an absolute path is expected")
    if kind == NFS:
        host, colon, path = url.partition(":")
        if not colon or not host or not path.startswith("/"):
            raise InvalidArgument(f"invalid url[{url}] for NFS primary storage: hostname:/path is expected")
    return url


def _mount_path(kind: str, uuid: str, url: str) -> str | None:
    if kind == NFS:
        return f"/opt/zstack/nfsprimarystorage/prim-{uuid}"
    if kind in (LOCAL, SMP):
        return url
    return None


def _add(ctx: Ctx, p, kind: str, url: str, **extra) -> dict:
    zone = get_visible(ctx, Zone, p.zoneUuid, "zoneUuid", public_filter)
    facts = agents.connect_storage(p.systemTags)
    uuid = p.resourceUuid or ctx.new_uuid()
    ensure_new_uuid(ctx, PrimaryStorage, uuid)
    now = ctx.now()
    ps = PrimaryStorage(uuid=uuid, name=p.name, description=p.description, zone_uuid=zone.uuid, url=url, type=kind,
                        state="Enabled", status=facts.status, mount_path=_mount_path(kind, uuid, url),
                        total_capacity=facts.total, available_capacity=facts.total,
                        total_physical_capacity=facts.total, available_physical_capacity=facts.total,
                        create_date=now, last_op_date=now, **extra)
    ctx.db.add(ps)
    add_owner(ctx, ps.uuid, RESOURCE_TYPE)
    add_tags(ctx, ps.uuid, RESOURCE_TYPE, p.systemTags, p.userTags)
    flush_or_conflict(ctx, OperationError(f"a resource with uuid[{uuid}] already exists"))
    return inv.primary_storage(ps, ())


def add_local_primary_storage(ctx: Ctx, p):
    return _add(ctx, p, LOCAL, _check_url(LOCAL, p.url))


def add_nfs_primary_storage(ctx: Ctx, p):
    return _add(ctx, p, NFS, _check_url(NFS, p.url))


def add_smp_primary_storage(ctx: Ctx, p):
    return _add(ctx, p, SMP, _check_url(SMP, p.url))


def ceph_pools(uuid: str, root: str | None, data: str | None, cache: str | None) -> list[dict]:
    """The three pools of a Ceph primary storage; names default to ZStack's, derived from the uuid."""
    return [{"poolName": root or f"pri-v-r-{uuid}", "type": "Root"},
            {"poolName": data or f"pri-v-d-{uuid}", "type": "Data"},
            {"poolName": cache or f"pri-c-{uuid}", "type": "ImageCache"}]


def add_ceph_primary_storage(ctx: Ctx, p):
    mons = ceph.parse_mon_urls(p.monUrls)
    fsid = ceph.cluster_fsid(mons, p.systemTags)
    uuid = p.resourceUuid or ctx.new_uuid()
    pools = ceph_pools(uuid, p.rootVolumePoolName, p.dataVolumePoolName, p.imageCachePoolName)
    p = p.model_copy(update={"resourceUuid": uuid})
    return _add(ctx, p, CEPH, p.url or "ceph", fsid=fsid,
                mons=json.dumps([m.inventory(ctx.new_uuid()) for m in mons]), pools=json.dumps(pools))


# ---- changes ----------------------------------------------------------------------------------

def _get(ctx: Ctx, uuid: str, field: str = "uuid") -> PrimaryStorage:
    return get_visible(ctx, PrimaryStorage, uuid, field, admin_only_filter)


def update_primary_storage(ctx: Ctx, p):
    ps = _get(ctx, p.uuid)
    if p.name is not None:
        ps.name = p.name
    if p.description is not None:
        ps.description = p.description
    if p.url is not None:
        if ps.type == CEPH:
            raise InvalidArgument(f"the url of Ceph primary storage[uuid:{ps.uuid}] cannot be changed")
        ps.url = _check_url(ps.type, p.url)
        if ps.type != NFS:
            ps.mount_path = ps.url
    ps.last_op_date = ctx.now()
    ctx.db.flush()
    return inventory_of(ctx, ps)


def change_primary_storage_state(ctx: Ctx, p):
    ps = _get(ctx, p.uuid)
    set_state(ctx, PrimaryStorage, ps, "primaryStorage", p.stateEvent)
    return inventory_of(ctx, ps)


def _attached(ctx: Ctx, ps_uuid: str, cluster_uuid: str) -> bool:
    return ctx.db.get(PrimaryStorageClusterRef, (ps_uuid, cluster_uuid)) is not None


def attach_primary_storage_to_cluster(ctx: Ctx, p):
    cluster = get_visible(ctx, Cluster, p.clusterUuid, "clusterUuid", public_filter)
    ps = _get(ctx, p.primaryStorageUuid, "primaryStorageUuid")
    if ps.zone_uuid != cluster.zone_uuid:
        raise InvalidArgument(f"primary storage[uuid:{ps.uuid}] is in zone[uuid:{ps.zone_uuid}] but cluster"
                              f"[uuid:{cluster.uuid}] is in zone[uuid:{cluster.zone_uuid}]; they must be in the "
                              "same zone")
    if _attached(ctx, ps.uuid, cluster.uuid):
        raise OperationError(f"primary storage[uuid:{ps.uuid}] has been attached to cluster[uuid:{cluster.uuid}]")
    ctx.db.add(PrimaryStorageClusterRef(primary_storage_uuid=ps.uuid, cluster_uuid=cluster.uuid))
    flush_or_conflict(ctx, OperationError(f"primary storage[uuid:{ps.uuid}] has been attached to cluster"
                                          f"[uuid:{cluster.uuid}]"))
    return inventory_of(ctx, ps)


def detach_primary_storage_from_cluster(ctx: Ctx, p):
    """Refused while running VMs of the cluster have volumes on the storage (stop them first)."""
    cluster = get_visible(ctx, Cluster, p.clusterUuid, "clusterUuid", public_filter)
    ps = _get(ctx, p.primaryStorageUuid, "primaryStorageUuid")
    if not _attached(ctx, ps.uuid, cluster.uuid):
        raise OperationError(f"primary storage[uuid:{ps.uuid}] is not attached to cluster[uuid:{cluster.uuid}]")
    running = count_rows(ctx, VmInstance, VmInstance.cluster_uuid == cluster.uuid,
                         VmInstance.state.not_in(("Stopped", "Destroyed", "Created")),
                         VmInstance.uuid.in_(select(Volume.vm_instance_uuid)
                                             .where(Volume.primary_storage_uuid == ps.uuid)))
    if running:
        raise OperationError(f"cannot detach primary storage[uuid:{ps.uuid}] from cluster[uuid:{cluster.uuid}]: "
                             f"{running} VM instance(s) of the cluster with volumes on it are not stopped")
    ctx.db.execute(delete(PrimaryStorageClusterRef).where(
        PrimaryStorageClusterRef.primary_storage_uuid == ps.uuid,
        PrimaryStorageClusterRef.cluster_uuid == cluster.uuid))
    return inventory_of(ctx, ps)


def delete_primary_storage(ctx: Ctx, p):
    """Refused while volumes live on it; detached from its clusters first."""
    ps = ctx.db.get(PrimaryStorage, p.uuid)
    if ps is None:
        return {}  # ZStack: deleting what is not there succeeds
    volumes = count_rows(ctx, Volume, Volume.primary_storage_uuid == ps.uuid)
    if volumes:
        raise OperationError(f"cannot delete primary storage[uuid:{ps.uuid}, name:{ps.name}]: {volumes} volume(s) "
                             "live on it; delete them first")
    ctx.db.execute(delete(PrimaryStorageClusterRef).where(PrimaryStorageClusterRef.primary_storage_uuid == ps.uuid))
    forget_resource(ctx, ps.uuid)
    ctx.db.delete(ps)
    return {}


# ---- capacity, for the volume and VM services -----------------------------------------------------

def reserve_capacity(ctx: Ctx, ps_uuid: str, size: int) -> None:
    """Take size bytes of a primary storage's available capacity, compare-and-set.
    Unknown storage → SYS.1007 not found; not enough capacity → SYS.1006 naming storage and sizes."""
    if size < 0:
        raise InvalidArgument(f"cannot reserve a negative size[{size}] on primary storage[uuid:{ps_uuid}]")
    if size == 0:
        if ctx.db.get(PrimaryStorage, ps_uuid) is None:
            raise not_found("primaryStorageUuid", ps_uuid)
        return
    done = ctx.db.execute(
        update(PrimaryStorage)
        .where(PrimaryStorage.uuid == ps_uuid, PrimaryStorage.available_capacity >= size)
        .values(available_capacity=PrimaryStorage.available_capacity - size)
        .execution_options(synchronize_session=False))
    if done.rowcount == 1:
        expire_loaded(ctx, PrimaryStorage, ps_uuid)
        return
    ps = ctx.db.get(PrimaryStorage, ps_uuid, populate_existing=True)
    if ps is None:
        raise not_found("primaryStorageUuid", ps_uuid)
    raise OperationError(f"primary storage[uuid:{ps.uuid}, name:{ps.name}] has not enough available capacity: "
                         f"requested {size} bytes, available {ps.available_capacity} of {ps.total_capacity} bytes")


def release_capacity(ctx: Ctx, ps_uuid: str, size: int) -> None:
    """Give size bytes back to a primary storage (never above its total). Unknown storage: no-op."""
    if size < 0:
        raise InvalidArgument(f"cannot release a negative size[{size}] on primary storage[uuid:{ps_uuid}]")
    if size == 0:
        return
    ctx.db.execute(
        update(PrimaryStorage).where(PrimaryStorage.uuid == ps_uuid)
        .values(available_capacity=case(
            (PrimaryStorage.available_capacity + size > PrimaryStorage.total_capacity, PrimaryStorage.total_capacity),
            else_=PrimaryStorage.available_capacity + size))
        .execution_options(synchronize_session=False))
    expire_loaded(ctx, PrimaryStorage, ps_uuid)
