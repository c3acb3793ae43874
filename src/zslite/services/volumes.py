"""Volumes: root volumes instantiated from images, primary-storage capacity, expunge."""

from __future__ import annotations

import orjson
from sqlalchemy import delete, select

from zslite.db.models import Image, PrimaryStorage, Volume
from zslite.services import primary_storage
from zslite.services.common import add_owner, forget_resource
from zslite.context import Ctx
from zslite.wire import inventories as inv

RESOURCE_TYPE = "VolumeVO"


def load(db, rows) -> list:
    return [inv.volume(v) for v in rows]


# primary-storage capacity: the infrastructure's compare-and-set helpers
reserve = primary_storage.reserve_capacity
release = primary_storage.release_capacity


# ---- root volumes -----------------------------------------------------------------------------

def _root_pool(ps: PrimaryStorage) -> str:
    for pool in orjson.loads(ps.pools) if ps.pools else []:
        if isinstance(pool, dict) and pool.get("type") == "Root" and pool.get("poolName"):
            return pool["poolName"]
        if isinstance(pool, str):
            return pool
    return f"pri-v-r-{ps.uuid}"


def root_install_path(ps: PrimaryStorage, volume_uuid: str, account_uuid: str) -> str:
    """Where the simulated primary-storage agent puts a root volume, in the style of its type."""
    if ps.type == "Ceph":
        return f"ceph://{_root_pool(ps)}/{volume_uuid}"
    base = (ps.mount_path or ps.url or "").rstrip("/")
    return f"{base}/rootVolumes/acct-{account_uuid}/vol-{volume_uuid}/{volume_uuid}.qcow2"


def create_root_volume(ctx: Ctx, *, vm_uuid: str, vm_name: str, image: Image, ps: PrimaryStorage,
                       host_uuid: str | None, account_uuid: str) -> Volume:
    """Instantiate a root volume from image on ps (capacity reserved), owned by account_uuid."""
    reserve(ctx, ps.uuid, image.size)
    now = ctx.now()
    uuid = ctx.new_uuid()
    vol = Volume(uuid=uuid, name=f"ROOT-for-{vm_name}"[:255], description=f"Root volume for VM[uuid:{vm_uuid}]",
                 primary_storage_uuid=ps.uuid, vm_instance_uuid=vm_uuid, root_image_uuid=image.uuid,
                 install_path=root_install_path(ps, uuid, account_uuid), type="Root",
                 format=image.format if image.format != "iso" else "qcow2", size=image.size,
                 actual_size=image.actual_size, device_id=0, state="Enabled", status="Ready",
                 is_shareable=False, host_uuid=host_uuid if ps.type == "LocalStorage" else None,
                 create_date=now, last_op_date=now)
    ctx.db.add(vol)
    add_owner(ctx, uuid, RESOURCE_TYPE, account_uuid)
    ctx.db.flush()
    return vol


def expunge_volumes_of(ctx: Ctx, vm_uuid: str) -> int:
    """Delete every volume of a VM and return its capacity to its primary storage. Returns the count."""
    vols = ctx.db.scalars(select(Volume).where(Volume.vm_instance_uuid == vm_uuid)).all()
    for vol in vols:
        if vol.primary_storage_uuid:
            release(ctx, vol.primary_storage_uuid, vol.size)
        forget_resource(ctx, vol.uuid)
    if vols:
        ctx.db.execute(delete(Volume).where(Volume.uuid.in_([v.uuid for v in vols]))
                       .execution_options(synchronize_session=False))
    return len(vols)
