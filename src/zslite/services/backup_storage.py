"""Backup storage: image store, sftp and Ceph, attached to zones. The SSH password is never stored."""

from __future__ import annotations

import json

from sqlalchemy import delete

from zslite.db.models import BackupStorage, BackupStorageZoneRef, ImageBackupStorageRef, Zone
from zslite.errors import InvalidArgument, OperationError
from zslite.policy.visibility import admin_only_filter, public_filter
from zslite.services.common import (grouped_by, add_owner, add_tags, count_rows, ensure_new_uuid, flush_or_conflict,
                                    forget_resource, get_visible, set_state)
from zslite.context import Ctx
from zslite.simulator import agents, ceph
from zslite.wire import inventories as inv

RESOURCE_TYPE = "BackupStorageVO"
IMAGE_STORE, SFTP, CEPH = "ImageStoreBackupStorage", "SftpBackupStorage", "Ceph"


def zone_refs(db, bs_uuids) -> dict[str, list[str]]:
    """backup storage uuid → attached zone uuids, in one query."""
    ref = BackupStorageZoneRef
    return grouped_by(db, ref.backup_storage_uuid, bs_uuids, ref.zone_uuid)


def load(db, rows) -> list:
    refs = zone_refs(db, [r.uuid for r in rows])
    return [inv.backup_storage(r, refs.get(r.uuid, ())) for r in rows]


def inventory_of(ctx: Ctx, bs: BackupStorage):
    return load(ctx.db, [bs])[0]


# ---- creation ---------------------------------------------------------------------------------

def _add(ctx: Ctx, p, kind: str, url: str, **extra):
    facts = agents.connect_storage(p.systemTags)
    uuid = p.resourceUuid or ctx.new_uuid()
    ensure_new_uuid(ctx, BackupStorage, uuid)
    now = ctx.now()
    bs = BackupStorage(uuid=uuid, name=p.name, description=p.description, url=url, type=kind, state="Enabled",
                       status=facts.status, total_capacity=facts.total, available_capacity=facts.total,
                       create_date=now, last_op_date=now, **extra)
    ctx.db.add(bs)
    add_owner(ctx, bs.uuid, RESOURCE_TYPE)
    add_tags(ctx, bs.uuid, RESOURCE_TYPE, p.systemTags, p.userTags)
    flush_or_conflict(ctx, OperationError(f"a resource with uuid[{uuid}] already exists"))
    return inv.backup_storage(bs, ())


def _ssh_storage(ctx: Ctx, p, kind: str):
    url = p.url.strip()
    if not url.startswith("/"):
        raise InvalidArgument(f"invalid url[{url}] for {kind}: an absolute path is expected")
    return _add(ctx, p, kind, url, hostname=p.hostname, username=p.username, ssh_port=p.sshPort)


def add_image_store_backup_storage(ctx: Ctx, p):
    return _ssh_storage(ctx, p, IMAGE_STORE)


def add_sftp_backup_storage(ctx: Ctx, p):
    return _ssh_storage(ctx, p, SFTP)


def add_ceph_backup_storage(ctx: Ctx, p):
    mons = ceph.parse_mon_urls(p.monUrls)
    fsid = ceph.cluster_fsid(mons, p.systemTags)
    uuid = p.resourceUuid or ctx.new_uuid()
    p = p.model_copy(update={"resourceUuid": uuid})
    return _add(ctx, p, CEPH, p.url or "ceph", fsid=fsid, pool_name=p.poolName or f"bak-t-{uuid}",
                mons=json.dumps([m.inventory(ctx.new_uuid()) for m in mons]))


# ---- changes ----------------------------------------------------------------------------------

def _get(ctx: Ctx, uuid: str, field: str = "uuid") -> BackupStorage:
    return get_visible(ctx, BackupStorage, uuid, field, admin_only_filter)


def update_backup_storage(ctx: Ctx, p):
    bs = _get(ctx, p.uuid)
    if p.name is not None:
        bs.name = p.name
    if p.description is not None:
        bs.description = p.description
    bs.last_op_date = ctx.now()
    ctx.db.flush()
    return inventory_of(ctx, bs)


def change_backup_storage_state(ctx: Ctx, p):
    bs = _get(ctx, p.uuid)
    set_state(ctx, BackupStorage, bs, "backupStorage", p.stateEvent)
    return inventory_of(ctx, bs)


def attach_backup_storage_to_zone(ctx: Ctx, p):
    zone = get_visible(ctx, Zone, p.zoneUuid, "zoneUuid", public_filter)
    bs = _get(ctx, p.backupStorageUuid, "backupStorageUuid")
    if ctx.db.get(BackupStorageZoneRef, (bs.uuid, zone.uuid)) is not None:
        raise OperationError(f"backup storage[uuid:{bs.uuid}] has been attached to zone[uuid:{zone.uuid}]")
    ctx.db.add(BackupStorageZoneRef(backup_storage_uuid=bs.uuid, zone_uuid=zone.uuid))
    flush_or_conflict(ctx, OperationError(f"backup storage[uuid:{bs.uuid}] has been attached to zone"
                                          f"[uuid:{zone.uuid}]"))
    return inventory_of(ctx, bs)


def detach_backup_storage_from_zone(ctx: Ctx, p):
    zone = get_visible(ctx, Zone, p.zoneUuid, "zoneUuid", public_filter)
    bs = _get(ctx, p.backupStorageUuid, "backupStorageUuid")
    if ctx.db.get(BackupStorageZoneRef, (bs.uuid, zone.uuid)) is None:
        raise OperationError(f"backup storage[uuid:{bs.uuid}] is not attached to zone[uuid:{zone.uuid}]")
    ctx.db.execute(delete(BackupStorageZoneRef).where(BackupStorageZoneRef.backup_storage_uuid == bs.uuid,
                                                      BackupStorageZoneRef.zone_uuid == zone.uuid))
    return inventory_of(ctx, bs)


def delete_backup_storage(ctx: Ctx, p):
    """Refused while images have copies on it; detached from its zones first."""
    bs = ctx.db.get(BackupStorage, p.uuid)
    if bs is None:
        return {}  # ZStack: deleting what is not there succeeds
    images = count_rows(ctx, ImageBackupStorageRef, ImageBackupStorageRef.backup_storage_uuid == bs.uuid)
    if images:
        raise OperationError(f"cannot delete backup storage[uuid:{bs.uuid}, name:{bs.name}]: {images} image(s) "
                             "still have copies on it; delete and expunge those images first")
    ctx.db.execute(delete(BackupStorageZoneRef).where(BackupStorageZoneRef.backup_storage_uuid == bs.uuid))
    forget_resource(ctx, bs.uuid)
    ctx.db.delete(bs)
    return {}
