"""Images: AddImage through the simulated agent, state, update, delete/recover/expunge, query (SPEC §3, §8)."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests import factories as f
from tests.support import statements as sql_statements
from tests.api.imgvm_scene import basic, count, counts, row
from zslite.db import models as m

SEED_URL = "http://192.168.1.20/share/images/tinylinux.qcow2"
DATE_RE = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$")
HEX32 = re.compile(r"^[0-9a-f]{32}$")


def add(api, bs, **kw):
    params = {"name": "TinyLinux", "url": SEED_URL, "format": "qcow2", "mediaType": "RootVolumeTemplate",
              "platform": "Linux", "backupStorageUuids": [bs], **kw}
    return api.ok("AddImage", **params)["inventory"]


def image_rows(database) -> dict[str, int]:
    c = counts(database)
    return {k: c[k] for k in ("images", "image_backup_storage_refs", "tags", "account_resource_refs")}


# ---- AddImage ---------------------------------------------------------------------------------

def test_add_image_inventory_field_by_field(api, database):
    sc = basic(database)
    img = add(api, sc.bs, description="the seed's image", guestOsType="Linux", systemTags=["s::1"],
              userTags=["u1"])
    assert HEX32.match(img["uuid"])
    assert img["name"] == "TinyLinux" and img["description"] == "the seed's image"
    assert img["state"] == "Enabled" and img["status"] == "Ready"
    assert img["url"] == SEED_URL and img["mediaType"] == "RootVolumeTemplate"
    assert img["platform"] == "Linux" and img["format"] == "qcow2" and img["guestOsType"] == "Linux"
    assert img["type"] == "zstack" and img["system"] is False
    assert img["architecture"] == "x86_64" and img["virtio"] is True
    assert img["size"] == 0 and img["actualSize"] == 0 and "md5Sum" not in img  # http: never fetched
    assert DATE_RE.match(img["createDate"]) and DATE_RE.match(img["lastOpDate"])
    [ref] = img["backupStorageRefs"]
    assert ref["imageUuid"] == img["uuid"] and ref["backupStorageUuid"] == sc.bs
    assert ref["installPath"] == f"zstore://{sc.bs}/{img['uuid']}"
    assert ref["status"] == "Ready" and isinstance(ref["id"], int)
    assert DATE_RE.match(ref["createDate"]) and DATE_RE.match(ref["lastOpDate"])
    assert "exportUrl" not in ref and "exportMd5Sum" not in ref
    # owned by admin, tags attached
    assert row(database, m.AccountResourceRef, img["uuid"]).account_uuid == api.account_uuid
    assert [i["uuid"] for i in api.query("QueryImage", "__systemTag__=s::1")] == [img["uuid"]]
    assert [i["uuid"] for i in api.query("QueryImage", "__userTag__=u1")] == [img["uuid"]]


def test_add_image_schema_names_image_and_ref_classes(api, database):
    sc = basic(database)
    img = add(api, sc.bs)
    r = api.request("GET", f"/zstack/v1/images/{img['uuid']}")
    assert r.json()["schema"] == {
        "inventories[0]": "org.zstack.header.image.ImageInventory",
        "inventories[0].backupStorageRefs[0]": "org.zstack.header.image.ImageBackupStorageRefInventory"}


def test_defaults_and_format_inference(api, database):
    sc = basic(database)
    img = api.ok("AddImage", name="x", url="http://h/x.qcow2", backupStorageUuids=[sc.bs])["inventory"]
    assert (img["mediaType"], img["platform"], img["format"], img["architecture"]) == \
        ("RootVolumeTemplate", "Linux", "qcow2", "x86_64")
    iso = api.ok("AddImage", name="iso", url="http://h/cd", mediaType="ISO", backupStorageUuids=[sc.bs])["inventory"]
    assert iso["format"] == "iso"
    raw = api.ok("AddImage", name="r", url="http://h/disk", backupStorageUuids=[sc.bs])["inventory"]
    assert raw["format"] == "raw"


def test_install_paths_per_backup_storage_type(api, database):
    with database.write() as s:
        z = f.zone(s)
        ceph = f.backup_storage(s, type="Ceph", zone_uuids=[z.uuid], pool_name="zs-images")
        ceph_nopool = f.backup_storage(s, type="Ceph", zone_uuids=[z.uuid], pool_name=None)
        sftp = f.backup_storage(s, type="SftpBackupStorage", zone_uuids=[z.uuid], url="/sftp/bs")
        ceph, ceph_nopool, sftp = ceph.uuid, ceph_nopool.uuid, sftp.uuid
    img = add(api, ceph, name="Tiny Linux", backupStorageUuids=[ceph, ceph_nopool, sftp])
    paths = {r["backupStorageUuid"]: r["installPath"] for r in img["backupStorageRefs"]}
    assert re.fullmatch(r"ceph://zs-images/[0-9a-f]{32}", paths[ceph])
    assert re.fullmatch(rf"ceph://bak-t-{ceph_nopool}/[0-9a-f]{{32}}", paths[ceph_nopool])
    assert paths[sftp] == f"/sftp/bs/rootVolumeTemplates/acct-{api.account_uuid}/{img['uuid']}/Tiny_Linux.template"
    assert all(r["status"] == "Ready" for r in img["backupStorageRefs"])


def test_file_url_is_read_for_real(api, database, tmp_path):
    sc = basic(database)
    virtual = 5 * 1024**3
    data = b"QFI\xfb" + (3).to_bytes(4, "big") + b"\0" * 16 + virtual.to_bytes(8, "big") + b"x" * 5000
    path = tmp_path / "disk.qcow2"
    path.write_bytes(data)
    plain = tmp_path / "plain.raw"
    plain.write_bytes(b"abc" * 1000)
    before = row(database, m.BackupStorage, sc.bs).available_capacity
    img = add(api, sc.bs, url=f"file://{path}")
    assert img["size"] == virtual and img["actualSize"] == len(data)
    assert img["md5Sum"] == hashlib.md5(data).hexdigest()
    raw = add(api, sc.bs, url=f"file://{plain}", format="raw")
    assert raw["size"] == raw["actualSize"] == 3000 and raw["md5Sum"] == hashlib.md5(b"abc" * 1000).hexdigest()
    assert row(database, m.BackupStorage, sc.bs).available_capacity == before - len(data) - 3000


def test_missing_file_url_fails_clearly_and_writes_nothing(api, database, tmp_path):
    sc = basic(database)
    before = image_rows(database)
    err = api.fail("AddImage", "SYS.1006", name="x", url=f"file://{tmp_path}/nope.qcow2",
                   backupStorageUuids=[sc.bs], userTags=["t"])
    assert "nope.qcow2" in err["details"] and "No such file" in err["details"]
    err = api.fail("AddImage", "SYS.1006", name="x", url=f"file://{tmp_path}", backupStorageUuids=[sc.bs])
    assert "not a regular file" in err["details"]
    assert image_rows(database) == before


def test_file_url_is_admin_only(api, database, as_account, tmp_path):
    sc = basic(database)
    (tmp_path / "a.raw").write_bytes(b"a")
    alice = as_account("alice")
    alice.fail("AddImage", "ID.1002", name="x", url=f"file://{tmp_path}/a.raw", backupStorageUuids=[sc.bs])
    assert count(database, m.Image) == 0


@pytest.mark.parametrize("missing", ["name", "url", "backupStorageUuids"])
def test_add_image_required_parameters(api, database, missing):
    sc = basic(database)
    params = {"name": "x", "url": SEED_URL, "backupStorageUuids": [sc.bs]}
    del params[missing]
    err = api.fail("AddImage", "SYS.1007", **params)
    assert f"field[{missing}] is required" in err["details"]
    assert count(database, m.Image) == 0


@pytest.mark.one_backend  # refused before the database: the HTTP layer's rule
@pytest.mark.parametrize("field,value", [
    ("mediaType", "Floppy"), ("platform", "MacOS"), ("architecture", "sparc"), ("system", "yes"),
    ("virtio", "no"), ("backupStorageUuids", []), ("backupStorageUuids", "not-a-list"), ("name", ""),
    ("name", 12), ("backupStorageUuids", ["not-a-uuid"]), ("url", ""), ("type", "other")])
def test_add_image_wrong_types_and_enums(api, database, field, value):
    sc = basic(database)
    params = {"name": "x", "url": SEED_URL, "backupStorageUuids": [sc.bs], field: value}
    err = api.fail("AddImage", "SYS.1007", **params)
    assert f"field[{field}" in err["details"]
    assert count(database, m.Image) == 0


def test_add_image_bad_url_scheme(api, database):
    sc = basic(database)
    err = api.fail("AddImage", "SYS.1007", name="x", url="gopher://h/x", backupStorageUuids=[sc.bs])
    assert "gopher" in err["details"]


def test_add_image_unknown_backup_storage(api, database):
    sc = basic(database)
    ghost = f.uid()
    before = image_rows(database)
    err = api.fail("AddImage", "SYS.1007", name="x", url=SEED_URL, backupStorageUuids=[sc.bs, ghost])
    assert err["details"] == f"invalid field[backupStorageUuids], resource[uuid:{ghost}] not found"
    assert image_rows(database) == before


@pytest.mark.parametrize("column,value,word", [("state", "Disabled", "Disabled"),
                                                ("status", "Disconnected", "Disconnected")])
def test_add_image_backup_storage_must_be_enabled_and_connected(api, database, column, value, word):
    sc = basic(database)
    with database.write() as s:
        other = f.backup_storage(s, **{column: value}).uuid
    before = image_rows(database)
    err = api.fail("AddImage", "SYS.1006", name="x", url=SEED_URL, backupStorageUuids=[sc.bs, other])
    assert other in err["details"] and word in err["details"]
    assert image_rows(database) == before


def test_normal_account_adds_images_it_owns_on_storage_it_cannot_read(api, database, as_account):
    sc = basic(database)
    alice, bob = as_account("alice"), as_account("bob")
    assert alice.query("QueryBackupStorage") == []
    img = add(alice, sc.bs)
    assert row(database, m.AccountResourceRef, img["uuid"]).account_uuid == alice.account_uuid
    assert [i["uuid"] for i in alice.query("QueryImage")] == [img["uuid"]]
    assert [i["uuid"] for i in api.query("QueryImage")] == [img["uuid"]]
    assert bob.query("QueryImage") == []


def test_resource_uuid_is_honoured_once(api, database):
    sc = basic(database)
    chosen = f.uid()
    assert add(api, sc.bs, resourceUuid=chosen)["uuid"] == chosen
    err = api.fail("AddImage", "SYS.1006", name="again", url=SEED_URL, backupStorageUuids=[sc.bs],
                   resourceUuid=chosen)
    assert chosen in err["details"]
    assert count(database, m.Image) == 1


# ---- ChangeImageState / UpdateImage ----------------------------------------------------------

def test_change_image_state(api, database):
    sc = basic(database)
    img = add(api, sc.bs)
    assert api.ok("ChangeImageState", uuid=img["uuid"], stateEvent="disable")["inventory"]["state"] == "Disabled"
    assert api.ok("ChangeImageState", uuid=img["uuid"], stateEvent="disable")["inventory"]["state"] == "Disabled"
    back = api.ok("ChangeImageState", uuid=img["uuid"], stateEvent="enable")["inventory"]
    assert back["state"] == "Enabled" and back["backupStorageRefs"][0]["backupStorageUuid"] == sc.bs
    err = api.fail("ChangeImageState", "SYS.1007", uuid=img["uuid"], stateEvent="explode")
    assert "stateEvent" in err["details"]
    api.fail("ChangeImageState", "SYS.1007", uuid=img["uuid"])
    ghost = f.uid()
    err = api.fail("ChangeImageState", "SYS.1007", uuid=ghost, stateEvent="disable")
    assert err["details"] == f"invalid field[uuid], resource[uuid:{ghost}] not found"


def test_update_image(api, database):
    sc = basic(database)
    img = add(api, sc.bs, description="d")
    up = api.ok("UpdateImage", uuid=img["uuid"], name="renamed", platform="Windows", guestOsType="Windows 10",
                architecture="aarch64", mediaType="DataVolumeTemplate", format="raw", system=True)["inventory"]
    assert (up["name"], up["platform"], up["guestOsType"], up["architecture"], up["mediaType"], up["format"],
            up["system"], up["description"]) == ("renamed", "Windows", "Windows 10", "aarch64",
                                                  "DataVolumeTemplate", "raw", True, "d")
    assert api.query("QueryImage", "name=renamed")[0]["architecture"] == "aarch64"
    for field, value in (("platform", "Mac"), ("architecture", "sparc"), ("mediaType", "Tape"), ("system", "y"),
                         ("name", "")):
        err = api.fail("UpdateImage", "SYS.1007", uuid=img["uuid"], **{field: value})
        assert f"field[{field}]" in err["details"]
    assert api.query("QueryImage")[0]["name"] == "renamed"
    api.fail("UpdateImage", "SYS.1007", uuid=f.uid(), name="x")


# ---- DeleteImage / RecoverImage / ExpungeImage ------------------------------------------------

def test_delete_is_soft_recover_brings_it_back(api, database):
    sc = basic(database)
    img = add(api, sc.bs)
    api.ok("DeleteImage", uuid=img["uuid"])
    [seen] = api.query("QueryImage", f"uuid={img['uuid']}")
    assert seen["status"] == "Deleted" and seen["backupStorageRefs"][0]["status"] == "Ready"
    api.ok("DeleteImage", uuid=img["uuid"])  # again: still Deleted
    back = api.ok("RecoverImage", imageUuid=img["uuid"])["inventory"]
    assert back["status"] == "Ready"
    err = api.fail("RecoverImage", "SYS.1006", imageUuid=img["uuid"])
    assert "not deleted" in err["details"]
    api.ok("DeleteImage", uuid=f.uid())  # deleting what is not there succeeds, as in ZStack
    api.fail("RecoverImage", "SYS.1007", imageUuid=f.uid())


def test_expunge_only_deleted_and_removes_everything(api, database, tmp_path):
    sc = basic(database)
    (tmp_path / "a.raw").write_bytes(b"z" * 4096)
    total = row(database, m.BackupStorage, sc.bs).available_capacity
    img = add(api, sc.bs, url=f"file://{tmp_path}/a.raw", systemTags=["x::y"], userTags=["u"])
    err = api.fail("ExpungeImage", "SYS.1006", imageUuid=img["uuid"])
    assert "delete it before" in err["details"]
    assert count(database, m.Image) == 1
    api.ok("ShareResource", resourceUuids=[img["uuid"]], toPublic=True)
    api.ok("DeleteImage", uuid=img["uuid"])
    api.ok("ExpungeImage", imageUuid=img["uuid"])
    assert api.query("QueryImage") == []
    assert count(database, m.ImageBackupStorageRef) == 0
    assert count(database, m.Tag, m.Tag.resource_uuid == img["uuid"]) == 0
    assert count(database, m.AccountResourceRef, m.AccountResourceRef.resource_uuid == img["uuid"]) == 0
    assert count(database, m.SharedResource, m.SharedResource.resource_uuid == img["uuid"]) == 0
    assert row(database, m.BackupStorage, sc.bs).available_capacity == total
    api.fail("ExpungeImage", "SYS.1007", imageUuid=img["uuid"])


# ---- tenancy on writes ------------------------------------------------------------------------

def test_other_tenants_image_is_not_found_shared_one_is_read_only(api, database, as_account):
    sc = basic(database)
    alice, bob = as_account("alice"), as_account("bob")
    hidden = add(alice, sc.bs, name="hidden")
    shared = add(alice, sc.bs, name="shared")
    alice.ok("ShareResource", resourceUuids=[shared["uuid"]], accountUuids=[bob.account_uuid])
    u = hidden["uuid"]
    for name, params in (("ChangeImageState", {"uuid": u, "stateEvent": "disable"}),
                         ("UpdateImage", {"uuid": u, "name": "x"}), ("RecoverImage", {"imageUuid": u}),
                         ("ExpungeImage", {"imageUuid": u})):
        err = bob.fail(name, "SYS.1007", **params)
        assert "not found" in err["details"]
    bob.ok("DeleteImage", uuid=u)  # as for an unknown uuid: nothing happens
    assert row(database, m.Image, u).status == "Ready"
    s = shared["uuid"]
    for name, params in (("ChangeImageState", {"uuid": s, "stateEvent": "disable"}),
                         ("UpdateImage", {"uuid": s, "name": "x"}), ("DeleteImage", {"uuid": s}),
                         ("RecoverImage", {"imageUuid": s}), ("ExpungeImage", {"imageUuid": s})):
        bob.fail(name, "ID.1002", **params)
    img = row(database, m.Image, s)
    assert (img.state, img.status, img.name) == ("Enabled", "Ready", "shared")
    # the owner and admin may
    alice.ok("ChangeImageState", uuid=s, stateEvent="disable")
    api.ok("UpdateImage", uuid=s, name="by-admin")


# ---- QueryImage -------------------------------------------------------------------------------

def test_query_relations_and_fields(api, database):
    with database.write() as s:
        z = f.zone(s)
        bs1 = f.backup_storage(s, zone_uuids=[z.uuid]).uuid
        bs2 = f.backup_storage(s, zone_uuids=[z.uuid]).uuid
    a = add(api, bs1, name="a", backupStorageUuids=[bs1, bs2])
    b = add(api, bs2, name="b", backupStorageUuids=[bs2], mediaType="ISO")
    assert [i["uuid"] for i in api.query("QueryImage", f"backupStorageRefs.backupStorageUuid={bs1}")] == [a["uuid"]]
    assert {i["uuid"] for i in api.query("QueryImage", f"backupStorageRefs.backupStorageUuid={bs2}")} == \
        {a["uuid"], b["uuid"]}
    assert [i["name"] for i in api.query("QueryImage", "mediaType=ISO")] == ["b"]
    assert [i["name"] for i in api.query("QueryImage", "backupStorageRefs.status=Ready", sort="+name")] == ["a", "b"]
    [only] = api.query("QueryImage", "name=a", fields=["uuid", "backupStorageRefs"])
    assert set(only) == {"uuid", "backupStorageRefs"} and len(only["backupStorageRefs"]) == 2
    err = api.fail("QueryImage", "SYS.1007", q=["backupStorageRefs.nope=1"])
    assert "nope" in err["details"]
    api.fail("QueryImage", "SYS.1007", q=["colour=red"])


def test_query_pinned_relation_conditions_join_and_keep_each_image_once(api, database, as_account):
    """backupStorageRefs.backupStorageUuid= pins the refs' unique key and is compiled as a join
    (compiler.one_row_join): with one, two or a repeated such condition, beside an EXISTS condition on the
    same relation, each image comes once, the total counts the same rows, and a tenant sees only its own."""
    alice = as_account("alice")
    with database.write() as s:
        z = f.zone(s)
        bs1 = f.backup_storage(s, zone_uuids=[z.uuid]).uuid
        bs2 = f.backup_storage(s, zone_uuids=[z.uuid]).uuid
        both = [f.image(s, name=f"both-{n}", backup_storage_uuids=[bs1, bs2]).uuid for n in range(3)]
        one = [f.image(s, name=f"one-{n}", backup_storage_uuids=[bs1]).uuid for n in range(2)]
        hers = f.image(s, name="hers", account_uuid=alice.account_uuid, backup_storage_uuids=[bs1, bs2]).uuid
        f.image(s, name="none")
    cases = [([f"backupStorageRefs.backupStorageUuid={bs1}"], both + one + [hers]),
             ([f"backupStorageRefs.backupStorageUuid={bs1}", f"backupStorageRefs.backupStorageUuid={bs2}"],
              both + [hers]),
             ([f"backupStorageRefs.backupStorageUuid={bs2}"] * 2, both + [hers]),
             ([f"backupStorageRefs.backupStorageUuid={bs1}", "backupStorageRefs.status=Ready", "name~=one-%"], one)]
    for conds, want in cases:
        body = api.ok("QueryImage", q=conds, replyWithCount=True)
        assert [i["uuid"] for i in body["inventories"]] == sorted(want), conds
        assert body["total"] == len(want), conds
        assert api.ok("QueryImage", q=conds, count=True)["total"] == len(want), conds
    mine = alice.ok("QueryImage", q=[f"backupStorageRefs.backupStorageUuid={bs2}"], replyWithCount=True)
    assert [i["uuid"] for i in mine["inventories"]] == [hers] and mine["total"] == 1


def test_query_visibility(api, database, as_account):
    sc = basic(database)
    alice, bob, carol = as_account("alice"), as_account("bob"), as_account("carol")
    mine = add(alice, sc.bs, name="mine")
    to_bob = add(alice, sc.bs, name="to-bob")
    public = add(alice, sc.bs, name="public")
    admins = add(api, sc.bs, name="admins")
    alice.ok("ShareResource", resourceUuids=[to_bob["uuid"]], accountUuids=[bob.account_uuid])
    alice.ok("ShareResource", resourceUuids=[public["uuid"]], toPublic=True)
    names = lambda c: sorted(i["name"] for i in c.query("QueryImage"))
    assert names(alice) == ["mine", "public", "to-bob"]
    assert names(bob) == ["public", "to-bob"]
    assert names(carol) == ["public"]
    assert names(api) == ["admins", "mine", "public", "to-bob"]
    assert carol.query("QueryImage", f"uuid={mine['uuid']}") == []
    r = carol.request("GET", f"/zstack/v1/images/{admins['uuid']}")
    assert r.status_code == 200 and r.json()["inventories"] == []
    assert carol.ok("QueryImage", count=True)["total"] == 1


def test_query_loads_refs_in_a_fixed_number_of_statements(api, database, app):
    with database.write() as s:
        z = f.zone(s)
        bss = [f.backup_storage(s, zone_uuids=[z.uuid]).uuid for _ in range(3)]
        for i in range(4):
            f.image(s, backup_storage_uuids=bss)

    def count_for(n_more: int) -> int:
        with database.write() as s:
            for _ in range(n_more):
                f.image(s, backup_storage_uuids=bss)
        api.query("QueryImage")  # the session is resolved (and cached) before counting

        def query():
            assert len(api.query("QueryImage")) >= 4
        return len([q for q in sql_statements(database, query) if q.lstrip().upper().startswith("SELECT")])

    few, many = count_for(0), count_for(20)
    assert few == many and few >= 2, (few, many)  # (the listener does see the page and its loader)
