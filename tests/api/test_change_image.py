"""ChangeVmImage (SPEC §5): every check in order, the all-or-nothing effect, tenancy."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests.api.test_candidates import scene
from zslite.db import models as m


def change(client, vm_uuid, image_uuid):
    return client.call("ChangeVmImage", vmInstanceUuid=vm_uuid, imageUuid=image_uuid)


def snapshot(database):
    """Everything a failed change must leave as it was."""
    with database.read() as s:
        return {
            "vms": [(v.uuid, v.image_uuid, v.root_volume_uuid, v.state, v.platform, v.architecture)
                    for v in s.scalars(select(m.VmInstance).order_by(m.VmInstance.uuid))],
            "volumes": sorted(s.scalars(select(m.Volume.uuid))),
            "capacity": sorted(s.execute(select(m.PrimaryStorage.uuid, m.PrimaryStorage.available_capacity)).all()),
            "owners": s.scalar(select(func.count()).select_from(m.AccountResourceRef)),
        }


def test_change_moves_root_volume_and_capacity(api, database):
    with database.write() as s:
        sc = scene(s)
        old_root = s.get(m.Volume, sc.vm.root_volume_uuid)
        data = f.volume(s, sc.ceph_ps, vm_uuid=sc.vm.uuid, type="Data", size=5 * 1024**3)
        new_img = f.image(s, name="Ubuntu", platform="Windows", guest_os_type="Windows 10", size=3 * 1024**3,
                          backup_storage_uuids=[sc.ceph_bs.uuid], format="raw")
        s.execute(m.PrimaryStorage.__table__.update().values(available_capacity=f.TIB - old_root.size))
        vm_uuid, old_uuid, old_size = sc.vm.uuid, old_root.uuid, old_root.size
    status, body = change(api, vm_uuid, new_img.uuid)
    assert status == 200, body
    vm = body["inventory"]
    assert vm["imageUuid"] == new_img.uuid and vm["state"] == "Stopped"
    assert vm["platform"] == "Windows" and vm["guestOsType"] == "Windows 10" and vm["architecture"] == "x86_64"
    assert vm["rootVolumeUuid"] != old_uuid
    vols = {v["uuid"]: v for v in vm["allVolumes"]}
    assert set(vols) == {vm["rootVolumeUuid"], data.uuid}
    root = vols[vm["rootVolumeUuid"]]
    assert root["type"] == "Root" and root["rootImageUuid"] == new_img.uuid and root["size"] == 3 * 1024**3
    assert root["primaryStorageUuid"] == sc.ceph_ps.uuid and root["installPath"].startswith("ceph://")
    assert vols[data.uuid]["size"] == 5 * 1024**3
    assert api.query("QueryVolume", f"uuid={old_uuid}") == [] if _has("QueryVolume") else True
    with database.read() as s:
        assert s.get(m.Volume, old_uuid) is None
        assert s.get(m.AccountResourceRef, old_uuid) is None
        ps = s.get(m.PrimaryStorage, sc.ceph_ps.uuid)
        assert ps.available_capacity == f.TIB - old_size - 3 * 1024**3 + old_size
        roots = s.scalar(select(func.count()).select_from(m.Volume).where(m.Volume.vm_instance_uuid == vm_uuid,
                                                                           m.Volume.type == "Root"))
        assert roots == 1


def _has(name):
    from zslite.apispec import all_apis
    return any(a.name == name for a in all_apis())


def test_local_storage_keeps_the_host(api, database):
    with database.write() as s:
        sc = scene(s, ps_type="LocalStorage")
        img = f.image(s, name="new", backup_storage_uuids=[sc.store_bs.uuid])
    status, body = change(api, sc.vm.uuid, img.uuid)
    assert status == 200, body
    with database.read() as s:
        root = s.get(m.Volume, body["inventory"]["rootVolumeUuid"])
        assert root.host_uuid == sc.host.uuid


def _refused(api, database, vm_uuid, image_uuid, code, fragment, client=None):
    before = snapshot(database)
    status, body = change(client or api, vm_uuid, image_uuid)
    assert status == 503, body
    assert body["error"]["code"] == code, body
    assert fragment in body["error"]["details"], body
    assert snapshot(database) == before
    return body["error"]


def test_unknown_vm_and_other_tenant_are_not_found(api, database, as_account):
    alice = as_account("alice")
    with database.write() as s:
        sc = scene(s)
        img = f.image(s, name="x", backup_storage_uuids=[sc.store_bs.uuid])
        f.share(s, img.uuid, f.ADMIN_ACCOUNT_UUID, public=True)
    _refused(api, database, "0" * 32, img.uuid, "SYS.1007", f"resource[uuid:{'0' * 32}] not found")
    _refused(api, database, sc.vm.uuid, img.uuid, "SYS.1007", f"resource[uuid:{sc.vm.uuid}] not found", alice)


def test_shared_but_not_owned_vm_is_permission_denied(api, database, as_account):
    alice = as_account("alice")
    with database.write() as s:
        sc = scene(s)
        img = f.image(s, name="x", account_uuid=alice.account_uuid, backup_storage_uuids=[sc.store_bs.uuid])
        f.share(s, sc.vm.uuid, f.ADMIN_ACCOUNT_UUID, receiver=alice.account_uuid)
    _refused(api, database, sc.vm.uuid, img.uuid, "ID.1002", "does not own", alice)


def test_owner_may_change_own_vm(api, database, as_account):
    alice = as_account("alice")
    with database.write() as s:
        sc = scene(s, vm_owner=alice.account_uuid)
        img = f.image(s, name="x", account_uuid=alice.account_uuid, backup_storage_uuids=[sc.store_bs.uuid])
    status, body = change(alice, sc.vm.uuid, img.uuid)
    assert status == 200, body
    with database.read() as s:
        ref = s.get(m.AccountResourceRef, body["inventory"]["rootVolumeUuid"])
        assert ref.account_uuid == alice.account_uuid


def test_invisible_image_is_not_found(api, database, as_account):
    alice = as_account("alice")
    with database.write() as s:
        sc = scene(s, vm_owner=alice.account_uuid)
        img = f.image(s, name="admin-only", backup_storage_uuids=[sc.store_bs.uuid])
    err = _refused(api, database, sc.vm.uuid, img.uuid, "SYS.1007", "not found", alice)
    assert "imageUuid" in err["details"]


@pytest.mark.parametrize("setup,fragment", [
    (lambda s, sc: setattr(s.get(m.VmInstance, sc.vm.uuid), "type", "ApplianceVm"), "only a UserVm"),
    (lambda s, sc: setattr(s.get(m.VmInstance, sc.vm.uuid), "state", "Running"),
     "do not change vm image when it's not stopped"),
    (lambda s, sc: setattr(s.get(m.PrimaryStorage, sc.ceph_ps.uuid), "state", "Disabled"), "Enabled and Connected"),
    (lambda s, sc: setattr(s.get(m.PrimaryStorage, sc.ceph_ps.uuid), "status", "Disconnected"),
     "Enabled and Connected"),
    (lambda s, sc: setattr(s.get(m.Host, sc.host.uuid), "status", "Disconnected"), "no Enabled and Connected host"),
    (lambda s, sc: setattr(s.get(m.Host, sc.host.uuid), "state", "Maintenance"), "no Enabled and Connected host"),
])
def test_each_precondition_refuses(api, database, setup, fragment):
    with database.write() as s:
        sc = scene(s)
        img = f.image(s, name="x", backup_storage_uuids=[sc.store_bs.uuid])
        setup(s, sc)
    _refused(api, database, sc.vm.uuid, img.uuid, "SYS.1007", fragment)


def test_local_storage_needs_its_last_host(api, database):
    with database.write() as s:
        sc = scene(s, ps_type="LocalStorage")
        f.host(s, sc.cluster)  # another, healthy host does not help local storage
        img = f.image(s, name="x", backup_storage_uuids=[sc.store_bs.uuid])
        s.get(m.Host, sc.host.uuid).status = "Disconnected"
    _refused(api, database, sc.vm.uuid, img.uuid, "SYS.1007", "last host")


def test_not_a_candidate_carries_the_reasons(api, database):
    with database.write() as s:
        sc = scene(s)
        other = f.backup_storage(s, type="Ceph", zone_uuids=[sc.zone.uuid], fsid="fsid-Z")
        img = f.image(s, name="iso", media_type="ISO", backup_storage_uuids=[other.uuid])
    err = _refused(api, database, sc.vm.uuid, img.uuid, "SYS.1007",
                   f"instance[uuid:{sc.vm.uuid}] cannot be changed image to image[uuid:{img.uuid}]")
    assert "MEDIA_TYPE" in err["details"] and "CEPH_FSID_MISMATCH" in err["details"]
    codes = [r["code"] for r in err["opaque"]["reasons"]]
    assert codes == ["MEDIA_TYPE", "NO_USABLE_BACKUP_STORAGE"]


def test_capacity_is_checked(api, database):
    with database.write() as s:
        sc = scene(s)
        img = f.image(s, name="huge", size=2 * f.TIB, backup_storage_uuids=[sc.store_bs.uuid])
    _refused(api, database, sc.vm.uuid, img.uuid, "SYS.1006", "bytes available")


def test_bad_parameters_write_nothing(api, database):
    with database.write() as s:
        sc = scene(s)
    before = snapshot(database)
    for params in ({}, {"imageUuid": "nope"}, {"imageUuid": 5}, {"imageUuid": None}):
        r = api.request("PUT", f"/zstack/v1/vm-instances/{sc.vm.uuid}/actions", json={"changeVmImage": params})
        assert r.status_code == 503 and r.json()["error"]["code"] == "SYS.1007", (params, r.text)
        assert "imageUuid" in r.json()["error"]["details"]
    r = api.request("PUT", f"/zstack/v1/vm-instances/{sc.vm.uuid}/actions", content=b'{"changeVmImage": ')
    assert r.status_code == 400
    assert snapshot(database) == before
