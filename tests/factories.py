"""Rows straight into the database, for tests that need a scene without going through every API.

Every function takes a SQLAlchemy session and keyword overrides, and returns the row. Owned rows
get an owner (admin unless account_uuid is given).
"""

from __future__ import annotations

import itertools
import json
import uuid as uuidlib
from datetime import datetime

from zslite.db import models as m
from zslite.context import ADMIN_ACCOUNT_UUID

_seq = itertools.count()
NOW = datetime(2026, 1, 6, 3, 51, 16)
TIB = 10 * 1024**4


def uid() -> str:
    return uuidlib.uuid4().hex


def _dates(kw):
    kw.setdefault("create_date", NOW)
    kw.setdefault("last_op_date", NOW)
    return kw


def own(s, resource_uuid: str, resource_type: str, account_uuid: str | None = None):
    s.add(m.AccountResourceRef(resource_uuid=resource_uuid, resource_type=resource_type,
                               account_uuid=account_uuid or ADMIN_ACCOUNT_UUID, create_date=NOW))


def zone(s, **kw) -> m.Zone:
    row = m.Zone(**_dates({"uuid": uid(), "name": f"zone-{next(_seq)}", "state": "Enabled", "type": "zstack",
                           "is_default": False, **kw}))
    s.add(row)
    own(s, row.uuid, "ZoneVO")
    s.flush()
    return row


def cluster(s, zone_uuid: str, **kw) -> m.Cluster:
    row = m.Cluster(**_dates({"uuid": uid(), "name": f"cluster-{next(_seq)}", "state": "Enabled",
                              "hypervisor_type": "KVM", "zone_uuid": zone_uuid, "type": "zstack",
                              "architecture": "x86_64", **kw}))
    s.add(row)
    own(s, row.uuid, "ClusterVO")
    s.flush()
    return row


def host(s, cluster: m.Cluster, **kw) -> m.Host:
    n = next(_seq)
    row = m.Host(**_dates({"uuid": uid(), "name": f"host-{n}", "zone_uuid": cluster.zone_uuid,
                           "cluster_uuid": cluster.uuid, "management_ip": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
                           "hypervisor_type": "KVM", "state": "Enabled", "status": "Connected",
                           "architecture": cluster.architecture, "ssh_port": 22,
                           "total_cpu_capacity": 64, "available_cpu_capacity": 64,
                           "total_memory_capacity": 256 * 1024**3, "available_memory_capacity": 256 * 1024**3,
                           **kw}))
    s.add(row)
    own(s, row.uuid, "HostVO")
    s.flush()
    return row


def primary_storage(s, zone_uuid: str, type: str = "NFS", cluster_uuids=(), **kw) -> m.PrimaryStorage:
    defaults = {"uuid": uid(), "name": f"ps-{next(_seq)}", "zone_uuid": zone_uuid, "url": "/ps", "type": type,
                "state": "Enabled", "status": "Connected", "total_capacity": TIB, "available_capacity": TIB,
                "total_physical_capacity": TIB, "available_physical_capacity": TIB}
    if type == "Ceph":
        defaults.update({"fsid": kw.pop("fsid", "fsid-1"), "mons": json.dumps([]), "pools": json.dumps([])})
    row = m.PrimaryStorage(**_dates({**defaults, **kw}))
    s.add(row)
    own(s, row.uuid, "PrimaryStorageVO")
    s.flush()
    for c in cluster_uuids:
        s.add(m.PrimaryStorageClusterRef(primary_storage_uuid=row.uuid, cluster_uuid=c))
    s.flush()
    return row


def backup_storage(s, type: str = "ImageStoreBackupStorage", zone_uuids=(), **kw) -> m.BackupStorage:
    defaults = {"uuid": uid(), "name": f"bs-{next(_seq)}", "url": "/bs", "type": type, "state": "Enabled",
                "status": "Connected", "total_capacity": TIB, "available_capacity": TIB}
    if type == "Ceph":
        defaults.update({"fsid": kw.pop("fsid", "fsid-1"), "pool_name": "zs-images", "mons": json.dumps([])})
    else:
        defaults.update({"hostname": "bs.local", "username": "root", "ssh_port": 22})
    row = m.BackupStorage(**_dates({**defaults, **kw}))
    s.add(row)
    own(s, row.uuid, "BackupStorageVO")
    s.flush()
    for z in zone_uuids:
        s.add(m.BackupStorageZoneRef(backup_storage_uuid=row.uuid, zone_uuid=z))
    s.flush()
    return row


