"""Cluster, KVM host and instance-offering APIs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from zslite.apispec.params import CreateParams, DeleteParams, Description, Name, Uuid, UuidParams
from zslite.apispec.spec import ApiSpec, query_api
from zslite.db.models import Cluster, Host, InstanceOffering
from zslite.policy.visibility import admin_only_filter, public_filter
from zslite.query.resources import QueryResource, Relation, register
from zslite.services import clusters, hosts, instance_offerings

Architecture = Literal["x86_64", "aarch64", "mips64el", "loongarch64"]
# an IPv4 / IPv6 address or a host name
ManagementIp = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9][A-Za-z0-9.:\-]*$")]
SshUser = Annotated[str, StringConstraints(min_length=1, max_length=255)]
SshPassword = Annotated[str, StringConstraints(min_length=1, max_length=1024)]
SshPort = Annotated[int, Field(ge=1, le=65535)]
AllocatorStrategy = Literal[
    "DefaultHostAllocatorStrategy", "LastHostPreferredAllocatorStrategy", "DesignatedHostAllocatorStrategy",
    "LeastVmPreferredHostAllocatorStrategy", "MinimumCPUUsageHostAllocatorStrategy",
    "MinimumMemoryUsageHostAllocatorStrategy", "MaxInstancePerHostHostAllocatorStrategy"]

DATES = {"createDate": "create_date", "lastOpDate": "last_op_date"}


# ---- clusters ---------------------------------------------------------------------------------

class CreateClusterParams(CreateParams):
    zoneUuid: Uuid
    name: Name
    description: Description | None = None
    hypervisorType: Literal["KVM"] = "KVM"
    type: Literal["zstack"] = "zstack"
    architecture: Architecture = "x86_64"


class UpdateClusterParams(UuidParams):
    name: Name | None = None
    description: Description | None = None


class ChangeClusterStateParams(UuidParams):
    stateEvent: Literal["enable", "disable"]


register(QueryResource(
    name="cluster", model=Cluster, resource_type=clusters.RESOURCE_TYPE, load=clusters.load,
    visibility=public_filter,
    fields={"uuid": "uuid", "name": "name", "description": "description", "state": "state",
            "hypervisorType": "hypervisor_type", "zoneUuid": "zone_uuid", "type": "type",
            "architecture": "architecture", **DATES},
    relations={"zone": Relation("zone", lambda c, z: z.uuid == c.zone_uuid)}))


# ---- KVM hosts --------------------------------------------------------------------------------

class AddKVMHostParams(CreateParams):
    name: Name
    managementIp: ManagementIp
    clusterUuid: Uuid
    username: SshUser
    password: SshPassword = Field(repr=False)  # checked for shape, never stored
    sshPort: SshPort = 22
    description: Description | None = None


class UpdateHostParams(UuidParams):
    name: Name | None = None
    description: Description | None = None
    managementIp: ManagementIp | None = None


class ChangeHostStateParams(UuidParams):
    stateEvent: Literal["enable", "disable", "preMaintain", "maintain"]


register(QueryResource(
    name="host", model=Host, resource_type=hosts.RESOURCE_TYPE, load=hosts.load, visibility=admin_only_filter,
    fields={"uuid": "uuid", "name": "name", "description": "description", "zoneUuid": "zone_uuid",
            "clusterUuid": "cluster_uuid", "managementIp": "management_ip", "hypervisorType": "hypervisor_type",
            "state": "state", "status": "status", "architecture": "architecture",
            "totalCpuCapacity": "total_cpu_capacity", "availableCpuCapacity": "available_cpu_capacity",
            "cpuSockets": "cpu_sockets", "cpuNum": "cpu_num", "totalMemoryCapacity": "total_memory_capacity",
            "availableMemoryCapacity": "available_memory_capacity", "username": "username", "sshPort": "ssh_port",
            **DATES},
    relations={"zone": Relation("zone", lambda h, z: z.uuid == h.zone_uuid),
               "cluster": Relation("cluster", lambda h, c: c.uuid == h.cluster_uuid)}))


# ---- instance offerings -----------------------------------------------------------------------

class CreateInstanceOfferingParams(CreateParams):
    name: Name
    description: Description | None = None
    cpuNum: int = Field(ge=1, le=1024)
    memorySize: int = Field(ge=1, le=2**50)
    cpuSpeed: int = Field(default=0, ge=0, le=2**31 - 1)
    allocatorStrategy: AllocatorStrategy | None = None
    sortKey: int = Field(default=0, ge=-(2**31), le=2**31 - 1)
    type: Literal["UserVm"] = "UserVm"


class UpdateInstanceOfferingParams(UuidParams):
    name: Name | None = None
    description: Description | None = None
    allocatorStrategy: AllocatorStrategy | None = None
    sortKey: int | None = Field(default=None, ge=-(2**31), le=2**31 - 1)


class ChangeInstanceOfferingStateParams(UuidParams):
    stateEvent: Literal["enable", "disable"]


register(QueryResource(
    name="instanceOffering", model=InstanceOffering, resource_type=instance_offerings.RESOURCE_TYPE,
    load=instance_offerings.load, visibility=public_filter,
    fields={"uuid": "uuid", "name": "name", "description": "description", "cpuNum": "cpu_num",
            "cpuSpeed": "cpu_speed", "memorySize": "memory_size", "allocatorStrategy": "allocator_strategy",
            "sortKey": "sort_key", "state": "state", "type": "type", **DATES}))


def _action(name: str, path: str, params, handler, summary: str) -> ApiSpec:
    return ApiSpec(name, "PUT", (path,), params, handler, body_key=name[0].lower() + name[1:], is_async=True,
                   role="admin", summary=summary)


APIS = [
    ApiSpec("CreateCluster", "POST", ("/clusters",), CreateClusterParams, clusters.create_cluster,
            body_key="params", is_async=True, role="admin", summary="Create a cluster in a zone"),
    query_api("QueryCluster", ("/clusters", "/clusters/{uuid}"), "cluster", "Query clusters"),
    _action("UpdateCluster", "/clusters/{uuid}/actions", UpdateClusterParams, clusters.update_cluster,
            "Update a cluster's name or description"),
    _action("ChangeClusterState", "/clusters/{uuid}/actions", ChangeClusterStateParams,
            clusters.change_cluster_state, "Enable or disable a cluster"),
    ApiSpec("DeleteCluster", "DELETE", ("/clusters/{uuid}",), DeleteParams, clusters.delete_cluster, is_async=True,
            role="admin", result="empty",
            summary="Delete a cluster (refused while it has hosts or VMs; primary storage is detached)"),

    ApiSpec("AddKVMHost", "POST", ("/hosts/kvm",), AddKVMHostParams, hosts.add_kvm_host, body_key="params",
            is_async=True, role="admin", summary="Add a KVM host to a cluster (the password is never stored)"),
    query_api("QueryHost", ("/hosts", "/hosts/{uuid}"), "host", "Query hosts"),
    _action("UpdateHost", "/hosts/{uuid}/actions", UpdateHostParams, hosts.update_host,
            "Update a host's name, description or management IP"),
    _action("ChangeHostState", "/hosts/{uuid}/actions", ChangeHostStateParams, hosts.change_host_state,
            "Enable, disable or maintain a host"),
    ApiSpec("DeleteHost", "DELETE", ("/hosts/{uuid}",), DeleteParams, hosts.delete_host, is_async=True,
            role="admin", result="empty", summary="Delete a host (refused while VMs are on it)"),

    ApiSpec("CreateInstanceOffering", "POST", ("/instance-offerings",), CreateInstanceOfferingParams,
            instance_offerings.create_instance_offering, body_key="params", is_async=True, role="admin",
            summary="Create an instance offering"),
    query_api("QueryInstanceOffering", ("/instance-offerings", "/instance-offerings/{uuid}"), "instanceOffering",
              "Query instance offerings"),
    _action("UpdateInstanceOffering", "/instance-offerings/{uuid}/actions", UpdateInstanceOfferingParams,
            instance_offerings.update_instance_offering, "Update an instance offering"),
    _action("ChangeInstanceOfferingState", "/instance-offerings/{uuid}/actions", ChangeInstanceOfferingStateParams,
            instance_offerings.change_instance_offering_state, "Enable or disable an instance offering"),
    ApiSpec("DeleteInstanceOffering", "DELETE", ("/instance-offerings/{uuid}",), DeleteParams,
            instance_offerings.delete_instance_offering, is_async=True, role="admin", result="empty",
            summary="Delete an instance offering"),
]
