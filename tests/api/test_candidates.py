"""GetImageCandidatesForVmToChange through HTTP: each rule, each error, ordering, paging, explain,
tenancy, and the fixed query count."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.support import statements
from tests import factories as f
from zslite.apispec.candidates import GetImageCandidatesParams
from zslite.rules.candidates import EXPLAIN_LIMIT
from zslite.clock import Clock
from zslite.ids import new_uuid
from zslite.services.candidates import get_image_candidates
from zslite.context import SYSTEM, Ctx
from zslite.db.models import Image, ImageBackupStorageRef


@dataclass
class Scene:
    zone: object
    other_zone: object
    cluster: object
    host: object
    ceph_ps: object
    ceph_bs: object
    store_bs: object
    vm: object


def scene(s, ps_type="Ceph", vm_owner=None) -> Scene:
    zone, other = f.zone(s, name="zone"), f.zone(s, name="other")
    cluster = f.cluster(s, zone.uuid, architecture="x86_64")
    host = f.host(s, cluster)
    ps = f.primary_storage(s, zone.uuid, type=ps_type, cluster_uuids=[cluster.uuid], fsid="fsid-A")
    ceph_bs = f.backup_storage(s, type="Ceph", zone_uuids=[zone.uuid], fsid="fsid-A", name="ceph-bs")
    store_bs = f.backup_storage(s, type="ImageStoreBackupStorage", zone_uuids=[zone.uuid], name="store-bs")
    vm = f.vm(s, cluster, host, ps, account_uuid=vm_owner)
    return Scene(zone, other, cluster, host, ps, ceph_bs, store_bs, vm)


def candidates(api, vm_uuid, **params):
    status, body = api.call("GetImageCandidatesForVmToChange", vmInstanceUuid=vm_uuid, **params)
    assert status == 200, body
    return body


def names(body):
    return [i["name"] for i in body["inventories"]]


def reasons(body, image_uuid):
    entry = next(e for e in body["excluded"] if e["uuid"] == image_uuid)
    return {r["code"]: r for r in entry["reasons"]}


def test_seed_shape_tinylinux_on_ceph(api, database):
    with database.write() as s:
        sc = scene(s)
        img = f.image(s, name="TinyLinux", url="http://192.168.1.20/share/images/tinylinux.qcow2",
                      backup_storage_uuids=[sc.ceph_bs.uuid])
        vm_uuid = sc.vm.uuid
    r = api.request("GET", f"/zstack/v1/vm-instances/{vm_uuid}/image-candidates",
                    headers={"Content-Type": "application/json;charset=UTF-8"})
    assert r.status_code == 200
    body = r.json()
    [inv] = body["inventories"]
    for key in ("uuid", "name", "url", "mediaType", "platform", "format", "state", "status", "size", "actualSize",
                "guestOsType", "type", "system", "createDate", "lastOpDate", "architecture"):
        assert key in inv, key
    assert inv["uuid"] == img.uuid and inv["name"] == "TinyLinux" and inv["mediaType"] == "RootVolumeTemplate"
    assert inv["url"] == "http://192.168.1.20/share/images/tinylinux.qcow2"
    assert inv["platform"] == "Linux" and inv["format"] == "qcow2"
    [ref] = inv["backupStorageRefs"]
    assert ref["imageUuid"] == img.uuid and ref["backupStorageUuid"] == sc.ceph_bs.uuid
    assert ref["status"] == "Ready" and ref["installPath"] and "id" in ref
    assert "explain" not in body and "excluded" not in body


@pytest.mark.parametrize("field,value,code", [
    ("media_type", "ISO", "MEDIA_TYPE"),
    ("media_type", "DataVolumeTemplate", "MEDIA_TYPE"),
    ("state", "Disabled", "DISABLED"),
    ("status", "Downloading", "NOT_READY"),
    ("status", "Deleted", "NOT_READY"),
    ("system", True, "SYSTEM"),
    ("architecture", "aarch64", "ARCHITECTURE"),
])
def test_each_image_rule_excludes_with_its_code(api, database, field, value, code):
    with database.write() as s:
        sc = scene(s)
        good = f.image(s, name="good", backup_storage_uuids=[sc.store_bs.uuid])
        bad = f.image(s, name="bad", backup_storage_uuids=[sc.store_bs.uuid], **{field: value})
    body = candidates(api, sc.vm.uuid, explain="true")
    assert [i["uuid"] for i in body["inventories"]] == [good.uuid]
    r = reasons(body, bad.uuid)
    assert list(r) == [code], r  # only that rule fails: storage is usable
    assert r[code]["message"]


def test_storage_rules_per_backup_storage(api, database):
    with database.write() as s:
        sc = scene(s)
        other_fsid = f.backup_storage(s, type="Ceph", zone_uuids=[sc.zone.uuid], fsid="fsid-B")
        sftp = f.backup_storage(s, type="SftpBackupStorage", zone_uuids=[sc.zone.uuid])
        elsewhere = f.backup_storage(s, type="ImageStoreBackupStorage", zone_uuids=[sc.other_zone.uuid])
        disabled = f.backup_storage(s, type="ImageStoreBackupStorage", zone_uuids=[sc.zone.uuid], state="Disabled")
        gone = f.backup_storage(s, type="ImageStoreBackupStorage", zone_uuids=[sc.zone.uuid], status="Disconnected")
        img = f.image(s, name="nowhere")
        f.image_ref(s, img.uuid, other_fsid.uuid)
        f.image_ref(s, img.uuid, sftp.uuid)
        f.image_ref(s, img.uuid, elsewhere.uuid)
        f.image_ref(s, img.uuid, disabled.uuid)
        f.image_ref(s, img.uuid, gone.uuid)
        f.image_ref(s, img.uuid, sc.ceph_bs.uuid, status="Downloading")
        ok_same_fsid = f.image(s, name="same-fsid", backup_storage_uuids=[sc.ceph_bs.uuid])
        ok_store = f.image(s, name="store", backup_storage_uuids=[sc.store_bs.uuid])
        expected = {other_fsid.uuid: ["CEPH_FSID_MISMATCH"], sftp.uuid: ["BS_TYPE_INCOMPATIBLE"],
                    elsewhere.uuid: ["BS_NOT_IN_ZONE"], disabled.uuid: ["BS_DISABLED"],
                    gone.uuid: ["BS_DISCONNECTED"], sc.ceph_bs.uuid: ["REF_NOT_READY"]}
    body = candidates(api, sc.vm.uuid, explain="true")
    assert [i["uuid"] for i in body["inventories"]] == [ok_same_fsid.uuid, ok_store.uuid]
    r = reasons(body, img.uuid)
    assert list(r) == ["NO_USABLE_BACKUP_STORAGE"]
    got = {b["uuid"]: b["codes"] for b in r["NO_USABLE_BACKUP_STORAGE"]["backupStorages"]}
    assert got == expected
    assert all(b["name"] for b in r["NO_USABLE_BACKUP_STORAGE"]["backupStorages"])


def test_every_failing_rule_is_listed(api, database):
    with database.write() as s:
        sc = scene(s)
        img = f.image(s, name="all-wrong", media_type="ISO", state="Disabled", status="Error", system=True,
                      architecture="aarch64")
    r = reasons(candidates(api, sc.vm.uuid, explain="true"), img.uuid)
    assert list(r) == ["MEDIA_TYPE", "DISABLED", "NOT_READY", "SYSTEM", "ARCHITECTURE", "NO_USABLE_BACKUP_STORAGE"]
    assert r["NO_USABLE_BACKUP_STORAGE"]["backupStorages"] == []


@pytest.mark.parametrize("ps_type", ["LocalStorage", "NFS", "SharedMountPoint"])
def test_file_primary_storage_takes_image_store_and_sftp_not_ceph(api, database, ps_type):
    with database.write() as s:
        sc = scene(s, ps_type=ps_type)
        sftp = f.backup_storage(s, type="SftpBackupStorage", zone_uuids=[sc.zone.uuid])
        a = f.image(s, name="a", backup_storage_uuids=[sc.store_bs.uuid])
        b = f.image(s, name="b", backup_storage_uuids=[sftp.uuid])
        c = f.image(s, name="c", backup_storage_uuids=[sc.ceph_bs.uuid])
    body = candidates(api, sc.vm.uuid, explain="true")
    assert [i["uuid"] for i in body["inventories"]] == [a.uuid, b.uuid]
    bs = reasons(body, c.uuid)["NO_USABLE_BACKUP_STORAGE"]["backupStorages"]
    assert bs == [{"uuid": sc.ceph_bs.uuid, "name": "ceph-bs", "codes": ["BS_TYPE_INCOMPATIBLE"]}]


def test_order_is_code_point_then_uuid_and_each_candidate_once(api, database):
    with database.write() as s:
        sc = scene(s)
        made = []
        for name in ["b", "B", "a", "A", "Ä", "_", "a"]:
            made.append(f.image(s, name=name, backup_storage_uuids=[sc.store_bs.uuid, sc.ceph_bs.uuid]))
    body = candidates(api, sc.vm.uuid)
    expected = [i.uuid for i in sorted(made, key=lambda i: (i.name, i.uuid))]
    assert [i["uuid"] for i in body["inventories"]] == expected
    assert all(len(i["backupStorageRefs"]) == 2 for i in body["inventories"])


# names on which a database's comparison and Python's can differ: trailing spaces (MariaDB's utf8mb4_bin
# pads the shorter name with spaces), characters below the space, beyond the BMP, and equal names
TRICKY_NAMES = ["a", "a ", "a  ", "a\t", "a \x01", "a\x01", "a b", "ab", "a!", "😀", "é", "a", "a "]


def test_order_is_the_databases_own_order_by_name_and_uuid(api, database):
    """The candidate rows are put in order by zslite, not by the statement: the order must be the one the
    database gives `ORDER BY name, uuid` (the order its pages are cut in) on each database."""
    with database.write() as s:
        sc = scene(s)
        made = [f.image(s, name=name, backup_storage_uuids=[sc.store_bs.uuid, sc.ceph_bs.uuid])
                for name in TRICKY_NAMES]
    with database.read() as s:
        by_db = s.scalars(select(Image.uuid).where(Image.uuid.in_([i.uuid for i in made]))
                          .order_by(Image.name, Image.uuid)).all()
        ref_ids = {i.uuid: s.scalars(select(ImageBackupStorageRef.id).where(ImageBackupStorageRef.image_uuid == i.uuid)
                                     .order_by(ImageBackupStorageRef.id)).all() for i in made}
    body = candidates(api, sc.vm.uuid)
    assert [i["uuid"] for i in body["inventories"]] == by_db
    for inv in body["inventories"]:
        assert [r["id"] for r in inv["backupStorageRefs"]] == ref_ids[inv["uuid"]]
    for start in range(len(made)):  # each page is the same slice of that order
        page = candidates(api, sc.vm.uuid, limit=3, start=start)
        assert [i["uuid"] for i in page["inventories"]] == by_db[start:start + 3]


def test_paging_and_count(api, database):
    with database.write() as s:
        sc = scene(s)
        for n in range(7):
            f.image(s, name=f"img-{n}", backup_storage_uuids=[sc.store_bs.uuid])
    full = names(candidates(api, sc.vm.uuid))
    page = candidates(api, sc.vm.uuid, limit=3, start=2, replyWithCount="true")
    assert names(page) == full[2:5] and page["total"] == 7
    assert names(candidates(api, sc.vm.uuid, limit=0)) == []


def test_unknown_and_other_tenants_vm_are_the_same_not_found(api, database, as_account):
    alice = as_account("alice")
    with database.write() as s:
        sc = scene(s)  # admin's VM
        f.image(s, name="x", backup_storage_uuids=[sc.store_bs.uuid])
    unknown = "0" * 32
    e1 = alice.fail("GetImageCandidatesForVmToChange", "SYS.1007", vmInstanceUuid=sc.vm.uuid)
    e2 = alice.fail("GetImageCandidatesForVmToChange", "SYS.1007", vmInstanceUuid=unknown)
    assert e1["details"] == f"invalid field[vmInstanceUuid], resource[uuid:{sc.vm.uuid}] not found"
    assert e2["details"] == e1["details"].replace(sc.vm.uuid, unknown)
    assert e1["description"] == e2["description"]


def test_tenant_sees_own_shared_and_public_images_only(api, database, as_account):
    alice, bob = as_account("alice"), as_account("bob")
    with database.write() as s:
        sc = scene(s, vm_owner=alice.account_uuid)
        bs = [sc.store_bs.uuid]
        mine = f.image(s, name="alice-own", account_uuid=alice.account_uuid, backup_storage_uuids=bs)
        bobs = f.image(s, name="bob-private", account_uuid=bob.account_uuid, backup_storage_uuids=bs)
        bobs_bad = f.image(s, name="bob-private-iso", account_uuid=bob.account_uuid, media_type="ISO",
                           backup_storage_uuids=bs)
        shared = f.image(s, name="bob-shared", account_uuid=bob.account_uuid, backup_storage_uuids=bs)
        f.share(s, shared.uuid, bob.account_uuid, receiver=alice.account_uuid)
        public = f.image(s, name="admin-public", backup_storage_uuids=bs)
        f.share(s, public.uuid, f.ADMIN_ACCOUNT_UUID, public=True)
        admin_private = f.image(s, name="admin-private", backup_storage_uuids=bs)
    body = candidates(alice, sc.vm.uuid, explain="true")
    assert [i["uuid"] for i in body["inventories"]] == [public.uuid, mine.uuid, shared.uuid]
    mentioned = {e["uuid"] for e in body["excluded"]}
    assert not mentioned & {bobs.uuid, bobs_bad.uuid, admin_private.uuid}
    # admin sees everything on alice's VM
    admin_view = candidates(api, sc.vm.uuid)
    assert {i["uuid"] for i in admin_view["inventories"]} == {mine.uuid, bobs.uuid, shared.uuid, public.uuid,
                                                              admin_private.uuid}


def test_vm_without_root_volume_has_no_candidates(api, database):
    with database.write() as s:
        sc = scene(s)
        f.image(s, name="x", backup_storage_uuids=[sc.store_bs.uuid])
        rootless = f.vm(s, sc.cluster, sc.host, sc.ceph_ps, with_root=False)
    body = candidates(api, rootless.uuid, replyWithCount="true")
    assert body["inventories"] == [] and body["total"] == 0


def test_bad_parameters(api, database):
    with database.write() as s:
        sc = scene(s)
    for bad in ({"limit": "-1"}, {"limit": "x"}, {"start": "-3"}, {"explain": "maybe"}):
        status, body = api.call("GetImageCandidatesForVmToChange", vmInstanceUuid=sc.vm.uuid, **bad)
        assert status == 503 and body["error"]["code"] == "SYS.1007", (bad, body)
        assert list(bad)[0] in body["error"]["details"]
    status, body = api.call("GetImageCandidatesForVmToChange", vmInstanceUuid="not-a-uuid")
    assert status == 503 and body["error"]["code"] == "SYS.1007"
    r = api.request("GET", f"/zstack/v1/vm-instances/{sc.vm.uuid}/image-candidates",
                    params={"systemTags": "a::b,c::d", "userTags": ["u"]})
    assert r.status_code == 200
    r = api.request("GET", f"/zstack/v1/vm-instances/{sc.vm.uuid}/image-candidates", headers={"Authorization": ""})
    assert r.status_code == 400


def test_schema_map_when_asked(api, database):
    with database.write() as s:
        sc = scene(s)
        f.image(s, name="x", backup_storage_uuids=[sc.store_bs.uuid, sc.ceph_bs.uuid])
    r = api.request("GET", f"/zstack/v1/vm-instances/{sc.vm.uuid}/image-candidates",
                    headers={"X-JSON-Schema": "true"})
    assert r.json()["schema"] == {
        "inventories[0]": "org.zstack.header.image.ImageInventory",
        "inventories[0].backupStorageRefs[0]": "org.zstack.header.image.ImageBackupStorageRefInventory",
        "inventories[0].backupStorageRefs[1]": "org.zstack.header.image.ImageBackupStorageRefInventory",
    }


def _count_queries(database, fn) -> int:
    return len(statements(database, fn))


def bulk_images(s, n: int, bs_uuids: list[str]) -> None:
    """n images (every third an ISO, so not a candidate) with a ref on each storage, in three statements."""
    rows = [f.m.Image(uuid=f.uid(), name=f"i{k:05d}", state="Enabled", status="Ready", size=1024, actual_size=1024,
                      url="http://example/i.qcow2", media_type="ISO" if k % 3 == 2 else "RootVolumeTemplate",
                      type="zstack", platform="Linux", format="qcow2", system=False, architecture="x86_64",
                      virtio=True, create_date=f.NOW, last_op_date=f.NOW) for k in range(n)]
    s.add_all(rows)
    s.flush()
    s.add_all([f.m.AccountResourceRef(resource_uuid=r.uuid, resource_type="ImageVO",
                                      account_uuid=SYSTEM.account_uuid, create_date=f.NOW) for r in rows])
    s.add_all([f.m.ImageBackupStorageRef(image_uuid=r.uuid, backup_storage_uuid=b, status="Ready",
                                         install_path="x", create_date=f.NOW, last_op_date=f.NOW)
               for r in rows for b in bs_uuids])
    s.flush()


@pytest.mark.parametrize("explain", [False, True])
def test_query_count_does_not_grow_with_the_catalog(database, explain):
    """The same number of queries with 3 or 3003 images; with explain, a bounded page of the excluded
    images (EXPLAIN_LIMIT without a limit: a million-image catalog is not loaded by one GET)."""
    counts, bodies = {}, {}
    for size in (3, 3003):
        from tests.conftest import wipe
        wipe(database)
        with database.write() as s:
            f.account(s, name="admin", uuid=SYSTEM.account_uuid, type="SystemAdmin")
            sc = scene(s)
            bulk_images(s, size, [sc.store_bs.uuid, sc.ceph_bs.uuid])
            vm_uuid = sc.vm.uuid

        def run():
            with database.read() as s:
                ctx = Ctx(db=s, caller=SYSTEM, settings=None, clock=Clock(), new_uuid=new_uuid)
                bodies[size] = get_image_candidates(ctx, GetImageCandidatesParams(
                    vmInstanceUuid=vm_uuid, explain=explain, replyWithCount=True))
        counts[size] = _count_queries(database, run)
        assert bodies[size]["total"] == size - size // 3
    assert counts[3] == counts[3003], counts
    assert counts[3] <= (7 if explain else 4), counts
    if explain:
        small, big = bodies[3], bodies[3003]
        assert len(small["excluded"]) == 1 and small["excludedTruncated"] is False and small["excludedTotal"] == 1
        assert len(big["excluded"]) == EXPLAIN_LIMIT and big["excludedTruncated"] is True
        assert big["excludedTotal"] == 1001
        assert [e["name"] for e in big["excluded"]] == sorted(e["name"] for e in big["excluded"])


def test_explain_pages_with_the_calls_start_and_limit(api, database, as_account):
    """explain=true lists the excluded images in the candidates' order, paged by the same start and
    limit; excludedTruncated says more follow, excludedTotal (replyWithCount) how many there are."""
    alice = as_account("alice")
    with database.write() as s:
        sc = scene(s, vm_owner=alice.account_uuid)
        bs = [sc.store_bs.uuid]
        for n in range(5):
            f.image(s, name=f"good-{n}", account_uuid=alice.account_uuid, backup_storage_uuids=bs)
            f.image(s, name=f"iso-{n}", account_uuid=alice.account_uuid, media_type="ISO", backup_storage_uuids=bs)
        f.image(s, name="iso-admin-private", media_type="ISO", backup_storage_uuids=bs)
    everything = candidates(alice, sc.vm.uuid, explain="true", replyWithCount="true")
    assert [e["name"] for e in everything["excluded"]] == [f"iso-{n}" for n in range(5)]
    assert everything["excludedTruncated"] is False and everything["excludedTotal"] == 5
    pages, start = [], 0
    while True:
        page = candidates(alice, sc.vm.uuid, explain="true", limit=2, start=start)
        assert names(page) == [f"good-{n}" for n in range(start, min(start + 2, 5))]
        pages += [e["name"] for e in page["excluded"]]
        assert page["excludedTruncated"] is (start + 2 < 5) and "excludedTotal" not in page
        if not page["excludedTruncated"]:
            break
        start += 2
    assert pages == [f"iso-{n}" for n in range(5)]
    none = candidates(alice, sc.vm.uuid, explain="true", limit=0)
    assert none["inventories"] == [] and none["excluded"] == [] and none["excludedTruncated"] is True


def test_on_postgresql_the_candidate_statement_carries_its_values_in_its_text(api, database):
    """PostgreSQL plans a prepared statement with parameters again at every call, and may fall back to a
    generic plan that knows neither the architecture nor the storages (rules.candidates _ScopeKey.const):
    there the candidate statement is sent with its values written in and no parameter, so that psycopg's
    prepared statement is planned once with them. Elsewhere they stay parameters. The answer is the same."""
    from sqlalchemy import event

    with database.write() as s:
        sc = scene(s)
        image = f.image(s, backup_storage_uuids=[sc.ceph_bs.uuid], name="candidate")
    sent: list[tuple[str, object]] = []

    def before(conn, cursor, statement, params, context, executemany):
        if "image_backup_storage_refs" in statement and "LIMIT" in statement.upper():
            sent.append((statement, params))

    event.listen(database.read_engine, "before_cursor_execute", before)
    try:
        body = candidates(api, sc.vm.uuid, limit=10)
    finally:
        event.remove(database.read_engine, "before_cursor_execute", before)
    assert names(body) == ["candidate"] and body["inventories"][0]["uuid"] == image.uuid
    assert len(sent) == 1, sent
    statement, params = sent[0]
    if database.backend == "postgresql":
        assert not params, params
        assert f"'{sc.ceph_bs.uuid}'" in statement and "'x86_64'" in statement and "LIMIT 10" in statement
    else:
        assert sc.ceph_bs.uuid not in statement and sc.ceph_bs.uuid in str(params)
