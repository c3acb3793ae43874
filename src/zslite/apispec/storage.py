"""Primary and backup storage APIs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints
from sqlalchemy import exists, not_, select

from zslite.apispec.infra import SshPassword, SshPort, SshUser
from zslite.apispec.params import CreateParams, DeleteParams, Description, Name, Params, Uuid, UuidParams
from zslite.apispec.spec import ApiSpec, query_api
from zslite.db.models import BackupStorage, BackupStorageZoneRef, PrimaryStorage, PrimaryStorageClusterRef
from zslite.policy.visibility import admin_only_filter
from zslite.query.compiler import apply_op
from zslite.query.resources import Computed, QueryResource, Relation, register
from zslite.services import backup_storage as bs_svc
from zslite.services import primary_storage as ps_svc

Url = Annotated[str, StringConstraints(min_length=1, max_length=2048)]
MonUrl = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
MonUrls = Annotated[list[MonUrl], Field(min_length=1, max_length=64)]
PoolName = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9_.\-]+$")]
Hostname = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9][A-Za-z0-9.:\-]*$")]
DATES = {"createDate": "create_date", "lastOpDate": "last_op_date"}
NEGATIVE_OPS = {"!=": "=", "!?=": "?=", "!~=": "~="}


def through_refs(ref_model, owner_col: str, value_col: str) -> Computed:
    """A list field held in a ref table (attachedClusterUuids, attachedZoneUuids): "= x" means "x is among
    them", "!= x" means "x is not among them", "is null" means "the list is empty"."""

    def build(alias, op, values):
        owner, value = getattr(ref_model, owner_col), getattr(ref_model, value_col)
        if op == "is null":
            return not_(exists(select(owner).where(owner == alias.uuid)))
        if op == "not null":
            return exists(select(owner).where(owner == alias.uuid))
        if op in NEGATIVE_OPS:
            return not_(exists(select(owner).where(owner == alias.uuid,
                                                   apply_op(value, NEGATIVE_OPS[op], values))))
        return exists(select(owner).where(owner == alias.uuid, apply_op(value, op, values)))

    return Computed(build, binds=True)


# ---- primary storage --------------------------------------------------------------------------

class AddPrimaryStorageParams(CreateParams):
    name: Name
    url: Url
    zoneUuid: Uuid
    description: Description | None = None


class AddCephPrimaryStorageParams(CreateParams):
    name: Name
    monUrls: MonUrls
    zoneUuid: Uuid
    url: Url | None = None
    description: Description | None = None
    rootVolumePoolName: PoolName | None = None
    dataVolumePoolName: PoolName | None = None
    imageCachePoolName: PoolName | None = None


class ClusterPrimaryStorageParams(Params):
    clusterUuid: Uuid
    primaryStorageUuid: Uuid


class UpdatePrimaryStorageParams(UuidParams):
    name: Name | None = None
    description: Description | None = None
    url: Url | None = None


class ChangePrimaryStorageStateParams(UuidParams):
    stateEvent: Literal["enable", "disable", "maintain"]


register(QueryResource(
    name="primaryStorage", model=PrimaryStorage, resource_type=ps_svc.RESOURCE_TYPE, load=ps_svc.load,
    visibility=admin_only_filter,
    fields={"uuid": "uuid", "name": "name", "description": "description", "zoneUuid": "zone_uuid", "url": "url",
            "type": "type", "state": "state", "status": "status", "mountPath": "mount_path",
            "totalCapacity": "total_capacity", "availableCapacity": "available_capacity",
            "totalPhysicalCapacity": "total_physical_capacity",
            "availablePhysicalCapacity": "available_physical_capacity", "fsid": "fsid",
            "attachedClusterUuids": through_refs(PrimaryStorageClusterRef, "primary_storage_uuid", "cluster_uuid"),
            **DATES},
    relations={
        "zone": Relation("zone", lambda p, z: z.uuid == p.zone_uuid),
        # the ref subquery names only the inner alias, so it correlates with the relation's own EXISTS
        "cluster": Relation("cluster", lambda p, c: p.uuid.in_(
            select(PrimaryStorageClusterRef.primary_storage_uuid).where(
                PrimaryStorageClusterRef.cluster_uuid == c.uuid))),
    },
    output_fields=("systemUsedCapacity", "mons", "pools", "rootVolumePoolName", "dataVolumePoolName",
                   "imageCachePoolName")))


# ---- backup storage ---------------------------------------------------------------------------

class AddSshBackupStorageParams(CreateParams):
    name: Name
    url: Url
    hostname: Hostname
    username: SshUser
    password: SshPassword = Field(repr=False)  # checked for shape, never stored
    sshPort: SshPort = 22
    description: Description | None = None
    importImages: bool = False


class AddCephBackupStorageParams(CreateParams):
    name: Name
    monUrls: MonUrls
    url: Url | None = None
    poolName: PoolName | None = None
    description: Description | None = None
    importImages: bool = False


class ZoneBackupStorageParams(Params):
    zoneUuid: Uuid
    backupStorageUuid: Uuid


class UpdateBackupStorageParams(UuidParams):
    name: Name | None = None
    description: Description | None = None


class ChangeBackupStorageStateParams(UuidParams):
    stateEvent: Literal["enable", "disable"]


