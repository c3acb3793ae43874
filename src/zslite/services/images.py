"""Images: add (through the simulated backup-storage agent), state, update, soft delete, recover, expunge."""

from __future__ import annotations


from sqlalchemy import delete, select, update

from zslite.db.models import BackupStorage, Image, ImageBackupStorageRef
from zslite.errors import InvalidArgument, OperationError, PermissionDenied, not_found
from zslite.policy.visibility import owned_filter
from zslite.services.common import (
    grouped_by,
    add_owner,
    add_tags,
    ensure_new_uuid,
    forget_resource,
    get_visible,
    require_owner,
    set_state,
)
from zslite.context import Ctx
from zslite.simulator import images as agent
from zslite.wire import inventories as inv

RESOURCE_TYPE = "ImageVO"
FORMAT_BY_SUFFIX = {".qcow2": "qcow2", ".img": "raw", ".raw": "raw", ".iso": "iso", ".vmdk": "vmdk"}


# ---- loading ----------------------------------------------------------------------------------

def refs_by_image(db, image_uuids) -> dict[str, list[ImageBackupStorageRef]]:
    """All refs of these images in ONE query, in a stable order."""
    ref = ImageBackupStorageRef
    return grouped_by(db, ref.image_uuid, image_uuids, order_by=(ref.image_uuid, ref.id))


def load(db, rows) -> list:
    refs = refs_by_image(db, [i.uuid for i in rows])
    return [inv.image(i, refs.get(i.uuid, ())) for i in rows]


def inventory_of(ctx: Ctx, image: Image):
    return load(ctx.db, [image])[0]


def visibility(caller, model):
    """Owner, accounts it is shared with, everyone if public; admin sees all."""
    return owned_filter(caller, model.uuid)


def visible_image(ctx: Ctx, uuid: str, field: str = "uuid") -> Image:
    return get_visible(ctx, Image, uuid, field, visibility)


def owned_image(ctx: Ctx, uuid: str, field: str = "uuid") -> Image:
    """An image the caller may see (else not found) and owns (else ID.1002), for writes."""
    image = visible_image(ctx, uuid, field)
    require_owner(ctx, image.uuid, "image")
    return image


# ---- AddImage ---------------------------------------------------------------------------------

def _format_of(p) -> str:
    if p.format:
        return p.format
    if p.mediaType == "ISO":
        return "iso"
    path = p.url.split("?", 1)[0].lower()
    for suffix, fmt in FORMAT_BY_SUFFIX.items():
        if path.endswith(suffix):
            return fmt
    return "raw"


def _usable_backup_storages(ctx: Ctx, uuids: list[str]) -> list[BackupStorage]:
    """Every named backup storage must exist (any account may name it) and be Enabled and Connected."""
    wanted = list(dict.fromkeys(uuids))
    found = {b.uuid: b for b in ctx.db.scalars(select(BackupStorage).where(BackupStorage.uuid.in_(wanted)))}
    for uuid in wanted:
        if uuid not in found:
            raise not_found("backupStorageUuids", uuid)
    for uuid in wanted:
        bs = found[uuid]
        if bs.state != "Enabled":
            raise OperationError(f"backup storage[uuid:{uuid}] is {bs.state}, not Enabled; cannot add an image "
                                 "to it")
        if bs.status != "Connected":
            raise OperationError(f"backup storage[uuid:{uuid}] is {bs.status}, not Connected; cannot add an "
                                 "image to it")
    return [found[u] for u in wanted]


