"""Image APIs (SPEC §3, §8)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from zslite.apispec.params import (
    CreateParams,
    DeleteParams,
    Description,
    Name,
    Params,
    Uuid,
    UuidParams,
)
from zslite.apispec.spec import ApiSpec, query_api
from zslite.db.models import Image, ImageBackupStorageRef
from zslite.policy.visibility import public_filter
from zslite.query.resources import QueryResource, Relation, register
from zslite.services import images as svc
from zslite.wire import inventories as inv

MediaType = Literal["RootVolumeTemplate", "DataVolumeTemplate", "ISO"]
Platform = Literal["Linux", "Windows", "WindowsVirtio", "Other", "Paravirtualization"]
Architecture = Literal["x86_64", "aarch64", "mips64el", "loongarch64"]
Format = Annotated[str, StringConstraints(min_length=1, max_length=32)]
GuestOsType = Annotated[str, StringConstraints(max_length=255)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class AddImageParams(CreateParams):
    name: Name
    url: Url
    description: Description | None = None
    mediaType: MediaType = "RootVolumeTemplate"
    guestOsType: GuestOsType | None = None
    system: bool = False
    format: Format | None = None
    platform: Platform = "Linux"
    architecture: Architecture = "x86_64"
    virtio: bool = True
    type: Literal["zstack"] | None = None
    backupStorageUuids: list[Uuid] = Field(min_length=1, max_length=100)


class ChangeImageStateParams(UuidParams):
    stateEvent: Literal["enable", "disable"]


class UpdateImageParams(UuidParams):
    name: Name | None = None
    description: Description | None = None
    platform: Platform | None = None
    guestOsType: GuestOsType | None = None
    architecture: Architecture | None = None
    mediaType: MediaType | None = None
    format: Format | None = None
    system: bool | None = None
    virtio: bool | None = None


class DeleteImageParams(DeleteParams):
    backupStorageUuids: list[Uuid] | None = Field(default=None, max_length=100)


class ImageActionParams(Params):
    """RecoverImage and ExpungeImage name the image imageUuid, as upstream does."""

    imageUuid: Uuid
    backupStorageUuids: list[Uuid] | None = Field(default=None, max_length=100)


DATES = {"createDate": "create_date", "lastOpDate": "last_op_date"}

register(QueryResource(
    name="imageBackupStorageRef", model=ImageBackupStorageRef, resource_type="ImageBackupStorageRefVO",
    load=lambda db, rows: [inv.image_ref(r) for r in rows], visibility=public_filter,
    fields={"id": "id", "imageUuid": "image_uuid", "backupStorageUuid": "backup_storage_uuid",
            "installPath": "install_path", "exportUrl": "export_url", "exportMd5Sum": "export_md5_sum",
            "status": "status", **DATES}))

register(QueryResource(
    name="image", model=Image, resource_type=svc.RESOURCE_TYPE, load=svc.load, visibility=svc.visibility,
    fields={"uuid": "uuid", "name": "name", "description": "description", "state": "state", "status": "status",
            "size": "size", "actualSize": "actual_size", "md5Sum": "md5_sum", "url": "url",
            "mediaType": "media_type", "guestOsType": "guest_os_type", "type": "type", "platform": "platform",
            "format": "format", "system": "system", "architecture": "architecture", "virtio": "virtio", **DATES},
    relations={"backupStorageRefs": Relation("imageBackupStorageRef",
                                             lambda image, ref: ref.image_uuid == image.uuid,
                                             one_per=("backupStorageUuid",))},  # unique (image, storage)
    output_fields=("backupStorageRefs",)))

APIS = [
    ApiSpec("AddImage", "POST", ("/images",), AddImageParams, svc.add_image, body_key="params", is_async=True,
            summary="Add an image to backup storage (through the simulated agent)"),
    query_api("QueryImage", ("/images", "/images/{uuid}"), "image", "Query images"),
    ApiSpec("ChangeImageState", "PUT", ("/images/{uuid}/actions",), ChangeImageStateParams, svc.change_image_state,
            body_key="changeImageState", is_async=True, summary="Enable or disable an image"),
    ApiSpec("UpdateImage", "PUT", ("/images/{uuid}/actions",), UpdateImageParams, svc.update_image,
            body_key="updateImage", is_async=True, summary="Update an image's attributes"),
    ApiSpec("DeleteImage", "DELETE", ("/images/{uuid}",), DeleteImageParams, svc.delete_image, is_async=True,
            result="empty", summary="Delete an image (soft: status Deleted until expunged)"),
    ApiSpec("RecoverImage", "PUT", ("/images/{imageUuid}/actions",), ImageActionParams, svc.recover_image,
            body_key="recoverImage", is_async=True, summary="Recover a deleted image"),
    ApiSpec("ExpungeImage", "PUT", ("/images/{imageUuid}/actions",), ImageActionParams, svc.expunge_image,
            body_key="expungeImage", is_async=True, result="empty",
            summary="Remove a deleted image and its backup-storage refs for good"),
]
