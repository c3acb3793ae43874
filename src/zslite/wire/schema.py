"""The "schema" map the Java SDK needs to type its results: JSON path → ZStack class name.

Inventories are plain dicts tagged with their ZStack class (class Inv). The walk emits one
entry per tagged object, parents before children.
"""

from __future__ import annotations

from typing import Any

P = "org.zstack.header."
CLASSES = {
    "Zone": P + "zone.ZoneInventory",
    "Cluster": P + "cluster.ClusterInventory",
    "Host": P + "host.HostInventory",
    "KVMHost": "org.zstack.kvm.KVMHostInventory",
    "VmInstance": P + "vm.VmInstanceInventory",
    "Volume": P + "volume.VolumeInventory",
    "Image": P + "image.ImageInventory",
    "ImageBackupStorageRef": P + "image.ImageBackupStorageRefInventory",
    "PrimaryStorage": P + "storage.primary.PrimaryStorageInventory",
    "CephPrimaryStorage": "org.zstack.storage.ceph.primary.CephPrimaryStorageInventory",
    "BackupStorage": P + "storage.backup.BackupStorageInventory",
    "CephBackupStorage": "org.zstack.storage.ceph.backup.CephBackupStorageInventory",
    "CephPrimaryStorageMon": "org.zstack.storage.ceph.primary.CephPrimaryStorageMonInventory",
    "CephPrimaryStoragePool": "org.zstack.storage.ceph.primary.CephPrimaryStoragePoolInventory",
    "CephBackupStorageMon": "org.zstack.storage.ceph.backup.CephBackupStorageMonInventory",
    "ImageStoreBackupStorage": "org.zstack.storage.backup.imagestore.ImageStoreBackupStorageInventory",
    "SftpBackupStorage": "org.zstack.storage.backup.sftp.SftpBackupStorageInventory",
    "InstanceOffering": P + "configuration.InstanceOfferingInventory",
    "Account": P + "identity.AccountInventory",
    "Session": P + "identity.SessionInventory",
    "AccessKey": P + "identity.AccessKeyInventory",
    "SharedResource": P + "identity.SharedResourceInventory",
    "SystemTag": P + "tag.SystemTagInventory",
    "UserTag": P + "tag.UserTagInventory",
    "TaskProgress": P + "core.progress.TaskProgressInventory",
    "ManagementNode": P + "managementnode.ManagementNodeInventory",
    # zslite's own extensions (SPEC §11): no ZStack SDK knows them, so no org.zstack.header name
    "ImageChangePlan": "org.zstack.zslite.plan.ImageChangePlanInventory",
    "ImageChangePlanVm": "org.zstack.zslite.plan.ImageChangePlanVmInventory",
}


class Inv(dict):
    """An inventory: a dict that knows its ZStack class. Serializes as a plain JSON object."""

    __slots__ = ("zclass",)

    def __init__(self, zclass: str, *args, **kw):
        super().__init__(*args, **kw)
        self.zclass = zclass


def schema_of(body: Any, path: str = "", out: dict | None = None) -> dict[str, str]:
    out = {} if out is None else out
    if isinstance(body, Inv) and path:
        out[path] = CLASSES[body.zclass]
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, (dict, list)):
                schema_of(value, f"{path}.{key}" if path else key, out)
    elif isinstance(body, list):
        for i, value in enumerate(body):
            if isinstance(value, (dict, list)):
                schema_of(value, f"{path}[{i}]", out)
    return out
