"""System and user tags: create on visible, owned resources; delete; query with visibility."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.imgvm_scene import basic, count, counts
from zslite.db import models as m

GIB = 1024**3


def owned_image(database, sc, account_uuid=None) -> str:
    with database.write() as s:
        return f.image(s, account_uuid=account_uuid, backup_storage_uuids=[sc.bs]).uuid


@pytest.mark.parametrize("api_name,query,kind", [("CreateSystemTag", "QuerySystemTag", "SystemTag"),
                                                 ("CreateUserTag", "QueryUserTag", "UserTag")])
def test_create_query_delete(api, database, api_name, query, kind):
    sc = basic(database)
    img = owned_image(database, sc)
    tag = api.ok(api_name, resourceType="ImageVO", resourceUuid=img, tag="os::centos")["inventory"]
    assert (tag["resourceType"], tag["resourceUuid"], tag["tag"], tag["type"]) == \
        ("ImageVO", img, "os::centos", kind.removesuffix("Tag"))
    assert ("inherent" in tag) == (kind == "SystemTag")
    assert "createDate" in tag and "lastOpDate" in tag
    assert [t["uuid"] for t in api.query(query)] == [tag["uuid"]]
    assert [t["uuid"] for t in api.query(query, f"resourceUuid={img}", "tag=os::centos")] == [tag["uuid"]]
    other = "QueryUserTag" if query == "QuerySystemTag" else "QuerySystemTag"
    assert api.query(other) == []
    marker = "__systemTag__" if kind == "SystemTag" else "__userTag__"
    assert [i["uuid"] for i in api.query("QueryImage", f"{marker}=os::centos")] == [img]
    r = api.request("GET", f"/zstack/v1/{'system' if kind == 'SystemTag' else 'user'}-tags/{tag['uuid']}")
    assert r.json()["schema"] == {"inventories[0]": f"org.zstack.header.tag.{kind}Inventory"}
    err = api.fail(api_name, "SYS.1007", resourceType="ImageVO", resourceUuid=img, tag="os::centos")
    assert "already exists" in err["details"]
    api.ok("DeleteTag", uuid=tag["uuid"])
    assert api.query(query) == []
    api.ok("DeleteTag", uuid=tag["uuid"])  # what is not there: success


def test_tags_on_every_kind_of_resource(api, database):
    sc = basic(database)
    with database.write() as s:
        off = m.InstanceOffering(uuid=f.uid(), name="o", cpu_num=1, memory_size=GIB, state="Enabled",
                                 type="UserVm", create_date=f.NOW, last_op_date=f.NOW)
        s.add(off)
        off = off.uuid
    img = owned_image(database, sc)
    vm = api.ok("CreateVmInstance", name="v", imageUuid=img, cpuNum=1, memorySize=GIB)["inventory"]
    for rtype, uuid in (("ZoneVO", sc.zone), ("ClusterVO", sc.cluster), ("HostVO", sc.host),
                        ("PrimaryStorageVO", sc.ps), ("BackupStorageVO", sc.bs), ("ImageVO", img),
                        ("VmInstanceVO", vm["uuid"]), ("VolumeVO", vm["rootVolumeUuid"]),
                        ("InstanceOfferingVO", off)):
        api.ok("CreateUserTag", resourceType=rtype, resourceUuid=uuid, tag="t")
    assert len(api.query("QueryUserTag", "tag=t")) == 9


def test_bad_parameters_write_nothing(api, database):
    sc = basic(database)
    img = owned_image(database, sc)
    before = counts(database)["tags"]
    for missing in ("resourceType", "resourceUuid", "tag"):
        params = {"resourceType": "ImageVO", "resourceUuid": img, "tag": "x"}
        del params[missing]
        err = api.fail("CreateUserTag", "SYS.1007", **params)
        assert f"field[{missing}] is required" in err["details"]
    err = api.fail("CreateSystemTag", "SYS.1007", resourceType="NopeVO", resourceUuid=img, tag="x")
    assert "NopeVO" in err["details"]
    ghost = f.uid()
    err = api.fail("CreateSystemTag", "SYS.1007", resourceType="ImageVO", resourceUuid=ghost, tag="x")
    assert err["details"] == f"invalid field[resourceUuid], resource[uuid:{ghost}] not found"
    # a real uuid of another type is not found either
    api.fail("CreateSystemTag", "SYS.1007", resourceType="VmInstanceVO", resourceUuid=img, tag="x")
    api.fail("CreateSystemTag", "SYS.1007", resourceType="ImageVO", resourceUuid=img, tag="")
    api.fail("CreateSystemTag", "SYS.1007", resourceType="ImageVO", resourceUuid=img, tag=["x"])
    assert counts(database)["tags"] == before


def test_normal_accounts_tag_only_what_they_own(api, database, as_account):
    sc = basic(database)
    alice, bob = as_account("alice"), as_account("bob")
    mine = owned_image(database, sc, alice.account_uuid)
    hidden = owned_image(database, sc, bob.account_uuid)
    shared = owned_image(database, sc, bob.account_uuid)
    api.ok("ShareResource", resourceUuids=[shared], accountUuids=[alice.account_uuid])
    tag = alice.ok("CreateUserTag", resourceType="ImageVO", resourceUuid=mine, tag="mine")["inventory"]
    assert "not found" in alice.fail("CreateUserTag", "SYS.1007", resourceType="ImageVO", resourceUuid=hidden,
                                     tag="x")["details"]
    alice.fail("CreateUserTag", "ID.1002", resourceType="ImageVO", resourceUuid=shared, tag="x")
    alice.fail("CreateUserTag", "ID.1002", resourceType="ZoneVO", resourceUuid=sc.zone, tag="x")  # reads, not owns
    for rtype, uuid in (("HostVO", sc.host), ("PrimaryStorageVO", sc.ps), ("BackupStorageVO", sc.bs)):
        alice.fail("CreateSystemTag", "SYS.1007", resourceType=rtype, resourceUuid=uuid, tag="x")
    assert count(database, m.Tag) == 1
    # deleting: owner yes, reader of a shared resource no, a stranger sees nothing to delete
    bobs = bob.ok("CreateUserTag", resourceType="ImageVO", resourceUuid=shared, tag="bobs")["inventory"]
    alice.fail("DeleteTag", "ID.1002", uuid=bobs["uuid"])
    bob.ok("DeleteTag", uuid=tag["uuid"])
    assert count(database, m.Tag) == 2
    alice.ok("DeleteTag", uuid=tag["uuid"])
    assert count(database, m.Tag) == 1


def test_tags_are_visible_when_their_resource_is(api, database, as_account):
    sc = basic(database)
    alice, bob = as_account("alice"), as_account("bob")
    alices = owned_image(database, sc, alice.account_uuid)
    shared = owned_image(database, sc, alice.account_uuid)
    api.ok("ShareResource", resourceUuids=[shared], accountUuids=[bob.account_uuid])
    for rtype, uuid in (("ZoneVO", sc.zone), ("ClusterVO", sc.cluster), ("HostVO", sc.host),
                        ("BackupStorageVO", sc.bs), ("ImageVO", alices), ("ImageVO", shared)):
        api.ok("CreateSystemTag", resourceType=rtype, resourceUuid=uuid, tag=f"t::{uuid}")
    seen = lambda c: {t["resourceUuid"] for t in c.query("QuerySystemTag")}
    assert seen(api) == {sc.zone, sc.cluster, sc.host, sc.bs, alices, shared}
    assert seen(alice) == {sc.zone, sc.cluster, alices, shared}
    assert seen(bob) == {sc.zone, sc.cluster, shared}
    assert bob.query("QuerySystemTag", f"resourceUuid={alices}") == []
    hidden_tag = api.query("QuerySystemTag", f"resourceUuid={alices}")[0]["uuid"]
    bob.ok("DeleteTag", uuid=hidden_tag)  # invisible: nothing happens
    assert len(api.query("QuerySystemTag")) == 6