def image(s, account_uuid: str | None = None, backup_storage_uuids=(), ref_status: str = "Ready",
          **kw) -> m.Image:
    row = m.Image(**_dates({"uuid": uid(), "name": f"image-{next(_seq)}", "state": "Enabled", "status": "Ready",
                            "size": 1024**3, "actual_size": 512 * 1024**2, "url": "http://example/img.qcow2",
                            "media_type": "RootVolumeTemplate", "type": "zstack", "platform": "Linux",
                            "format": "qcow2", "system": False, "architecture": "x86_64", "virtio": True,
                            "guest_os_type": "Linux", **kw}))
    s.add(row)
    own(s, row.uuid, "ImageVO", account_uuid)
    s.flush()
    for bs in backup_storage_uuids:
        image_ref(s, row.uuid, bs, status=ref_status)
    return row


def image_ref(s, image_uuid: str, backup_storage_uuid: str, **kw) -> m.ImageBackupStorageRef:
    row = m.ImageBackupStorageRef(**_dates({"image_uuid": image_uuid, "backup_storage_uuid": backup_storage_uuid,
                                            "install_path": f"zstore://{image_uuid}", "status": "Ready", **kw}))
    s.add(row)
    s.flush()
    return row


def share(s, resource_uuid: str, owner_account_uuid: str, receiver: str | None = None, public: bool = False):
    s.add(m.SharedResource(resource_uuid=resource_uuid, resource_type="ImageVO",
                           owner_account_uuid=owner_account_uuid, receiver_account_uuid=receiver or "",
                           to_public=public, create_date=NOW))
    s.flush()


def account(s, name: str | None = None, **kw) -> m.Account:
    from zslite.security import hash_password, sha512_hex
    row = m.Account(**_dates({"uuid": uid(), "name": name or f"acct-{next(_seq)}", "type": "Normal",
                              "password_hash": hash_password(sha512_hex("password"), 2**4), **kw}))
    s.add(row)
    s.flush()
    return row


def vm(s, cluster: m.Cluster, host: m.Host | None, ps: m.PrimaryStorage, image: m.Image | None = None,
       account_uuid: str | None = None, with_root: bool = True, **kw) -> m.VmInstance:
    row = m.VmInstance(**_dates({
        "uuid": uid(), "name": f"vm-{next(_seq)}", "zone_uuid": cluster.zone_uuid, "cluster_uuid": cluster.uuid,
        "image_uuid": image.uuid if image else None, "host_uuid": host.uuid if host else None,
        "last_host_uuid": host.uuid if host else None, "platform": "Linux", "architecture": cluster.architecture,
        "type": "UserVm", "hypervisor_type": "KVM", "memory_size": 1024**3, "cpu_num": 1, "state": "Stopped",
        **kw}))
    s.add(row)
    own(s, row.uuid, "VmInstanceVO", account_uuid)
    s.flush()
    if with_root:
        vol = volume(s, ps, vm_uuid=row.uuid, root_image_uuid=image.uuid if image else None,
                     account_uuid=account_uuid, host_uuid=host.uuid if host and ps.type == "LocalStorage" else None)
        row.root_volume_uuid = vol.uuid
        s.flush()
    return row


def volume(s, ps: m.PrimaryStorage, vm_uuid: str | None = None, type: str = "Root", account_uuid: str | None = None,
           **kw) -> m.Volume:
    row = m.Volume(**_dates({"uuid": uid(), "name": f"vol-{next(_seq)}", "primary_storage_uuid": ps.uuid,
                             "vm_instance_uuid": vm_uuid, "type": type, "format": "qcow2", "size": 1024**3,
                             "actual_size": 1024**3, "device_id": 0 if type == "Root" else 1, "state": "Enabled",
                             "status": "Ready", "is_shareable": False, **kw}))
    s.add(row)
    own(s, row.uuid, "VolumeVO", account_uuid)
    s.flush()
    return row