def _consume_backup_storage(ctx: Ctx, bs: BackupStorage, size: int) -> None:
    if size <= 0:
        return
    done = ctx.db.execute(update(BackupStorage)
                          .where(BackupStorage.uuid == bs.uuid, BackupStorage.available_capacity >= size)
                          .values(available_capacity=BackupStorage.available_capacity - size)
                          .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise OperationError(f"backup storage[uuid:{bs.uuid}] has not enough available capacity for image of "
                             f"{size} bytes")


def _return_backup_storage(ctx: Ctx, bs_uuid: str, size: int) -> None:
    if size <= 0:
        return
    ctx.db.execute(update(BackupStorage).where(BackupStorage.uuid == bs_uuid)
                   .values(available_capacity=BackupStorage.available_capacity + size)
                   .execution_options(synchronize_session=False))
    ctx.db.execute(update(BackupStorage)
                   .where(BackupStorage.uuid == bs_uuid,
                          BackupStorage.available_capacity > BackupStorage.total_capacity)
                   .values(available_capacity=BackupStorage.total_capacity)
                   .execution_options(synchronize_session=False))


def add_image(ctx: Ctx, p):
    scheme = agent.scheme_of(p.url)
    if scheme not in agent.SCHEMES:
        raise InvalidArgument(f"invalid url[{p.url}]: the scheme must be one of {', '.join(agent.SCHEMES)}")
    if scheme == "file" and not ctx.caller.is_admin:
        # the agent would read a file of the management server's own disk: admin only
        raise PermissionDenied("only admin may add an image from a file:// url of the management server")
    storages = _usable_backup_storages(ctx, p.backupStorageUuids)
    uuid = p.resourceUuid or ctx.new_uuid()
    if p.resourceUuid:
        ensure_new_uuid(ctx, Image, uuid)
    # the agent's download, before anything is written: a bad file:// url writes nothing
    got = agent.download(p.url)

    now = ctx.now()
    image = Image(uuid=uuid, name=p.name, description=p.description, state="Enabled", status="Downloading",
                  size=0, actual_size=0, md5_sum=None, url=p.url, media_type=p.mediaType,
                  guest_os_type=p.guestOsType, type=p.type or "zstack", platform=p.platform, format=_format_of(p),
                  system=p.system, architecture=p.architecture, virtio=p.virtio, create_date=now,
                  last_op_date=now)
    ctx.db.add(image)
    add_owner(ctx, uuid, RESOURCE_TYPE)
    add_tags(ctx, uuid, RESOURCE_TYPE, p.systemTags, p.userTags)
    refs = []
    for bs in storages:
        ref = ImageBackupStorageRef(image_uuid=uuid, backup_storage_uuid=bs.uuid, status="Downloading",
                                    install_path=agent.install_path(bs, uuid, p.name, p.mediaType,
                                                                    ctx.caller.account_uuid, ctx.new_uuid),
                                    create_date=now, last_op_date=now)
        ctx.db.add(ref)
        refs.append(ref)
    ctx.db.flush()

    # the simulated agents report the download done
    for bs in storages:
        _consume_backup_storage(ctx, bs, got.actual_size)
    for ref in refs:
        ref.status = "Ready"
        ref.last_op_date = ctx.now()
    image.size, image.actual_size, image.md5_sum = got.size, got.actual_size, got.md5_sum
    image.status = "Ready"
    image.last_op_date = ctx.now()
    ctx.db.flush()
    return inventory_of(ctx, image)


# ---- state, update ----------------------------------------------------------------------------

def change_image_state(ctx: Ctx, p):
    image = owned_image(ctx, p.uuid)
    set_state(ctx, Image, image, "image", p.stateEvent)
    return inventory_of(ctx, image)


UPDATABLE = {"name": "name", "description": "description", "platform": "platform", "guestOsType": "guest_os_type",
             "architecture": "architecture", "mediaType": "media_type", "format": "format", "system": "system",
             "virtio": "virtio"}


def update_image(ctx: Ctx, p):
    image = owned_image(ctx, p.uuid)
    changed = False
    for field, attr in UPDATABLE.items():
        value = getattr(p, field)
        if value is not None and getattr(image, attr) != value:
            setattr(image, attr, value)
            changed = True
    if changed:
        image.last_op_date = ctx.now()
    ctx.db.flush()
    return inventory_of(ctx, image)


# ---- delete, recover, expunge -----------------------------------------------------------------

def delete_image(ctx: Ctx, p):
    """Soft delete: status Deleted, refs and bits kept until expunge. Unknown (or invisible) → success."""
    image = ctx.db.scalar(select(Image).where(Image.uuid == p.uuid, *_visible(ctx)))
    if image is None:
        return {}
    require_owner(ctx, image.uuid, "image")
    _set_status(ctx, image, expected=image.status, target="Deleted")
    return {}


def recover_image(ctx: Ctx, p):
    image = owned_image(ctx, p.imageUuid, "imageUuid")
    if image.status != "Deleted":
        raise OperationError(f"image[uuid:{image.uuid}] is not deleted (status {image.status}); nothing to "
                             "recover")
    _set_status(ctx, image, expected="Deleted", target="Ready")
    return inventory_of(ctx, image)


def expunge_image(ctx: Ctx, p):
    image = owned_image(ctx, p.imageUuid, "imageUuid")
    if image.status != "Deleted":
        raise OperationError(f"image[uuid:{image.uuid}] is not deleted (status {image.status}); delete it "
                             "before expunging it")
    refs = refs_by_image(ctx.db, [image.uuid]).get(image.uuid, [])
    ctx.db.execute(delete(ImageBackupStorageRef).where(ImageBackupStorageRef.image_uuid == image.uuid)
                   .execution_options(synchronize_session=False))
    done = ctx.db.execute(delete(Image).where(Image.uuid == image.uuid, Image.status == "Deleted")
                          .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise OperationError(f"image[uuid:{image.uuid}] changed concurrently; try again")
    for ref in refs:
        _return_backup_storage(ctx, ref.backup_storage_uuid, image.actual_size)
    forget_resource(ctx, image.uuid)
    ctx.db.expunge(image)
    return {}


def _visible(ctx: Ctx) -> list:
    cond = owned_filter(ctx.caller, Image.uuid)
    return [] if cond is None else [cond]


def _set_status(ctx: Ctx, image: Image, *, expected: str, target: str) -> None:
    done = ctx.db.execute(update(Image).where(Image.uuid == image.uuid, Image.status == expected)
                          .values(status=target, last_op_date=ctx.now())
                          .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise OperationError(f"image[uuid:{image.uuid}] changed status concurrently; try again")
    ctx.db.refresh(image)
