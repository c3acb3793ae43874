"""ORM row → ZStack inventory (camelCase fields, null fields left out, tagged with the ZStack class)."""

from __future__ import annotations

from collections.abc import Iterable

import orjson

from zslite.db import models as m
from zslite.rules.states import PLAN_VM_ACTIVE, PLAN_VM_TO_DO
from zslite.wire.schema import Inv


def _inv(zclass: str, fields: dict) -> Inv:
    if None in fields.values():  # a C-speed test first: rebuilding the dict is the slow part
        fields = {k: v for k, v in fields.items() if v is not None}
    return Inv(zclass, fields)


def _dates(row) -> dict:
    return {"createDate": row.create_date, "lastOpDate": row.last_op_date}


def _json_list(text: str | None) -> list:
    return orjson.loads(text) if text else []


def zone(z: m.Zone) -> Inv:
    return _inv("Zone", {"uuid": z.uuid, "name": z.name, "description": z.description, "state": z.state,
                         "type": z.type, "isDefault": z.is_default, **_dates(z)})


def cluster(c: m.Cluster) -> Inv:
    return _inv("Cluster", {"uuid": c.uuid, "name": c.name, "description": c.description, "state": c.state,
                            "hypervisorType": c.hypervisor_type, "zoneUuid": c.zone_uuid, "type": c.type,
                            "architecture": c.architecture, **_dates(c)})


def host(h: m.Host) -> Inv:
    return _inv("KVMHost", {
        "uuid": h.uuid, "name": h.name, "description": h.description, "zoneUuid": h.zone_uuid,
        "clusterUuid": h.cluster_uuid, "managementIp": h.management_ip, "hypervisorType": h.hypervisor_type,
        "state": h.state, "status": h.status, "architecture": h.architecture,
        "totalCpuCapacity": h.total_cpu_capacity, "availableCpuCapacity": h.available_cpu_capacity,
        "cpuSockets": h.cpu_sockets, "cpuNum": h.cpu_num,
        "totalMemoryCapacity": h.total_memory_capacity, "availableMemoryCapacity": h.available_memory_capacity,
        "username": h.username, "sshPort": h.ssh_port, **_dates(h)})


def primary_storage(p: m.PrimaryStorage, cluster_uuids: Iterable[str] = ()) -> Inv:
    fields = {
        "uuid": p.uuid, "name": p.name, "description": p.description, "zoneUuid": p.zone_uuid, "url": p.url,
        "type": p.type, "state": p.state, "status": p.status, "mountPath": p.mount_path,
        "totalCapacity": p.total_capacity, "availableCapacity": p.available_capacity,
        "totalPhysicalCapacity": p.total_physical_capacity,
        "availablePhysicalCapacity": p.available_physical_capacity,
        "systemUsedCapacity": 0, "attachedClusterUuids": sorted(cluster_uuids), **_dates(p)}
    if p.type == "Ceph":
        pools = [Inv("CephPrimaryStoragePool", {**pool, "primaryStorageUuid": p.uuid}) for pool in _json_list(p.pools)]
        by_type = {pool.get("type"): pool.get("poolName") for pool in pools}
        fields.update({"fsid": p.fsid, "mons": [Inv("CephPrimaryStorageMon", {**mon, "primaryStorageUuid": p.uuid})
                                                 for mon in _json_list(p.mons)],
                       "pools": pools, "rootVolumePoolName": by_type.get("Root"),
                       "dataVolumePoolName": by_type.get("Data"), "imageCachePoolName": by_type.get("ImageCache")})
        return _inv("CephPrimaryStorage", fields)
    return _inv("PrimaryStorage", fields)


BS_CLASS = {"Ceph": "CephBackupStorage", "ImageStoreBackupStorage": "ImageStoreBackupStorage",
            "SftpBackupStorage": "SftpBackupStorage"}


def backup_storage(b: m.BackupStorage, zone_uuids: Iterable[str] = ()) -> Inv:
    fields = {
        "uuid": b.uuid, "name": b.name, "description": b.description, "url": b.url, "type": b.type,
        "state": b.state, "status": b.status, "totalCapacity": b.total_capacity,
        "availableCapacity": b.available_capacity, "attachedZoneUuids": sorted(zone_uuids), **_dates(b)}
    if b.type == "Ceph":
        fields.update({"fsid": b.fsid, "poolName": b.pool_name,
                       "mons": [Inv("CephBackupStorageMon", {**mon, "backupStorageUuid": b.uuid})
                                for mon in _json_list(b.mons)]})
    else:
        fields.update({"hostname": b.hostname, "username": b.username, "sshPort": b.ssh_port})
    return _inv(BS_CLASS.get(b.type, "BackupStorage"), fields)


def image_ref(r: m.ImageBackupStorageRef) -> Inv:
    # image and image_ref run once per row of a candidate or query answer: dates inline (bench/notes.md)
    return _inv("ImageBackupStorageRef", {
        "id": r.id, "imageUuid": r.image_uuid, "backupStorageUuid": r.backup_storage_uuid,
        "installPath": r.install_path, "exportUrl": r.export_url, "exportMd5Sum": r.export_md5_sum,
        "status": r.status, "createDate": r.create_date, "lastOpDate": r.last_op_date})


