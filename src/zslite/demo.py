"""The demo cloud: the seed's scene, built through the services (not HTTP), idempotent.

Every resource has a fixed uuid and is created only when it is missing, so a second run creates
nothing (apart from the fresh admin session printed for the curl line). The scene:

- zone "demo-zone" with an x86_64 KVM cluster and one host;
- a Ceph primary storage and a Ceph backup storage on the same monitors (same fsid), attached;
- TinyLinux (the seed's image) on that backup storage, installPath ceph://zs-images/...;
- images that are NOT candidates for the seed's VM, each for one reason: an ISO, a disabled image,
  an aarch64 image, and one only on a backup storage attached to another zone;
- two VMs from TinyLinux: the seed's 54f0aebe… (Stopped) and a running one.
"""

from __future__ import annotations

import sys
from typing import Any

from sqlalchemy import select

from zslite.apispec import api as spec_of
from zslite.db.models import (
    BackupStorage,
    BackupStorageZoneRef,
    Cluster,
    Host,
    Image,
    ImageBackupStorageRef,
    InstanceOffering,
    PrimaryStorage,
    PrimaryStorageClusterRef,
    Session,
    VmInstance,
    Zone,
)
from zslite.ids import new_uuid
from zslite.security import sha512_hex
from zslite.services.common import add_owner
from zslite.context import ADMIN_ACCOUNT_UUID, SYSTEM, Ctx

GIB = 1024**3
MIB = 1024**2

ZONE = "de700000000000000000000000000001"
OTHER_ZONE = "de700000000000000000000000000002"
CLUSTER = "de700000000000000000000000000011"
HOST = "de700000000000000000000000000021"
CEPH_PS = "de700000000000000000000000000031"
CEPH_BS = "a03a78dbdab23444bb109d67a5059389"          # the seed's backup storage
OTHER_BS = "de700000000000000000000000000042"
OFFERING = "de700000000000000000000000000071"
TINYLINUX = "2354990ad5ee343eba48bb07851a1423"        # the seed's image
TINYLINUX_PATH = "ceph://zs-images/f0b149e053b34c7eb7fe694b182ebffd"
ISO = "de700000000000000000000000000052"
DISABLED = "de700000000000000000000000000053"
AARCH64 = "de700000000000000000000000000054"
OTHER_ZONE_IMAGE = "de700000000000000000000000000055"
SEED_VM = "54f0aebe7a2536978aafb9eb7a95003e"           # the seed's VM
RUNNING_VM = "de700000000000000000000000000062"

MONS = ["root:password@ceph-mon-1", "root:password@ceph-mon-2", "root:password@ceph-mon-3"]

# uuid, name, url, mediaType, format, architecture, state, backup storage, install path
IMAGES = [
    (TINYLINUX, "TinyLinux", "http://192.168.1.20/share/images/tinylinux.qcow2", "RootVolumeTemplate", "qcow2",
     "x86_64", "Enabled", CEPH_BS, TINYLINUX_PATH),
    (ISO, "CentOS-7-installer", "http://192.168.1.20/share/images/centos7.iso", "ISO", "iso", "x86_64", "Enabled",
     CEPH_BS, f"ceph://zs-images/{ISO}"),
    (DISABLED, "OldLinux-disabled", "http://192.168.1.20/share/images/oldlinux.qcow2", "RootVolumeTemplate",
     "qcow2", "x86_64", "Disabled", CEPH_BS, f"ceph://zs-images/{DISABLED}"),
    (AARCH64, "TinyLinux-aarch64", "http://192.168.1.20/share/images/tinylinux-arm.qcow2", "RootVolumeTemplate",
     "qcow2", "aarch64", "Enabled", CEPH_BS, f"ceph://zs-images/{AARCH64}"),
    (OTHER_ZONE_IMAGE, "TinyLinux-other-zone", "http://192.168.1.20/share/images/tinylinux.qcow2",
     "RootVolumeTemplate", "qcow2", "x86_64", "Enabled", OTHER_BS,
     f"zstore://{OTHER_BS}/{OTHER_ZONE_IMAGE}"),
]


def _run(ctx: Ctx, api_name: str, params: dict) -> Any:
    """Call an API's service through its spec (parameters validated by the spec's own model)."""
    spec = spec_of(api_name)
    return spec.handler(ctx, spec.params.model_validate(params))


def _once(ctx: Ctx, model, uuid: str, api_name: str, params: dict, created: list[str]) -> None:
    if ctx.db.get(model, uuid) is None:
        _run(ctx, api_name, {"resourceUuid": uuid, **params})
        created.append(uuid)


def _image(ctx: Ctx, uuid, name, url, media_type, fmt, arch, state, bs_uuid, path, created: list[str]) -> None:
    if ctx.db.get(Image, uuid) is not None:
        return
    now = ctx.now()
    size = 600 * MIB if media_type == "ISO" else 64 * MIB
    ctx.db.add(Image(uuid=uuid, name=name, description=f"demo image: {name}", state=state, status="Ready",
                     size=size, actual_size=size // 2, md5_sum=None, url=url, media_type=media_type, guest_os_type="Linux", type="zstack",
                     platform="Linux", format=fmt, system=False, architecture=arch, virtio=True, create_date=now,
                     last_op_date=now))
    add_owner(ctx, uuid, "ImageVO", ADMIN_ACCOUNT_UUID)
    ctx.db.flush()
    ctx.db.add(ImageBackupStorageRef(image_uuid=uuid, backup_storage_uuid=bs_uuid, install_path=path,
                                     status="Ready", create_date=now, last_op_date=now))
    ctx.db.flush()
    created.append(uuid)


