"""Zones: the first resource, end to end."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from zslite.db.models import Cluster, PrimaryStorage, Tag, Zone, AccountResourceRef, BackupStorageZoneRef
from zslite.errors import OperationError
from zslite.policy.visibility import public_filter
from zslite.services.common import add_owner, add_tags, get_visible, set_state
from zslite.context import Ctx
from zslite.wire import inventories as inv

RESOURCE_TYPE = "ZoneVO"


def load(db, rows) -> list:
    return [inv.zone(z) for z in rows]


def create_zone(ctx: Ctx, p):
    now = ctx.now()
    zone = Zone(uuid=p.resourceUuid or ctx.new_uuid(), name=p.name, description=p.description, state="Enabled",
                type="zstack", is_default=bool(p.isDefault), create_date=now, last_op_date=now)
    if ctx.db.get(Zone, zone.uuid) is not None:
        raise OperationError(f"a resource with uuid[{zone.uuid}] already exists")
    ctx.db.add(zone)
    add_owner(ctx, zone.uuid, RESOURCE_TYPE)
    add_tags(ctx, zone.uuid, RESOURCE_TYPE, p.systemTags, p.userTags)
    ctx.db.flush()
    return inv.zone(zone)


def update_zone(ctx: Ctx, p):
    zone = get_visible(ctx, Zone, p.uuid, "uuid", public_filter)
    if p.name is not None:
        zone.name = p.name
    if p.description is not None:
        zone.description = p.description
    zone.last_op_date = ctx.now()
    return inv.zone(zone)


def change_zone_state(ctx: Ctx, p):
    zone = get_visible(ctx, Zone, p.uuid, "uuid", public_filter)
    set_state(ctx, Zone, zone, "zone", p.stateEvent)
    return inv.zone(zone)


def delete_zone(ctx: Ctx, p):
    zone = ctx.db.get(Zone, p.uuid)
    if zone is None:
        return {}  # ZStack: deleting what is not there succeeds
    clusters = ctx.db.scalar(select(func.count()).select_from(Cluster).where(Cluster.zone_uuid == zone.uuid))
    storages = ctx.db.scalar(select(func.count()).select_from(PrimaryStorage)
                             .where(PrimaryStorage.zone_uuid == zone.uuid))
    if clusters or storages:
        raise OperationError(f"zone[uuid:{zone.uuid}] still has {clusters} cluster(s) and {storages} primary "
                             "storage(s); delete them first")
    ctx.db.execute(delete(BackupStorageZoneRef).where(BackupStorageZoneRef.zone_uuid == zone.uuid))
    ctx.db.execute(delete(Tag).where(Tag.resource_uuid == zone.uuid))
    ctx.db.execute(delete(AccountResourceRef).where(AccountResourceRef.resource_uuid == zone.uuid))
    ctx.db.delete(zone)
    return {}