register(QueryResource(
    name="backupStorage", model=BackupStorage, resource_type=bs_svc.RESOURCE_TYPE, load=bs_svc.load,
    visibility=admin_only_filter,
    fields={"uuid": "uuid", "name": "name", "description": "description", "url": "url", "type": "type",
            "state": "state", "status": "status", "totalCapacity": "total_capacity",
            "availableCapacity": "available_capacity", "hostname": "hostname", "username": "username",
            "sshPort": "ssh_port", "fsid": "fsid", "poolName": "pool_name",
            "attachedZoneUuids": through_refs(BackupStorageZoneRef, "backup_storage_uuid", "zone_uuid"),
            **DATES},
    relations={
        "zone": Relation("zone", lambda b, z: b.uuid.in_(
            select(BackupStorageZoneRef.backup_storage_uuid).where(BackupStorageZoneRef.zone_uuid == z.uuid))),
    },
    output_fields=("mons",)))


def _create(name: str, path: str, params, handler, summary: str) -> ApiSpec:
    return ApiSpec(name, "POST", (path,), params, handler, body_key="params", is_async=True, role="admin",
                   summary=summary)


def _action(name: str, path: str, params, handler, summary: str) -> ApiSpec:
    return ApiSpec(name, "PUT", (path,), params, handler, body_key=name[0].lower() + name[1:], is_async=True,
                   role="admin", summary=summary)


APIS = [
    _create("AddLocalPrimaryStorage", "/primary-storage/local-storage", AddPrimaryStorageParams,
            ps_svc.add_local_primary_storage, "Add local primary storage (a path on every host of its clusters)"),
    _create("AddNfsPrimaryStorage", "/primary-storage/nfs", AddPrimaryStorageParams, ps_svc.add_nfs_primary_storage,
            "Add NFS primary storage (url hostname:/path)"),
    _create("AddSharedMountPointPrimaryStorage", "/primary-storage/smp", AddPrimaryStorageParams,
            ps_svc.add_smp_primary_storage, "Add shared-mount-point primary storage"),
    _create("AddCephPrimaryStorage", "/primary-storage/ceph", AddCephPrimaryStorageParams,
            ps_svc.add_ceph_primary_storage, "Add Ceph primary storage"),
    query_api("QueryPrimaryStorage", ("/primary-storage", "/primary-storage/{uuid}"), "primaryStorage",
              "Query primary storage"),
    _action("UpdatePrimaryStorage", "/primary-storage/{uuid}/actions", UpdatePrimaryStorageParams,
            ps_svc.update_primary_storage, "Update a primary storage's name, description or url"),
    _action("ChangePrimaryStorageState", "/primary-storage/{uuid}/actions", ChangePrimaryStorageStateParams,
            ps_svc.change_primary_storage_state, "Enable, disable or maintain a primary storage"),
    _create("AttachPrimaryStorageToCluster", "/clusters/{clusterUuid}/primary-storage/{primaryStorageUuid}",
            ClusterPrimaryStorageParams, ps_svc.attach_primary_storage_to_cluster,
            "Attach a primary storage to a cluster of its zone"),
    ApiSpec("DetachPrimaryStorageFromCluster", "DELETE",
            ("/clusters/{clusterUuid}/primary-storage/{primaryStorageUuid}",), ClusterPrimaryStorageParams,
            ps_svc.detach_primary_storage_from_cluster, is_async=True, role="admin",
            summary="Detach a primary storage from a cluster"),
    ApiSpec("DeletePrimaryStorage", "DELETE", ("/primary-storage/{uuid}",), DeleteParams,
            ps_svc.delete_primary_storage, is_async=True, role="admin", result="empty",
            summary="Delete a primary storage (refused while volumes live on it)"),

    _create("AddImageStoreBackupStorage", "/backup-storage/image-store", AddSshBackupStorageParams,
            bs_svc.add_image_store_backup_storage, "Add image-store backup storage (the password is never stored)"),
    _create("AddSftpBackupStorage", "/backup-storage/sftp", AddSshBackupStorageParams,
            bs_svc.add_sftp_backup_storage, "Add sftp backup storage (the password is never stored)"),
    _create("AddCephBackupStorage", "/backup-storage/ceph", AddCephBackupStorageParams,
            bs_svc.add_ceph_backup_storage, "Add Ceph backup storage"),
    query_api("QueryBackupStorage", ("/backup-storage", "/backup-storage/{uuid}"), "backupStorage",
              "Query backup storage"),
    _action("UpdateBackupStorage", "/backup-storage/{uuid}/actions", UpdateBackupStorageParams,
            bs_svc.update_backup_storage, "Update a backup storage's name or description"),
    _action("ChangeBackupStorageState", "/backup-storage/{uuid}/actions", ChangeBackupStorageStateParams,
            bs_svc.change_backup_storage_state, "Enable or disable a backup storage"),
    _create("AttachBackupStorageToZone", "/zones/{zoneUuid}/backup-storage/{backupStorageUuid}",
            ZoneBackupStorageParams, bs_svc.attach_backup_storage_to_zone, "Attach a backup storage to a zone"),
    ApiSpec("DetachBackupStorageFromZone", "DELETE", ("/zones/{zoneUuid}/backup-storage/{backupStorageUuid}",),
            ZoneBackupStorageParams, bs_svc.detach_backup_storage_from_zone, is_async=True, role="admin",
            summary="Detach a backup storage from a zone"),
    ApiSpec("DeleteBackupStorage", "DELETE", ("/backup-storage/{uuid}",), DeleteParams,
            bs_svc.delete_backup_storage, is_async=True, role="admin", result="empty",
            summary="Delete a backup storage (refused while images have copies on it)"),
]