def build(ctx: Ctx) -> list[str]:
    """Create whatever of the scene is missing; return the uuids created."""
    created: list[str] = []
    _once(ctx, Zone, ZONE, "CreateZone", {"name": "demo-zone", "description": "the demo zone", "isDefault": True},
          created)
    _once(ctx, Zone, OTHER_ZONE, "CreateZone", {"name": "demo-other-zone"}, created)
    _once(ctx, Cluster, CLUSTER, "CreateCluster",
          {"zoneUuid": ZONE, "name": "demo-cluster", "hypervisorType": "KVM", "architecture": "x86_64"}, created)
    _once(ctx, Host, HOST, "AddKVMHost", {"name": "demo-host", "managementIp": "192.168.1.10",
                                          "clusterUuid": CLUSTER, "username": "root", "password": "password"},
          created)
    _once(ctx, PrimaryStorage, CEPH_PS, "AddCephPrimaryStorage",
          {"name": "demo-ceph-ps", "monUrls": MONS, "zoneUuid": ZONE, "rootVolumePoolName": "zs-volumes"}, created)
    if ctx.db.get(PrimaryStorageClusterRef, (CEPH_PS, CLUSTER)) is None:
        _run(ctx, "AttachPrimaryStorageToCluster", {"clusterUuid": CLUSTER, "primaryStorageUuid": CEPH_PS})
    _once(ctx, BackupStorage, CEPH_BS, "AddCephBackupStorage",
          {"name": "demo-ceph-bs", "monUrls": MONS, "poolName": "zs-images"}, created)
    _once(ctx, BackupStorage, OTHER_BS, "AddImageStoreBackupStorage",
          {"name": "demo-other-zone-bs", "url": "/zstack_bs", "hostname": "192.168.2.20", "username": "root",
           "password": "password"}, created)
    for bs_uuid, zone_uuid in ((CEPH_BS, ZONE), (OTHER_BS, OTHER_ZONE)):
        if ctx.db.get(BackupStorageZoneRef, (bs_uuid, zone_uuid)) is None:
            _run(ctx, "AttachBackupStorageToZone", {"zoneUuid": zone_uuid, "backupStorageUuid": bs_uuid})
    _once(ctx, InstanceOffering, OFFERING, "CreateInstanceOffering",
          {"name": "demo-1c1g", "cpuNum": 1, "memorySize": GIB}, created)
    for row in IMAGES:
        _image(ctx, *row, created=created)
    _once(ctx, VmInstance, SEED_VM, "CreateVmInstance",
          {"name": "demo-vm", "imageUuid": TINYLINUX, "instanceOfferingUuid": OFFERING, "strategy": "CreateStopped",
           "description": "the seed's VM: ask which images it may change to"}, created)
    _once(ctx, VmInstance, RUNNING_VM, "CreateVmInstance",
          {"name": "demo-vm-running", "imageUuid": TINYLINUX, "instanceOfferingUuid": OFFERING}, created)
    return created


def _admin_session(ctx: Ctx) -> str:
    now = ctx.now()
    uuid = new_uuid()
    ctx.db.add(Session(uuid=uuid, account_uuid=ADMIN_ACCOUNT_UUID, user_uuid=ADMIN_ACCOUNT_UUID, create_date=now,
                       last_used=now))
    return uuid


def load(rt) -> dict:
    with rt.database.write() as s:
        ctx = Ctx(db=s, caller=SYSTEM, settings=rt.settings, clock=rt.clock, new_uuid=new_uuid,
                  database=rt.database)
        created = build(ctx)
        session = _admin_session(ctx)
        root = s.scalar(select(VmInstance.root_volume_uuid).where(VmInstance.uuid == SEED_VM))
    return {"created": created, "session": session, "vm": SEED_VM, "image": TINYLINUX, "rootVolume": root}


def load_and_print(rt, port: int, host: str = "localhost") -> dict:
    from zslite.server.console import url as console_url  # (the console's address, not its code)

    scene = load(rt)
    pw = sha512_hex(rt.settings.admin_password)
    console = console_url(host, port)
    base = f"{console}zstack/v1"
    print(f"""
zslite is ready ({len(scene['created'])} demo resource(s) created)
  web console:  {console}  (log in as admin)
  API:          {base}

Log in:
  curl -s -X PUT {base}/accounts/login \\
    -d '{{"logInByAccount": {{"accountName": "admin", "password": "{pw}"}}}}'

Images the seed's VM may change to (a fresh admin session, valid while used):
  curl -H "Content-Type: application/json;charset=UTF-8" -H "Authorization: OAuth {scene['session']}" -X GET {base}/vm-instances/{SEED_VM}/image-candidates
""", file=sys.stderr, flush=True)
    return scene


class NotADemoDatabase(Exception):
    pass


def is_demo(db) -> bool:
    """The database holds the demo cloud (its zone), or nothing at all but the admin account."""
    from sqlalchemy import func

    from zslite.db.models import Account

    if db.get(Zone, ZONE) is not None:
        return True
    others = db.scalar(select(func.count()).select_from(Account).where(Account.uuid != ADMIN_ACCOUNT_UUID))
    return not others and db.scalar(select(func.count()).select_from(Zone)) == 0 and \
        db.scalar(select(func.count()).select_from(Image)) == 0


def reset(database) -> int:
    """Delete every row of every table (the schema and its Alembic revision stay), in one transaction.
    Refused (NotADemoDatabase) on a database that holds data but no demo cloud."""
    from zslite.db.base import Base

    deleted = 0
    with database.write() as s:
        if not is_demo(s):
            raise NotADemoDatabase("this database holds data but no demo cloud: `demo --reset` only replaces a demo "
                                   "database (it deletes everything in it)")
        for table in reversed(Base.metadata.sorted_tables):
            deleted += s.execute(table.delete()).rowcount or 0
    return deleted
