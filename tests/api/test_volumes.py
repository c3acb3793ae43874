"""Volumes: root volumes through VM creation, QueryVolume, visibility, expunge with the VM."""

from __future__ import annotations

from tests import factories as f
from tests.api.imgvm_scene import basic, count, row
from zslite.db import models as m

GIB = 1024**3


def vm_of(client, database, sc, **kw):
    with database.write() as s:
        img = f.image(s, backup_storage_uuids=[sc.bs], size=2 * GIB).uuid
    return client.ok("CreateVmInstance", name=kw.pop("name", "vm"), imageUuid=img, cpuNum=1,
                     memorySize=GIB, **kw)["inventory"], img


def test_query_volume_inventory(api, database):
    sc = basic(database)
    vm, img = vm_of(api, database, sc)
    [vol] = api.query("QueryVolume")
    assert vol == vm["allVolumes"][0]
    assert (vol["type"], vol["size"], vol["primaryStorageUuid"], vol["vmInstanceUuid"], vol["rootImageUuid"],
            vol["deviceId"], vol["format"], vol["state"], vol["status"], vol["isShareable"]) == \
        ("Root", 2 * GIB, sc.ps, vm["uuid"], img, 0, "qcow2", "Enabled", "Ready", False)
    r = api.request("GET", f"/zstack/v1/volumes/{vol['uuid']}")
    assert r.status_code == 200 and r.json()["inventories"] == [vol]
    assert r.json()["schema"] == {"inventories[0]": "org.zstack.header.volume.VolumeInventory"}


def test_query_volume_conditions_and_relations(api, database):
    sc = basic(database)
    vm, _ = vm_of(api, database, sc, name="alpha")
    vm_of(api, database, sc, name="beta")
    uuids = lambda *q: [v["uuid"] for v in api.query("QueryVolume", *q)]
    assert uuids("vmInstance.name=alpha") == [vm["rootVolumeUuid"]]
    assert uuids(f"vmInstanceUuid={vm['uuid']}", "type=Root") == [vm["rootVolumeUuid"]]
    assert len(uuids(f"primaryStorage.uuid={sc.ps}")) == 2
    assert uuids("type=Data") == []
    assert api.ok("QueryVolume", count=True)["total"] == 2
    api.fail("QueryVolume", "SYS.1007", q=["colour=red"])
    api.fail("QueryVolume", "SYS.1007", q=["vmInstance.colour=red"])


def test_volume_visibility(api, database, as_account):
    sc = basic(database)
    alice, bob = as_account("alice"), as_account("bob")
    with database.write() as s:
        img = f.image(s, backup_storage_uuids=[sc.bs]).uuid
        f.share(s, img, api.account_uuid, public=True)
    mine = alice.ok("CreateVmInstance", name="a", imageUuid=img, cpuNum=1, memorySize=GIB)["inventory"]
    assert [v["uuid"] for v in alice.query("QueryVolume")] == [mine["rootVolumeUuid"]]
    assert bob.query("QueryVolume") == []
    assert bob.query("QueryVolume", f"uuid={mine['rootVolumeUuid']}") == []
    assert [v["uuid"] for v in api.query("QueryVolume")] == [mine["rootVolumeUuid"]]


def test_expunge_removes_every_volume_and_returns_capacity(api, database):
    sc = basic(database)
    total = row(database, m.PrimaryStorage, sc.ps).available_capacity
    vm, _ = vm_of(api, database, sc)
    with database.write() as s:
        ps = s.get(m.PrimaryStorage, sc.ps)
        data = f.volume(s, ps, vm_uuid=vm["uuid"], type="Data", size=GIB)
        ps.available_capacity -= GIB
        s.add(m.Tag(uuid=f.uid(), kind="User", resource_uuid=data.uuid, resource_type="VolumeVO", tag="d",
                    inherent=False, type="User", create_date=f.NOW, last_op_date=f.NOW))
        data = data.uuid
    assert len(api.query("QueryVmInstance")[0]["allVolumes"]) == 2
    assert row(database, m.PrimaryStorage, sc.ps).available_capacity == total - 3 * GIB
    api.ok("DestroyVmInstance", uuid=vm["uuid"])
    assert len(api.query("QueryVolume")) == 2  # destroyed, not expunged: volumes stay
    api.ok("ExpungeVmInstance", uuid=vm["uuid"])
    assert api.query("QueryVolume") == [] and count(database, m.Volume) == 0
    assert count(database, m.AccountResourceRef, m.AccountResourceRef.resource_uuid.in_(
        [vm["rootVolumeUuid"], data, vm["uuid"]])) == 0
    assert count(database, m.Tag, m.Tag.resource_uuid == data) == 0
    assert row(database, m.PrimaryStorage, sc.ps).available_capacity == total
