"""VM instance and volume APIs (SPEC §3, §8)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from zslite.apispec.params import (
    CreateParams,
    DeleteParams,
    Description,
    Name,
    Uuid,
    UuidParams,
)
from zslite.apispec.spec import ApiSpec, query_api
from zslite.db.models import VmInstance, Volume
from zslite.query.resources import QueryResource, Relation, register
from zslite.services import vms as svc
from zslite.services import volumes as vol_svc

MAX_MEMORY = 2**50  # 1 PiB


class CreateVmInstanceParams(CreateParams):
    name: Name
    imageUuid: Uuid
    instanceOfferingUuid: Uuid | None = None
    cpuNum: int | None = Field(default=None, ge=1, le=1024)
    memorySize: int | None = Field(default=None, ge=1, le=MAX_MEMORY)
    description: Description | None = None
    type: Literal["UserVm"] = "UserVm"
    zoneUuid: Uuid | None = None
    clusterUuid: Uuid | None = None
    hostUuid: Uuid | None = None
    primaryStorageUuidForRootVolume: Uuid | None = None
    l3NetworkUuids: list[Uuid] | None = Field(default=None, max_length=64)  # accepted; no networks here
    defaultL3NetworkUuid: Uuid | None = None
    strategy: Literal["InstantStart", "CreateStopped"] = "InstantStart"


class VmActionParams(UuidParams):
    pass


class StopVmInstanceParams(UuidParams):
    type: Literal["grace", "cold"] = "grace"


DATES = {"createDate": "create_date", "lastOpDate": "last_op_date"}

register(QueryResource(
    name="volume", model=Volume, resource_type=vol_svc.RESOURCE_TYPE, load=vol_svc.load,
    visibility=svc.visibility,
    fields={"uuid": "uuid", "name": "name", "description": "description",
            "primaryStorageUuid": "primary_storage_uuid", "vmInstanceUuid": "vm_instance_uuid",
            "diskOfferingUuid": "disk_offering_uuid", "rootImageUuid": "root_image_uuid",
            "installPath": "install_path", "type": "type", "format": "format", "size": "size",
            "actualSize": "actual_size", "deviceId": "device_id", "state": "state", "status": "status",
            "isShareable": "is_shareable", **DATES},
    relations={"vmInstance": Relation("vmInstance", lambda vol, vm: vm.uuid == vol.vm_instance_uuid),
               "primaryStorage": Relation("primaryStorage", lambda vol, ps: ps.uuid == vol.primary_storage_uuid)}))

register(QueryResource(
    name="vmInstance", model=VmInstance, resource_type=svc.RESOURCE_TYPE, load=svc.load, visibility=svc.visibility,
    fields={"uuid": "uuid", "name": "name", "description": "description", "zoneUuid": "zone_uuid",
            "clusterUuid": "cluster_uuid", "imageUuid": "image_uuid", "hostUuid": "host_uuid",
            "lastHostUuid": "last_host_uuid", "instanceOfferingUuid": "instance_offering_uuid",
            "rootVolumeUuid": "root_volume_uuid", "platform": "platform", "guestOsType": "guest_os_type",
            "architecture": "architecture", "defaultL3NetworkUuid": "default_l3_network_uuid", "type": "type",
            "hypervisorType": "hypervisor_type", "memorySize": "memory_size", "cpuNum": "cpu_num",
            "cpuSpeed": "cpu_speed", "allocatorStrategy": "allocator_strategy", "state": "state", **DATES},
    relations={
        "zone": Relation("zone", lambda vm, z: z.uuid == vm.zone_uuid),
        "cluster": Relation("cluster", lambda vm, c: c.uuid == vm.cluster_uuid),
        "host": Relation("host", lambda vm, h: h.uuid == vm.host_uuid),
        "rootVolume": Relation("volume", lambda vm, v: v.uuid == vm.root_volume_uuid),
        "allVolumes": Relation("volume", lambda vm, v: v.vm_instance_uuid == vm.uuid),
        "image": Relation("image", lambda vm, i: i.uuid == vm.image_uuid),
    },
    output_fields=("allVolumes", "vmNics", "vmCdRoms")))

APIS = [
    ApiSpec("CreateVmInstance", "POST", ("/vm-instances",), CreateVmInstanceParams, svc.create_vm_instance,
            body_key="params", is_async=True,
            summary="Create a VM from an image, placed on a host and primary storage that can take it"),
    query_api("QueryVmInstance", ("/vm-instances", "/vm-instances/{uuid}"), "vmInstance", "Query VM instances"),
    ApiSpec("StartVmInstance", "PUT", ("/vm-instances/{uuid}/actions",), VmActionParams, svc.start_vm_instance,
            body_key="startVmInstance", is_async=True, summary="Start a stopped VM"),
    ApiSpec("StopVmInstance", "PUT", ("/vm-instances/{uuid}/actions",), StopVmInstanceParams, svc.stop_vm_instance,
            body_key="stopVmInstance", is_async=True, summary="Stop a VM (its host's CPU and memory go back)"),
    ApiSpec("RebootVmInstance", "PUT", ("/vm-instances/{uuid}/actions",), VmActionParams, svc.reboot_vm_instance,
            body_key="rebootVmInstance", is_async=True, summary="Reboot a running VM"),
    ApiSpec("DestroyVmInstance", "DELETE", ("/vm-instances/{uuid}",), DeleteParams, svc.destroy_vm_instance,
            is_async=True, result="empty", summary="Destroy a VM (state Destroyed until expunged or recovered)"),
    ApiSpec("RecoverVmInstance", "PUT", ("/vm-instances/{uuid}/actions",), VmActionParams, svc.recover_vm_instance,
            body_key="recoverVmInstance", is_async=True, summary="Recover a destroyed VM (it comes back Stopped)"),
    ApiSpec("ExpungeVmInstance", "PUT", ("/vm-instances/{uuid}/actions",), VmActionParams, svc.expunge_vm_instance,
            body_key="expungeVmInstance", is_async=True, result="empty",
            summary="Remove a destroyed VM and its volumes for good"),
    query_api("QueryVolume", ("/volumes", "/volumes/{uuid}"), "volume", "Query volumes"),
]