def image(i: m.Image, refs: Iterable[m.ImageBackupStorageRef] = ()) -> Inv:
    return _inv("Image", {
        "uuid": i.uuid, "name": i.name, "description": i.description, "state": i.state, "status": i.status,
        "size": i.size, "actualSize": i.actual_size, "md5Sum": i.md5_sum, "url": i.url,
        "mediaType": i.media_type, "guestOsType": i.guest_os_type, "type": i.type, "platform": i.platform,
        "format": i.format, "system": i.system, "architecture": i.architecture, "virtio": i.virtio,
        "createDate": i.create_date, "lastOpDate": i.last_op_date, "backupStorageRefs": [image_ref(r) for r in refs]})


def instance_offering(o: m.InstanceOffering) -> Inv:
    return _inv("InstanceOffering", {
        "uuid": o.uuid, "name": o.name, "description": o.description, "cpuNum": o.cpu_num,
        "cpuSpeed": o.cpu_speed, "memorySize": o.memory_size, "allocatorStrategy": o.allocator_strategy,
        "sortKey": o.sort_key, "state": o.state, "type": o.type, **_dates(o)})


def volume(v: m.Volume) -> Inv:
    return _inv("Volume", {
        "uuid": v.uuid, "name": v.name, "description": v.description,
        "primaryStorageUuid": v.primary_storage_uuid, "vmInstanceUuid": v.vm_instance_uuid,
        "diskOfferingUuid": v.disk_offering_uuid, "rootImageUuid": v.root_image_uuid,
        "installPath": v.install_path, "type": v.type, "format": v.format, "size": v.size,
        "actualSize": v.actual_size, "deviceId": v.device_id, "state": v.state, "status": v.status,
        "isShareable": v.is_shareable, **_dates(v)})


def vm_instance(v: m.VmInstance, volumes: Iterable[m.Volume] = ()) -> Inv:
    return _inv("VmInstance", {
        "uuid": v.uuid, "name": v.name, "description": v.description, "zoneUuid": v.zone_uuid,
        "clusterUuid": v.cluster_uuid, "imageUuid": v.image_uuid, "hostUuid": v.host_uuid,
        "lastHostUuid": v.last_host_uuid, "instanceOfferingUuid": v.instance_offering_uuid,
        "rootVolumeUuid": v.root_volume_uuid, "platform": v.platform, "guestOsType": v.guest_os_type,
        "architecture": v.architecture, "defaultL3NetworkUuid": v.default_l3_network_uuid, "type": v.type,
        "hypervisorType": v.hypervisor_type, "memorySize": v.memory_size, "cpuNum": v.cpu_num,
        "cpuSpeed": v.cpu_speed, "allocatorStrategy": v.allocator_strategy, "state": v.state,
        **_dates(v), "allVolumes": [volume(x) for x in volumes], "vmNics": [], "vmCdRoms": []})


def account(a: m.Account) -> Inv:
    return _inv("Account", {"uuid": a.uuid, "name": a.name, "description": a.description, "type": a.type,
                            **_dates(a)})


def session(s: m.Session, expired_date) -> Inv:
    return _inv("Session", {"uuid": s.uuid, "accountUuid": s.account_uuid, "userUuid": s.user_uuid,
                            "userType": "Account", "expiredDate": expired_date, "createDate": s.create_date})


def access_key(k: m.AccessKey, secret: str | None = None) -> Inv:
    return _inv("AccessKey", {"uuid": k.uuid, "description": k.description, "accountUuid": k.account_uuid,
                              "userUuid": k.user_uuid, "AccessKeyID": k.key_id, "AccessKeySecret": secret,
                              "state": k.state, **_dates(k)})


def tag(t: m.Tag) -> Inv:
    return _inv("SystemTag" if t.kind == "System" else "UserTag", {
        "uuid": t.uuid, "resourceUuid": t.resource_uuid, "resourceType": t.resource_type, "tag": t.tag,
        "inherent": t.inherent if t.kind == "System" else None, "type": t.type, **_dates(t)})


def plan_counts(states: Iterable[str]) -> dict[str, int]:
    """A plan's counts by VM state (SPEC §11): total, pending (the WillChange ones of a dry run included),
    running (Stopping, Changing, Starting), succeeded, failed, refused, skipped."""
    out = dict.fromkeys(("total", "pending", "running", "succeeded", "failed", "refused", "skipped"), 0)
    for state in states:
        out["total"] += 1
        if state in PLAN_VM_TO_DO:
            out["pending"] += 1
        elif state in PLAN_VM_ACTIVE:
            out["running"] += 1
        else:
            out[state.lower()] += 1
    return out


def image_change_plan_vm(v: m.ImageChangePlanVm) -> Inv:
    return _inv("ImageChangePlanVm", {
        "vmInstanceUuid": v.vm_instance_uuid, "vmName": v.vm_name, "oldImageUuid": v.old_image_uuid,
        "state": v.state, "reasons": orjson.loads(v.reasons) if v.reasons else None,
        "error": orjson.loads(v.error) if v.error else None, "newRootVolumeUuid": v.new_root_volume_uuid,
        "startDate": v.start_date, "endDate": v.end_date})


def image_change_plan(p: m.ImageChangePlan, vms: Iterable[m.ImageChangePlanVm] = ()) -> Inv:
    vms = list(vms)
    return _inv("ImageChangePlan", {
        "uuid": p.uuid, "name": p.name, "description": p.description, "imageUuid": p.image_uuid,
        "accountUuid": p.account_uuid, "state": p.state, "dryRun": p.dry_run, "maxConcurrency": p.max_concurrency,
        "stopRunningVms": p.stop_running_vms, "maxFailures": p.max_failures,
        **plan_counts(v.state for v in vms), **_dates(p), "vms": [image_change_plan_vm(v) for v in vms]})
