"""Sharing images and VMs between accounts: what a receiver may see and do (SPEC §6)."""

from __future__ import annotations

from tests import factories as f
from tests.api.imgvm_scene import basic, row
from zslite.db import models as m

GIB = 1024**3
URL = "http://192.168.1.20/share/images/tinylinux.qcow2"


def test_share_with_one_account_then_revoke(api, database, as_account):
    sc = basic(database)
    alice, bob, carol = as_account("alice"), as_account("bob"), as_account("carol")
    img = alice.ok("AddImage", name="a", url=URL, backupStorageUuids=[sc.bs])["inventory"]["uuid"]
    assert bob.query("QueryImage") == []
    alice.ok("ShareResource", resourceUuids=[img], accountUuids=[bob.account_uuid])
    assert [i["uuid"] for i in bob.query("QueryImage")] == [img]
    assert carol.query("QueryImage") == []
    # bob uses it: a VM of his own, from alice's image
    vm = bob.ok("CreateVmInstance", name="b", imageUuid=img, cpuNum=1, memorySize=GIB)["inventory"]
    assert row(database, m.AccountResourceRef, vm["uuid"]).account_uuid == bob.account_uuid
    # but he may not change it, nor share it on
    bob.fail("ChangeImageState", "ID.1002", uuid=img, stateEvent="disable")
    bob.fail("ShareResource", "ID.1002", resourceUuids=[img], accountUuids=[carol.account_uuid])
    alice.ok("RevokeResourceSharing", resourceUuids=[img], accountUuids=[bob.account_uuid])
    assert bob.query("QueryImage") == []
    err = bob.fail("CreateVmInstance", "SYS.1007", name="b2", imageUuid=img, cpuNum=1, memorySize=GIB)
    assert err["details"] == f"invalid field[imageUuid], resource[uuid:{img}] not found"
    # his VM stays his, and keeps running
    assert [v["uuid"] for v in bob.query("QueryVmInstance")] == [vm["uuid"]]


def test_share_publicly(api, database, as_account):
    sc = basic(database)
    alice, bob, carol = as_account("alice"), as_account("bob"), as_account("carol")
    img = api.ok("AddImage", name="pub", url=URL, backupStorageUuids=[sc.bs])["inventory"]["uuid"]
    api.ok("ShareResource", resourceUuids=[img], toPublic=True)
    for c in (alice, bob, carol):
        assert [i["uuid"] for i in c.query("QueryImage")] == [img]
        c.ok("CreateVmInstance", name=c.account_uuid[:8], imageUuid=img, cpuNum=1, memorySize=GIB)
        c.fail("DeleteImage", "ID.1002", uuid=img)
    # each sees only its own VM
    assert len(alice.query("QueryVmInstance")) == 1 and len(api.query("QueryVmInstance")) == 3
    api.ok("RevokeResourceSharing", resourceUuids=[img], toPublic=True)
    assert all(c.query("QueryImage") == [] for c in (alice, bob, carol))


def test_deleted_shared_image_stays_visible_with_status_deleted(api, database, as_account):
    sc = basic(database)
    alice, bob = as_account("alice"), as_account("bob")
    img = alice.ok("AddImage", name="a", url=URL, backupStorageUuids=[sc.bs])["inventory"]["uuid"]
    alice.ok("ShareResource", resourceUuids=[img], accountUuids=[bob.account_uuid])
    alice.ok("DeleteImage", uuid=img)
    [seen] = bob.query("QueryImage")
    assert seen["status"] == "Deleted"
    err = bob.fail("CreateVmInstance", "SYS.1007", name="b", imageUuid=img, cpuNum=1, memorySize=GIB)
    assert "Deleted" in err["details"]
    alice.ok("ExpungeImage", imageUuid=img)
    assert bob.query("QueryImage") == []
    with database.read() as s:
        assert s.query(m.SharedResource).filter_by(resource_uuid=img).count() == 0


def test_shared_vm_is_visible_not_writable(api, database, as_account):
    sc = basic(database)
    alice, bob = as_account("alice"), as_account("bob")
    with database.write() as s:
        img = f.image(s, backup_storage_uuids=[sc.bs]).uuid
        f.share(s, img, api.account_uuid, public=True)
    vm = alice.ok("CreateVmInstance", name="a", imageUuid=img, cpuNum=1, memorySize=GIB)["inventory"]
    alice.ok("ShareResource", resourceUuids=[vm["uuid"]], accountUuids=[bob.account_uuid])
    assert [v["uuid"] for v in bob.query("QueryVmInstance")] == [vm["uuid"]]
    bob.fail("StopVmInstance", "ID.1002", uuid=vm["uuid"])
    bob.fail("CreateUserTag", "ID.1002", resourceType="VmInstanceVO", resourceUuid=vm["uuid"], tag="x")
    assert row(database, m.VmInstance, vm["uuid"]).state == "Running"
    # expunge forgets the sharing too
    alice.ok("DestroyVmInstance", uuid=vm["uuid"])
    alice.ok("ExpungeVmInstance", uuid=vm["uuid"])
    with database.read() as s:
        assert s.query(m.SharedResource).filter_by(resource_uuid=vm["uuid"]).count() == 0


def test_sharing_another_tenants_resource_or_naming_accounts_tells_nothing(api, database, as_account):
    """SPEC §6: bob cannot tell alice's private image from an unknown uuid, nor an existing account from
    an unknown one; admin, who sees every account, is told."""
    sc = basic(database)
    alice, bob = as_account("alice"), as_account("bob")
    img = alice.ok("AddImage", name="a", url=URL, backupStorageUuids=[sc.bs])["inventory"]["uuid"]
    mine = bob.ok("AddImage", name="b", url=URL, backupStorageUuids=[sc.bs])["inventory"]["uuid"]
    for verb in ("ShareResource", "RevokeResourceSharing"):
        err = bob.fail(verb, "SYS.1007", resourceUuids=[img], accountUuids=[bob.account_uuid])
        assert err["details"] == f"invalid field[resourceUuids], resource[uuid:{img}] not found"
        unknown = "0" * 31 + "1"
        assert bob.call(verb, resourceUuids=[mine], accountUuids=[unknown]) == (200, {})
        assert bob.call(verb, resourceUuids=[mine], accountUuids=[alice.account_uuid]) == (200, {})
        api.fail(verb, "SYS.1007", resourceUuids=[mine], accountUuids=[unknown])
    with database.read() as s:  # nothing stored for the unknown account; alice's share revoked
        assert s.query(m.SharedResource).filter_by(resource_uuid=mine).count() == 0
