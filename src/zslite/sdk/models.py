"""Typed results of zslite.Client: pydantic models picked by the reply's "schema" map.

The server names each object's ZStack class (`org.zstack.header.image.ImageInventory`); the client
asks for that map (X-JSON-Schema) and builds the model of the class's simple name, falling back to
`Inventory`. Every model keeps unknown fields (attribute access works for them too), so a newer
server never breaks an older client. Dates are parsed from ZStack's "Jan 6, 2017 3:51:16 AM" into
naive datetimes in the server's time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


def _date(value: Any) -> Any:
    if isinstance(value, str):
        from zslite.wire.dates import parse_date
        try:
            return parse_date(value, "UTC")
        except ValueError:
            return value
    return value


Date = Annotated[datetime | None, BeforeValidator(_date)]


class Inventory(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=False)

    uuid: str | None = None
    name: str | None = None
    description: str | None = None
    createDate: Date = None
    lastOpDate: Date = None

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)

    def to_dict(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True)


class ZoneInventory(Inventory):
    state: str | None = None
    type: str | None = None
    isDefault: bool | None = None


class ClusterInventory(Inventory):
    state: str | None = None
    hypervisorType: str | None = None
    zoneUuid: str | None = None
    type: str | None = None
    architecture: str | None = None


class HostInventory(Inventory):
    zoneUuid: str | None = None
    clusterUuid: str | None = None
    managementIp: str | None = None
    hypervisorType: str | None = None
    state: str | None = None
    status: str | None = None
    architecture: str | None = None


class KVMHostInventory(HostInventory):
    pass


class PrimaryStorageInventory(Inventory):
    zoneUuid: str | None = None
    url: str | None = None
    type: str | None = None
    state: str | None = None
    status: str | None = None
    attachedClusterUuids: list[str] | None = None


class CephPrimaryStorageInventory(PrimaryStorageInventory):
    fsid: str | None = None


class BackupStorageInventory(Inventory):
    url: str | None = None
    type: str | None = None
    state: str | None = None
    status: str | None = None
    attachedZoneUuids: list[str] | None = None


class CephBackupStorageInventory(BackupStorageInventory):
    fsid: str | None = None
    poolName: str | None = None


class ImageStoreBackupStorageInventory(BackupStorageInventory):
    hostname: str | None = None


class SftpBackupStorageInventory(BackupStorageInventory):
    hostname: str | None = None


class ImageBackupStorageRefInventory(Inventory):
    imageUuid: str | None = None
    backupStorageUuid: str | None = None
    installPath: str | None = None
    exportUrl: str | None = None
    exportMd5Sum: str | None = None
    status: str | None = None


class ImageInventory(Inventory):
    state: str | None = None
    status: str | None = None
    size: int | None = None
    actualSize: int | None = None
    md5Sum: str | None = None
    url: str | None = None
    mediaType: str | None = None
    guestOsType: str | None = None
    type: str | None = None
    platform: str | None = None
    format: str | None = None
    system: bool | None = None
    architecture: str | None = None
    virtio: bool | None = None
    backupStorageRefs: list[ImageBackupStorageRefInventory] = []


class VolumeInventory(Inventory):
    primaryStorageUuid: str | None = None
    vmInstanceUuid: str | None = None
    rootImageUuid: str | None = None
    installPath: str | None = None
    type: str | None = None
    format: str | None = None
    size: int | None = None
    state: str | None = None
    status: str | None = None


class VmInstanceInventory(Inventory):
    zoneUuid: str | None = None
    clusterUuid: str | None = None
    imageUuid: str | None = None
    hostUuid: str | None = None
    lastHostUuid: str | None = None
    rootVolumeUuid: str | None = None
    platform: str | None = None
    guestOsType: str | None = None
    architecture: str | None = None
    type: str | None = None
    state: str | None = None
    cpuNum: int | None = None
    memorySize: int | None = None
    allVolumes: list[VolumeInventory] = []


class InstanceOfferingInventory(Inventory):
    cpuNum: int | None = None
    memorySize: int | None = None
    state: str | None = None


class AccountInventory(Inventory):
    type: str | None = None


class SessionInventory(Inventory):
    accountUuid: str | None = None
    userUuid: str | None = None
    userType: str | None = None
    expiredDate: Date = None


class SystemTagInventory(Inventory):
    resourceType: str | None = None
    resourceUuid: str | None = None
    tag: str | None = None


class UserTagInventory(SystemTagInventory):
    pass


class ImageChangePlanVmInventory(Inventory):
    """One VM of a fleet image change plan (SPEC §11): reasons as explain gives them, error an ErrorCode."""

    vmInstanceUuid: str | None = None
    vmName: str | None = None
    oldImageUuid: str | None = None
    state: str | None = None
    reasons: list[dict] | None = None
    error: dict | None = None
    newRootVolumeUuid: str | None = None
    startDate: Date = None
    endDate: Date = None


class ImageChangePlanInventory(Inventory):
    imageUuid: str | None = None
    accountUuid: str | None = None
    state: str | None = None
    dryRun: bool | None = None
    maxConcurrency: int | None = None
    stopRunningVms: bool | None = None
    maxFailures: int | None = None
    total: int = 0
    pending: int = 0
    running: int = 0
    succeeded: int = 0
    failed: int = 0
    refused: int = 0
    skipped: int = 0
    vms: list[ImageChangePlanVmInventory] = []


MODELS: dict[str, type[Inventory]] = {
    cls.__name__: cls for cls in (
        ZoneInventory, ClusterInventory, HostInventory, KVMHostInventory, PrimaryStorageInventory,
        CephPrimaryStorageInventory, BackupStorageInventory, CephBackupStorageInventory,
        ImageStoreBackupStorageInventory, SftpBackupStorageInventory, ImageBackupStorageRefInventory,
        ImageInventory, VolumeInventory, VmInstanceInventory, InstanceOfferingInventory, AccountInventory,
        SessionInventory, SystemTagInventory, UserTagInventory, ImageChangePlanInventory, ImageChangePlanVmInventory)
}


def model_for(class_name: str | None) -> type[Inventory]:
    simple = (class_name or "").rsplit(".", 1)[-1]
    return MODELS.get(simple, Inventory)


def to_model(data: Any, class_name: str | None = None) -> Any:
    if not isinstance(data, dict):
        return data
    return model_for(class_name).model_validate(data)


class InventoryList(list):
    """A list of inventories plus the reply's other top-level fields (total, excluded, …)."""

    def __init__(self, items=(), total: int | None = None, extras: dict | None = None):
        super().__init__(items)
        self.total = total
        self.extras = extras or {}

    def __getattr__(self, name: str) -> Any:
        extras = self.__dict__.get("extras", {})
        if name in extras:
            from zslite.sdk.core import wrap
            return wrap(extras[name])
        raise AttributeError(name)


def convert(result_kind: str, body: dict) -> Any:
    """A reply body → the typed result of the API's kind (inventory, inventories, empty, custom)."""
    schema = body.get("schema") or {}
    if "inventory" in body and result_kind in ("inventory", "custom"):
        return to_model(body["inventory"], schema.get("inventory"))
    if "inventories" in body:
        items = [to_model(item, schema.get(f"inventories[{i}]")) for i, item in enumerate(body["inventories"])]
        extras = {k: v for k, v in body.items() if k not in ("inventories", "total", "schema")}
        return InventoryList(items, body.get("total"), extras)
    if result_kind == "inventories" and "total" in body:
        return body["total"]
    if result_kind == "empty":
        return None
    from zslite.sdk.core import wrap
    return wrap({k: v for k, v in body.items() if k != "schema"})
