"""A small cloud for SDK and CLI tests, straight into the database: one VM, TinyLinux as its
candidate, and images excluded for different reasons."""

from __future__ import annotations

from dataclasses import dataclass

from tests import factories as f


@dataclass
class Scene:
    vm: str
    tiny: str
    iso: str
    disabled: str
    arm: str
    bs: str
    bs_name: str


def build(database) -> Scene:
    with database.write() as s:
        zone = f.zone(s, name="zone1")
        cluster = f.cluster(s, zone.uuid, name="cluster1")
        host = f.host(s, cluster, name="host1")
        ps = f.primary_storage(s, zone.uuid, type="NFS", cluster_uuids=[cluster.uuid], name="nfs1")
        bs = f.backup_storage(s, zone_uuids=[zone.uuid], name="store1")
        old = f.image(s, backup_storage_uuids=[bs.uuid], name="OldLinux")
        tiny = f.image(s, backup_storage_uuids=[bs.uuid], name="TinyLinux",
                       url="http://192.168.1.20/share/images/tinylinux.qcow2", size=13 * 1024**2)
        iso = f.image(s, backup_storage_uuids=[bs.uuid], name="AnISO", media_type="ISO", format="iso")
        disabled = f.image(s, backup_storage_uuids=[bs.uuid], name="Disabled", state="Disabled")
        arm = f.image(s, backup_storage_uuids=[bs.uuid], name="ArmLinux", architecture="aarch64")
        vm = f.vm(s, cluster, host, ps, image=old, name="vm1", state="Stopped")
        return Scene(vm.uuid, tiny.uuid, iso.uuid, disabled.uuid, arm.uuid, bs.uuid, bs.name)
