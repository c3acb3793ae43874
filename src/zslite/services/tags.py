"""System and user tags: on any resource the caller may see and own; visible when their resource is."""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from zslite.db.models import (
    BackupStorage,
    Cluster,
    Host,
    Image,
    InstanceOffering,
    PrimaryStorage,
    Tag,
    VmInstance,
    Volume,
    Zone,
)
from zslite.errors import InvalidArgument, not_found
from zslite.policy.visibility import owned_filter
from zslite.services.common import require_owner
from zslite.context import Caller, Ctx
from zslite.wire import inventories as inv

# resource type -> (table, who may see it): "public" every account, "admin" admin only, "owned" owner/shared
TAGGABLE = {
    "ZoneVO": (Zone, "public"),
    "ClusterVO": (Cluster, "public"),
    "InstanceOfferingVO": (InstanceOffering, "public"),
    "HostVO": (Host, "admin"),
    "PrimaryStorageVO": (PrimaryStorage, "admin"),
    "BackupStorageVO": (BackupStorage, "admin"),
    "ImageVO": (Image, "owned"),
    "VmInstanceVO": (VmInstance, "owned"),
    "VolumeVO": (Volume, "owned"),
}
PUBLIC_TYPES = tuple(t for t, (_, kind) in TAGGABLE.items() if kind == "public")


def load(db, rows) -> list:
    return [inv.tag(t) for t in rows]


def _resource_visible(caller: Caller, resource_uuid_col, resource_type_col):
    """A tag's resource is visible: a public-read type, or owned by / shared with the caller."""
    if caller.is_admin:
        return None
    return or_(resource_type_col.in_(PUBLIC_TYPES), owned_filter(caller, resource_uuid_col))


def visibility_of(kind: str):
    def visibility(caller: Caller, model):
        seen = _resource_visible(caller, model.resource_uuid, model.resource_type)
        return model.kind == kind if seen is None else and_(model.kind == kind, seen)
    visibility.__name__ = f"{kind.lower()}_tag_visibility"
    return visibility


def _check_resource(ctx: Ctx, resource_type: str, resource_uuid: str) -> None:
    """The resource exists and the caller may see it (else not found) and own it (else ID.1002)."""
    entry = TAGGABLE.get(resource_type)
    if entry is None:
        raise InvalidArgument(f"invalid field[resourceType]: [{resource_type}] is not a taggable resource type; "
                              f"one of {', '.join(sorted(TAGGABLE))}")
    model, who = entry
    stmt = select(model.uuid).where(model.uuid == resource_uuid)
    if not ctx.caller.is_admin:
        if who == "admin":
            raise not_found("resourceUuid", resource_uuid)
        if who == "owned":
            stmt = stmt.where(owned_filter(ctx.caller, model.uuid))
    if ctx.db.scalar(stmt) is None:
        raise not_found("resourceUuid", resource_uuid)
    require_owner(ctx, resource_uuid, resource_type.removesuffix("VO"))


def _create(ctx: Ctx, p, kind: str):
    _check_resource(ctx, p.resourceType, p.resourceUuid)
    existing = ctx.db.scalar(select(Tag.uuid).where(Tag.resource_uuid == p.resourceUuid, Tag.kind == kind,
                                                    Tag.tag == p.tag))
    if existing is not None:
        raise InvalidArgument(f"{kind.lower()} tag[{p.tag}] already exists on resource[uuid:{p.resourceUuid}] "
                              f"(tag uuid:{existing})")
    now = ctx.now()
    tag = Tag(uuid=ctx.new_uuid(), kind=kind, resource_uuid=p.resourceUuid, resource_type=p.resourceType, tag=p.tag, inherent=False,
              type=kind, create_date=now, last_op_date=now)
    ctx.db.add(tag)
    ctx.db.flush()
    return inv.tag(tag)


def create_system_tag(ctx: Ctx, p):
    return _create(ctx, p, "System")


def create_user_tag(ctx: Ctx, p):
    return _create(ctx, p, "User")


def delete_tag(ctx: Ctx, p):
    """Unknown tag, or one on a resource the caller may not see: success, nothing done (as ZStack deletes)."""
    stmt = select(Tag).where(Tag.uuid == p.uuid)
    seen = _resource_visible(ctx.caller, Tag.resource_uuid, Tag.resource_type)
    tag = ctx.db.scalar(stmt if seen is None else stmt.where(seen))
    if tag is None:
        return {}
    require_owner(ctx, tag.resource_uuid, tag.resource_type.removesuffix("VO"))
    if tag.inherent:
        raise InvalidArgument(f"tag[uuid:{tag.uuid}] is inherent to its resource and cannot be deleted")
    ctx.db.delete(tag)
    return {}
