"""A scene for ChangeVmImage through real servers, and the invariants every such test checks."""

from __future__ import annotations

from sqlalchemy import func, select

from tests import factories as f
from tests.api.test_candidates import scene
from zslite.db import models as m


def prepare(database, n_vms=1, n_images=1):
    with database.write() as s:
        sc = scene(s)
        vms = [sc.vm] + [f.vm(s, sc.cluster, sc.host, sc.ceph_ps) for _ in range(n_vms - 1)]
        images = [f.image(s, name=f"img-{i}", size=(i + 2) * 1024**3, backup_storage_uuids=[sc.ceph_bs.uuid])
                  for i in range(n_images)]
        used = s.scalar(select(func.sum(m.Volume.size)).where(m.Volume.primary_storage_uuid == sc.ceph_ps.uuid))
        s.get(m.PrimaryStorage, sc.ceph_ps.uuid).available_capacity = f.TIB - used
        return sc, [v.uuid for v in vms], [i.uuid for i in images]


def invariants(database, ps_uuid: str, *, hosts: bool = False) -> dict[str, m.VmInstance]:
    """Every VM has exactly one root volume (the one it points to, from its image), no orphan volume,
    every volume has an owner, the primary storage's capacity adds up — and, with hosts, every host's
    CPU and memory too (scenes whose hosts start with consistent capacities)."""
    with database.read() as s:
        vms = {v.uuid: v for v in s.scalars(select(m.VmInstance))}
        volumes = list(s.scalars(select(m.Volume)))
        for vm in vms.values():
            roots = [v for v in volumes if v.vm_instance_uuid == vm.uuid and v.type == "Root"]
            assert [r.uuid for r in roots] == [vm.root_volume_uuid], (vm.uuid, roots)
            assert roots[0].root_image_uuid == vm.image_uuid
        assert all(v.vm_instance_uuid in vms for v in volumes), "orphan volume"
        owners = set(s.scalars(select(m.AccountResourceRef.resource_uuid)))
        assert all(v.uuid in owners for v in volumes), "volume without owner"
        ps = s.get(m.PrimaryStorage, ps_uuid)
        used = sum(v.size for v in volumes if v.primary_storage_uuid == ps_uuid)
        assert ps.available_capacity == ps.total_capacity - used
        for host in (s.scalars(select(m.Host)) if hosts else ()):
            on_it = [v for v in vms.values() if v.host_uuid == host.uuid and v.state == "Running"]
            assert host.available_cpu_capacity == host.total_cpu_capacity - sum(v.cpu_num for v in on_it)
            assert host.available_memory_capacity == host.total_memory_capacity - sum(v.memory_size for v in on_it)
        return vms


def submit_change(client, headers, vm_uuid, image_uuid):
    r = client.put(f"/zstack/v1/vm-instances/{vm_uuid}/actions",
                   json={"changeVmImage": {"imageUuid": image_uuid}}, headers=headers)
    assert r.status_code == 202, r.text
    return r.json()["location"]
