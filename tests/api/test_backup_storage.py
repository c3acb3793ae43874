"""Backup storage: image store, sftp and Ceph, zone attachment, state, deletion rules, queries and
visibility."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.api.test_clusters import DATE, MISSING, count
from zslite.db import models as m
from zslite.context import ADMIN_ACCOUNT_UUID
from zslite.simulator.ceph import fsid_of

TIB = 1024**4
SSH = {"AddImageStoreBackupStorage": ("ImageStoreBackupStorage",
                                      "org.zstack.storage.backup.imagestore.ImageStoreBackupStorageInventory"),
       "AddSftpBackupStorage": ("SftpBackupStorage", "org.zstack.storage.backup.sftp.SftpBackupStorageInventory")}


def add_store(api, name="store", **kw):
    params = {"name": name, "url": "/zstack_bs", "hostname": "bs.example", "username": "root",
              "password": "Bs-Secret-Pw", **kw}
    return api.ok("AddImageStoreBackupStorage", **params)["inventory"]


@pytest.mark.parametrize("api_name", sorted(SSH))
def test_add_ssh_backup_storage_inventory(api, database, api_name):
    kind, zclass = SSH[api_name]
    bs = api.ok(api_name, name="bs1", description="first", url="/zstack_bs", hostname="10.0.0.9", username="root",
                password="Bs-Secret-Pw", sshPort=2200, resourceUuid="f" * 32, systemTags=["bs::tag"])["inventory"]
    assert bs["uuid"] == "f" * 32
    assert (bs["name"], bs["description"], bs["url"], bs["type"]) == ("bs1", "first", "/zstack_bs", kind)
    assert (bs["state"], bs["status"]) == ("Enabled", "Connected")
    assert bs["totalCapacity"] == bs["availableCapacity"] == 10 * TIB
    assert bs["attachedZoneUuids"] == []
    assert (bs["hostname"], bs["username"], bs["sshPort"]) == ("10.0.0.9", "root", 2200)
    assert DATE.match(bs["createDate"]) and DATE.match(bs["lastOpDate"])
    assert "password" not in bs and "fsid" not in bs
    with database.read() as s:
        ref = s.get(m.AccountResourceRef, bs["uuid"])
        assert (ref.account_uuid, ref.resource_type) == (ADMIN_ACCOUNT_UUID, "BackupStorageVO")
        for table in m.BackupStorage.metadata.sorted_tables:
            for row in s.execute(select(table)):
                assert "Bs-Secret-Pw" not in " ".join(str(v) for v in row), table.name
    r = api.request("GET", f"/zstack/v1/backup-storage/{bs['uuid']}")
    assert r.json()["schema"] == {"inventories[0]": zclass}
    assert [x["uuid"] for x in api.query("QueryBackupStorage", "__systemTag__=bs::tag")] == [bs["uuid"]]
    assert api.ok(api_name, name="default-port", url="/bs", hostname="h2", username="u", password="p")[
        "inventory"]["sshPort"] == 22


def test_add_ceph_backup_storage_inventory_and_fsid(api, database):
    u = "a1" * 16
    bs = api.ok("AddCephBackupStorage", name="ceph", monUrls=["root:Mon-Pw@Mon1.example:22/?monPort=6789",
                                                              "root:Mon-Pw@mon2.example"],
                resourceUuid=u)["inventory"]
    assert (bs["type"], bs["status"], bs["state"]) == ("Ceph", "Connected", "Enabled")
    assert bs["fsid"] == fsid_of(["mon1.example", "mon2.example"])
    assert bs["poolName"] == f"bak-t-{u}"
    assert sorted((x["hostname"], x["monPort"], x["backupStorageUuid"]) for x in bs["mons"]) == [
        ("Mon1.example", 6789, u), ("mon2.example", 6789, u)]
    assert all("Mon-Pw" not in str(x) for x in bs["mons"])
    assert "hostname" not in bs and "sshPort" not in bs
    r = api.request("GET", f"/zstack/v1/backup-storage/{u}")
    assert r.json()["schema"]["inventories[0]"] == "org.zstack.storage.ceph.backup.CephBackupStorageInventory"
    named = api.ok("AddCephBackupStorage", name="c2", monUrls=["a:b@MON2.EXAMPLE:23", "x:y@mon1.example"],
                   poolName="images")["inventory"]
    assert named["poolName"] == "images" and named["fsid"] == bs["fsid"]  # same monitors, same cluster
    tagged = api.ok("AddCephBackupStorage", name="c3", monUrls=["a:b@mon1.example"],
                    systemTags=["ceph::fsid::abc-123"])["inventory"]
    assert tagged["fsid"] == "abc-123"
    # a Ceph primary storage on the same monitors reports the same fsid (what rule 7b compares)
    zone = api.ok("CreateZone", name="z")["inventory"]
    ps = api.ok("AddCephPrimaryStorage", name="p", zoneUuid=zone["uuid"],
                monUrls=["ceph:pw@mon2.example", "ceph:pw@mon1.example"])["inventory"]
    assert ps["fsid"] == bs["fsid"]
    assert [x["uuid"] for x in api.query("QueryBackupStorage", "fsid=abc-123")] == [tagged["uuid"]]


def test_add_backup_storage_bad_parameters_write_nothing(api, database):
    base = {"name": "b", "url": "/bs", "hostname": "h", "username": "root", "password": "pw"}
    for api_name in SSH:
        for missing in base:
            params = {k: v for k, v in base.items() if k != missing}
            assert f"field[{missing}] is required" in api.fail(api_name, "SYS.1007", **params)["details"], missing
        err = api.fail(api_name, "SYS.1007", **{**base, "sshPort": 70000, "hostname": "bad host", "name": None})
        assert all(f"field[{x}]" in err["details"] for x in ("sshPort", "hostname", "name"))
        assert "absolute path" in api.fail(api_name, "SYS.1007", **{**base, "url": "relative"})["details"]
    for missing in ("name", "monUrls"):
        params = {k: v for k, v in {"name": "c", "monUrls": ["a:b@m"]}.items() if k != missing}
        assert f"field[{missing}] is required" in api.fail("AddCephBackupStorage", "SYS.1007", **params)["details"]
    assert "monUrl" in api.fail("AddCephBackupStorage", "SYS.1007", name="c", monUrls=["just-a-host"])["details"]
    assert "field[poolName]" in api.fail("AddCephBackupStorage", "SYS.1007", name="c", monUrls=["a:b@m"],
                                         poolName="")["details"]
    assert "capacity::total::0" in api.fail("AddImageStoreBackupStorage", "SYS.1007", **base,
                                            systemTags=["capacity::total::0"])["details"]
    assert count(database, m.BackupStorage) == 0 and count(database, m.Tag) == 0


def test_capacity_tag(api):
    bs = add_store(api, systemTags=[f"capacity::total::{2 * TIB}"])
    assert bs["totalCapacity"] == bs["availableCapacity"] == 2 * TIB


def test_attach_detach_zone_and_query_relations(api, database):
    z1 = api.ok("CreateZone", name="zone1")["inventory"]
    z2 = api.ok("CreateZone", name="zone2")["inventory"]
    a, b = add_store(api, "a"), add_store(api, "b")
    got = api.ok("AttachBackupStorageToZone", zoneUuid=z1["uuid"], backupStorageUuid=a["uuid"])["inventory"]
    assert got["attachedZoneUuids"] == [z1["uuid"]]
    api.ok("AttachBackupStorageToZone", zoneUuid=z2["uuid"], backupStorageUuid=a["uuid"])
    api.ok("AttachBackupStorageToZone", zoneUuid=z2["uuid"], backupStorageUuid=b["uuid"])
    err = api.fail("AttachBackupStorageToZone", "SYS.1006", zoneUuid=z2["uuid"], backupStorageUuid=b["uuid"])
    assert "has been attached" in err["details"]
    err = api.fail("AttachBackupStorageToZone", "SYS.1007", zoneUuid=MISSING, backupStorageUuid=b["uuid"])
    assert err["details"] == f"invalid field[zoneUuid], resource[uuid:{MISSING}] not found"
    err = api.fail("AttachBackupStorageToZone", "SYS.1007", zoneUuid=z1["uuid"], backupStorageUuid=MISSING)
    assert err["details"] == f"invalid field[backupStorageUuid], resource[uuid:{MISSING}] not found"
    assert count(database, m.BackupStorageZoneRef) == 3

    def uuids(*conds):
        return sorted(x["uuid"] for x in api.query("QueryBackupStorage", *conds))

    assert uuids(f"attachedZoneUuids={z1['uuid']}") == [a["uuid"]]
    assert uuids(f"attachedZoneUuids={z2['uuid']}") == sorted([a["uuid"], b["uuid"]])
    assert uuids(f"attachedZoneUuids!={z1['uuid']}") == [b["uuid"]]
    assert uuids("zone.name=zone1") == [a["uuid"]]
    assert uuids("zone.name=zone2", "name=b") == [b["uuid"]]
    assert sorted(api.query("QueryBackupStorage", "name=a")[0]["attachedZoneUuids"]) == sorted(
        [z1["uuid"], z2["uuid"]])

    left = api.ok("DetachBackupStorageFromZone", zoneUuid=z2["uuid"], backupStorageUuid=a["uuid"])["inventory"]
    assert left["attachedZoneUuids"] == [z1["uuid"]]
    err = api.fail("DetachBackupStorageFromZone", "SYS.1006", zoneUuid=z2["uuid"], backupStorageUuid=a["uuid"])
    assert "not attached" in err["details"]
    api.ok("DetachBackupStorageFromZone", zoneUuid=z2["uuid"], backupStorageUuid=b["uuid"])
    assert uuids("attachedZoneUuids is null") == [b["uuid"]]
    api.ok("DeleteZone", uuid=z1["uuid"])  # deleting a zone drops its backup-storage refs
    assert uuids("attachedZoneUuids is null") == sorted([a["uuid"], b["uuid"]])


def test_state_changes(api):
    bs = add_store(api)
    assert api.ok("ChangeBackupStorageState", uuid=bs["uuid"], stateEvent="disable")["inventory"]["state"] == "Disabled"
    assert api.query("QueryBackupStorage", "state=Disabled")[0]["uuid"] == bs["uuid"]
    assert api.ok("ChangeBackupStorageState", uuid=bs["uuid"], stateEvent="enable")["inventory"]["state"] == "Enabled"
    err = api.fail("ChangeBackupStorageState", "SYS.1007", uuid=bs["uuid"], stateEvent="maintain")
    assert "field[stateEvent]" in err["details"]
    err = api.fail("ChangeBackupStorageState", "SYS.1007", uuid=MISSING, stateEvent="enable")
    assert err["details"] == f"invalid field[uuid], resource[uuid:{MISSING}] not found"
    up = api.ok("UpdateBackupStorage", uuid=bs["uuid"], name="renamed", description="d")["inventory"]
    assert (up["name"], up["description"], up["state"]) == ("renamed", "d", "Enabled")


def test_delete_refused_while_images_have_copies(api, database):
    zone = api.ok("CreateZone", name="z")["inventory"]
    bs = add_store(api, userTags=["u"])
    api.ok("AttachBackupStorageToZone", zoneUuid=zone["uuid"], backupStorageUuid=bs["uuid"])
    with database.write() as s:
        image_uuid = f.image(s, backup_storage_uuids=[bs["uuid"]]).uuid
    err = api.fail("DeleteBackupStorage", "SYS.1006", uuid=bs["uuid"])
    assert "1 image(s)" in err["details"] and bs["uuid"] in err["details"]
    assert count(database, m.BackupStorage) == 1 and count(database, m.BackupStorageZoneRef) == 1
    with database.write() as s:
        for ref in s.scalars(select(m.ImageBackupStorageRef).where(m.ImageBackupStorageRef.image_uuid == image_uuid)):
            s.delete(ref)
    api.ok("DeleteBackupStorage", uuid=bs["uuid"])
    assert api.query("QueryBackupStorage") == []
    assert count(database, m.BackupStorageZoneRef) == 0
    assert count(database, m.Tag, m.Tag.resource_uuid == bs["uuid"]) == 0
    assert count(database, m.AccountResourceRef, m.AccountResourceRef.resource_uuid == bs["uuid"]) == 0
    assert count(database, m.Zone) == 1 and count(database, m.Image) == 1
    api.ok("DeleteBackupStorage", uuid=bs["uuid"])  # already gone: succeeds, as in ZStack


def test_normal_account_sees_no_backup_storage(api, as_account, database):
    zone = api.ok("CreateZone", name="z")["inventory"]
    bs = add_store(api)
    alice = as_account("alice")
    assert alice.query("QueryBackupStorage") == []
    assert alice.query("QueryBackupStorage", f"uuid={bs['uuid']}") == []
    alice.fail("AddImageStoreBackupStorage", "ID.1002", name="b", url="/bs", hostname="h", username="u", password="p")
    alice.fail("AddCephBackupStorage", "ID.1002", name="b", monUrls=["a:b@m"])
    alice.fail("AttachBackupStorageToZone", "ID.1002", zoneUuid=zone["uuid"], backupStorageUuid=bs["uuid"])
    alice.fail("ChangeBackupStorageState", "ID.1002", uuid=bs["uuid"], stateEvent="disable")
    alice.fail("DeleteBackupStorage", "ID.1002", uuid=bs["uuid"])
    assert count(database, m.BackupStorage) == 1 and count(database, m.BackupStorageZoneRef) == 0
