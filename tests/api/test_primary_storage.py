"""Primary storage: the four types, Ceph monitors and fsid, cluster attachment, state, capacity,
deletion rules, queries and visibility."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests import factories as f
from tests.api.test_clusters import DATE, MISSING, count
from zslite.clock import Clock
from zslite.db import models as m
from zslite.errors import InvalidArgument, OperationError
from zslite.ids import new_uuid
from zslite.services import primary_storage as ps_svc
from zslite.context import ADMIN_ACCOUNT_UUID, SYSTEM, Ctx
from zslite.simulator.ceph import fsid_of

TIB = 1024**4
MONS = ["root:Mon-Pw-1@mon1.example:22/?monPort=6789", "root:Mon-Pw-2@mon2.example:2222/?monPort=6790"]
ADDERS = {"AddLocalPrimaryStorage": ("LocalStorage", "/zstack_ps"),
          "AddNfsPrimaryStorage": ("NFS", "nfs.example:/exports/ps"),
          "AddSharedMountPointPrimaryStorage": ("SharedMountPoint", "/mnt/smp")}


def zone_and_cluster(api, zone_name="zone1"):
    zone = api.ok("CreateZone", name=zone_name)["inventory"]
    cluster = api.ok("CreateCluster", zoneUuid=zone["uuid"], name=f"{zone_name}-cluster")["inventory"]
    return zone, cluster


def add_nfs(api, zone, name="nfs", **kw):
    return api.ok("AddNfsPrimaryStorage", name=name, url="nfs.example:/ps", zoneUuid=zone["uuid"], **kw)["inventory"]


@pytest.mark.parametrize("api_name", sorted(ADDERS))
def test_add_file_primary_storage_inventory(api, database, api_name):
    kind, url = ADDERS[api_name]
    zone, _ = zone_and_cluster(api)
    ps = api.ok(api_name, name="ps1", description="first", url=url, zoneUuid=zone["uuid"], resourceUuid="d" * 32,
                systemTags=["ps::tag"])["inventory"]
    assert ps["uuid"] == "d" * 32
    assert (ps["name"], ps["description"], ps["zoneUuid"], ps["url"]) == ("ps1", "first", zone["uuid"], url)
    assert ps["type"] == kind
    assert (ps["state"], ps["status"]) == ("Enabled", "Connected")
    assert ps["totalCapacity"] == ps["availableCapacity"] == 10 * TIB
    assert ps["totalPhysicalCapacity"] == ps["availablePhysicalCapacity"] == 10 * TIB
    assert ps["attachedClusterUuids"] == []
    assert ps["mountPath"] == ("/opt/zstack/nfsprimarystorage/prim-" + "d" * 32 if kind == "NFS" else url)
    assert DATE.match(ps["createDate"]) and DATE.match(ps["lastOpDate"])
    assert "fsid" not in ps and "mons" not in ps
    with database.read() as s:
        ref = s.get(m.AccountResourceRef, ps["uuid"])
        assert (ref.account_uuid, ref.resource_type) == (ADMIN_ACCOUNT_UUID, "PrimaryStorageVO")
    r = api.request("GET", f"/zstack/v1/primary-storage/{ps['uuid']}")
    assert r.json()["schema"] == {"inventories[0]": "org.zstack.header.storage.primary.PrimaryStorageInventory"}
    assert [x["uuid"] for x in api.query("QueryPrimaryStorage", "__systemTag__=ps::tag")] == [ps["uuid"]]


def test_add_ceph_primary_storage_inventory(api, database):
    zone, _ = zone_and_cluster(api)
    ps = api.ok("AddCephPrimaryStorage", name="ceph", zoneUuid=zone["uuid"], monUrls=MONS,
                resourceUuid="e" * 32)["inventory"]
    u = "e" * 32
    assert ps["type"] == "Ceph" and ps["status"] == "Connected" and ps["totalCapacity"] == 10 * TIB
    assert ps["fsid"] == fsid_of(["mon1.example", "mon2.example"])
    mons = sorted(ps["mons"], key=lambda x: x["hostname"])
    assert [(x["hostname"], x["monPort"], x["sshPort"], x["sshUsername"], x["primaryStorageUuid"])
            for x in mons] == [("mon1.example", 6789, 22, "root", u), ("mon2.example", 6790, 2222, "root", u)]
    assert all(len(x["monUuid"]) == 32 and x["status"] == "Connected" for x in mons)
    assert not any("Mon-Pw" in json.dumps(x) for x in mons) and "sshPassword" not in mons[0]
    assert {p["type"]: p["poolName"] for p in ps["pools"]} == {
        "Root": f"pri-v-r-{u}", "Data": f"pri-v-d-{u}", "ImageCache": f"pri-c-{u}"}
    assert (ps["rootVolumePoolName"], ps["dataVolumePoolName"], ps["imageCachePoolName"]) == (
        f"pri-v-r-{u}", f"pri-v-d-{u}", f"pri-c-{u}")
    with database.read() as s:  # the monitor passwords are stored nowhere
        for table in m.PrimaryStorage.metadata.sorted_tables:
            for row in s.execute(select(table)):
                assert "Mon-Pw" not in " ".join(str(v) for v in row), table.name
    r = api.request("GET", f"/zstack/v1/primary-storage/{u}")
    assert r.json()["schema"]["inventories[0]"] == "org.zstack.storage.ceph.primary.CephPrimaryStorageInventory"
    assert [x["uuid"] for x in api.query("QueryPrimaryStorage", f"fsid={ps['fsid']}")] == [u]

    named = api.ok("AddCephPrimaryStorage", name="ceph2", zoneUuid=zone["uuid"], monUrls=["u:p@other"],
                   rootVolumePoolName="root-pool", dataVolumePoolName="data-pool",
                   imageCachePoolName="cache-pool")["inventory"]
    assert (named["rootVolumePoolName"], named["dataVolumePoolName"], named["imageCachePoolName"]) == (
        "root-pool", "data-pool", "cache-pool")
    assert named["mons"][0]["monPort"] == 6789 and named["mons"][0]["sshPort"] == 22


def test_ceph_fsid_same_monitors_same_cluster_and_tag_override(api):
    zone, _ = zone_and_cluster(api)
    a = api.ok("AddCephPrimaryStorage", name="a", zoneUuid=zone["uuid"], monUrls=MONS)["inventory"]
    b = api.ok("AddCephPrimaryStorage", name="b", zoneUuid=zone["uuid"],
               monUrls=["admin:other@MON2.example", "ceph:x@Mon1.Example:2200/?monPort=7000"])["inventory"]
    c = api.ok("AddCephPrimaryStorage", name="c", zoneUuid=zone["uuid"], monUrls=["root:p@mon1.example"])[
        "inventory"]
    d = api.ok("AddCephPrimaryStorage", name="d", zoneUuid=zone["uuid"], monUrls=MONS,
               systemTags=["ceph::fsid::my-own-fsid"])["inventory"]
    assert a["fsid"] == b["fsid"]
    assert c["fsid"] != a["fsid"]
    assert d["fsid"] == "my-own-fsid"


def test_add_primary_storage_bad_parameters_write_nothing(api, database):
    zone, _ = zone_and_cluster(api)
    for api_name, (_, url) in ADDERS.items():
        base = {"name": "p", "url": url, "zoneUuid": zone["uuid"]}
        for missing in base:
            params = {k: v for k, v in base.items() if k != missing}
            assert f"field[{missing}] is required" in api.fail(api_name, "SYS.1007", **params)["details"]
        err = api.fail(api_name, "SYS.1007", name=1, url=["x"], zoneUuid="zone")
        assert all(f"field[{x}]" in err["details"] for x in ("name", "url", "zoneUuid"))
        err = api.fail(api_name, "SYS.1007", **{**base, "zoneUuid": MISSING})
        assert err["details"] == f"invalid field[zoneUuid], resource[uuid:{MISSING}] not found"
    assert "hostname:/path" in api.fail("AddNfsPrimaryStorage", "SYS.1007", name="p", url="/no-host",
                                        zoneUuid=zone["uuid"])["details"]
    assert "absolute path" in api.fail("AddLocalPrimaryStorage", "SYS.1007", name="p", url="relative",
                                       zoneUuid=zone["uuid"])["details"]
    base = {"name": "c", "zoneUuid": zone["uuid"], "monUrls": MONS}
    for missing in base:
        params = {k: v for k, v in base.items() if k != missing}
        assert f"field[{missing}] is required" in api.fail("AddCephPrimaryStorage", "SYS.1007", **params)["details"]
    assert "field[monUrls]" in api.fail("AddCephPrimaryStorage", "SYS.1007", **{**base, "monUrls": []})["details"]
    assert "field[monUrls]" in api.fail("AddCephPrimaryStorage", "SYS.1007", **{**base, "monUrls": "x@y"})["details"]
    for bad in ("no-at-sign", "root:pw@", "root:pw@host:99999", "root:pw@host/?monPort=x", ":pw@host"):
        err = api.fail("AddCephPrimaryStorage", "SYS.1007", **{**base, "monUrls": [bad]})
        assert "monUrl" in err["details"], bad
    err = api.fail("AddCephPrimaryStorage", "SYS.1007", **{**base, "monUrls": ["a:b@Mon1", "a:b@mon1"]})
    assert "duplicate" in err["details"]
    err = api.fail("AddCephPrimaryStorage", "SYS.1007", **{**base, "rootVolumePoolName": "bad pool/name"})
    assert "field[rootVolumePoolName]" in err["details"]
    err = api.fail("AddNfsPrimaryStorage", "SYS.1007", name="p", url="h:/p", zoneUuid=zone["uuid"],
                   systemTags=["capacity::total::-5"])
    assert "capacity::total::-5" in err["details"]
    assert count(database, m.PrimaryStorage) == 0
    assert count(database, m.Tag) == 0


def test_capacity_tag_and_reserve_release(api, database, settings):
    zone, _ = zone_and_cluster(api)
    ps = add_nfs(api, zone, systemTags=["capacity::total::1000"])
    assert ps["totalCapacity"] == ps["availableCapacity"] == 1000

    def run(fn, *args):
        with database.write() as s:
            fn(Ctx(db=s, caller=SYSTEM, settings=settings, clock=Clock(), new_uuid=new_uuid), *args)

    run(ps_svc.reserve_capacity, ps["uuid"], 600)
    assert api.query("QueryPrimaryStorage")[0]["availableCapacity"] == 400
    with pytest.raises(OperationError) as exc:
        run(ps_svc.reserve_capacity, ps["uuid"], 401)
    assert ps["uuid"] in exc.value.details and "requested 401" in exc.value.details
    assert "available 400 of 1000" in exc.value.details
    run(ps_svc.reserve_capacity, ps["uuid"], 400)
    assert api.query("QueryPrimaryStorage")[0]["availableCapacity"] == 0
    run(ps_svc.release_capacity, ps["uuid"], 300)
    assert api.query("QueryPrimaryStorage", "availableCapacity=300")[0]["uuid"] == ps["uuid"]
    run(ps_svc.release_capacity, ps["uuid"], 5000)  # never above the total
    assert api.query("QueryPrimaryStorage")[0]["availableCapacity"] == 1000
    with pytest.raises(InvalidArgument) as exc:
        run(ps_svc.reserve_capacity, MISSING, 1)
    assert exc.value.details == f"invalid field[primaryStorageUuid], resource[uuid:{MISSING}] not found"
    with pytest.raises(InvalidArgument):
        run(ps_svc.reserve_capacity, ps["uuid"], -1)

    def reserve_and_read(s):  # a reservation is visible to the same unit of work at once
        ctx = Ctx(db=s, caller=SYSTEM, settings=settings, clock=Clock(), new_uuid=new_uuid)
        row = s.get(m.PrimaryStorage, ps["uuid"])
        assert row.available_capacity == 1000
        ps_svc.reserve_capacity(ctx, ps["uuid"], 10)
        return row.available_capacity

    with database.write() as s:
        assert reserve_and_read(s) == 990


def test_attach_detach_and_query_relations(api, database):
    zone, cluster = zone_and_cluster(api)
    other_cluster = api.ok("CreateCluster", zoneUuid=zone["uuid"], name="second")["inventory"]
    far_zone, far_cluster = zone_and_cluster(api, "zone2")
    nfs, local = add_nfs(api, zone), api.ok("AddLocalPrimaryStorage", name="local", url="/ps",
                                            zoneUuid=zone["uuid"])["inventory"]
    attached = api.ok("AttachPrimaryStorageToCluster", clusterUuid=cluster["uuid"],
                      primaryStorageUuid=nfs["uuid"])["inventory"]
    assert attached["attachedClusterUuids"] == [cluster["uuid"]]
    api.ok("AttachPrimaryStorageToCluster", clusterUuid=other_cluster["uuid"], primaryStorageUuid=nfs["uuid"])
    api.ok("AttachPrimaryStorageToCluster", clusterUuid=cluster["uuid"], primaryStorageUuid=local["uuid"])
    assert sorted(api.query("QueryPrimaryStorage", f"uuid={nfs['uuid']}")[0]["attachedClusterUuids"]) == sorted(
        [cluster["uuid"], other_cluster["uuid"]])

    err = api.fail("AttachPrimaryStorageToCluster", "SYS.1006", clusterUuid=cluster["uuid"],
                   primaryStorageUuid=nfs["uuid"])
    assert "has been attached" in err["details"]
    err = api.fail("AttachPrimaryStorageToCluster", "SYS.1007", clusterUuid=far_cluster["uuid"],
                   primaryStorageUuid=nfs["uuid"])
    assert "same zone" in err["details"]
    err = api.fail("AttachPrimaryStorageToCluster", "SYS.1007", clusterUuid=MISSING, primaryStorageUuid=nfs["uuid"])
    assert err["details"] == f"invalid field[clusterUuid], resource[uuid:{MISSING}] not found"
    err = api.fail("AttachPrimaryStorageToCluster", "SYS.1007", clusterUuid=cluster["uuid"], primaryStorageUuid=MISSING)
    assert err["details"] == f"invalid field[primaryStorageUuid], resource[uuid:{MISSING}] not found"
    assert count(database, m.PrimaryStorageClusterRef) == 3

    def uuids(*conds):
        return sorted(x["uuid"] for x in api.query("QueryPrimaryStorage", *conds))

    assert uuids(f"attachedClusterUuids={other_cluster['uuid']}") == [nfs["uuid"]]
    assert uuids(f"attachedClusterUuids?={other_cluster['uuid']},{cluster['uuid']}") == sorted(
        [nfs["uuid"], local["uuid"]])
    assert uuids(f"attachedClusterUuids!={other_cluster['uuid']}") == [local["uuid"]]
    assert uuids("attachedClusterUuids is null") == []
    assert uuids("cluster.name=second") == [nfs["uuid"]]
    assert uuids("cluster.name=zone1-cluster", "type=LocalStorage") == [local["uuid"]]
    assert uuids("zone.name=zone1") == sorted([nfs["uuid"], local["uuid"]])
    assert uuids("zone.name=zone2") == []

    detached = api.ok("DetachPrimaryStorageFromCluster", clusterUuid=other_cluster["uuid"],
                      primaryStorageUuid=nfs["uuid"])["inventory"]
    assert detached["attachedClusterUuids"] == [cluster["uuid"]]
    err = api.fail("DetachPrimaryStorageFromCluster", "SYS.1006", clusterUuid=other_cluster["uuid"],
                   primaryStorageUuid=nfs["uuid"])
    assert "not attached" in err["details"]

    with database.write() as s:  # a running VM of the cluster has its root volume on the NFS storage
        c = s.get(m.Cluster, cluster["uuid"])
        vm = f.vm(s, c, f.host(s, c), s.get(m.PrimaryStorage, nfs["uuid"]), state="Running")
        vm_uuid = vm.uuid
    err = api.fail("DetachPrimaryStorageFromCluster", "SYS.1006", clusterUuid=cluster["uuid"],
                   primaryStorageUuid=nfs["uuid"])
    assert "not stopped" in err["details"]
    with database.write() as s:
        s.get(m.VmInstance, vm_uuid).state = "Stopped"
    api.ok("DetachPrimaryStorageFromCluster", clusterUuid=cluster["uuid"], primaryStorageUuid=nfs["uuid"])
    assert uuids("attachedClusterUuids is null") == [nfs["uuid"]]
    assert far_zone["uuid"] != zone["uuid"]


def test_state_changes(api):
    zone, _ = zone_and_cluster(api)
    ps = add_nfs(api, zone)
    for event, state in (("disable", "Disabled"), ("maintain", "Maintenance"), ("maintain", "Maintenance"),
                         ("enable", "Enabled")):
        assert api.ok("ChangePrimaryStorageState", uuid=ps["uuid"], stateEvent=event)["inventory"]["state"] == state
    err = api.fail("ChangePrimaryStorageState", "SYS.1007", uuid=ps["uuid"], stateEvent="preMaintain")
    assert "field[stateEvent]" in err["details"]
    err = api.fail("ChangePrimaryStorageState", "SYS.1007", uuid=MISSING, stateEvent="enable")
    assert err["details"] == f"invalid field[uuid], resource[uuid:{MISSING}] not found"
    up = api.ok("UpdatePrimaryStorage", uuid=ps["uuid"], name="renamed", url="nfs2:/ps")["inventory"]
    assert (up["name"], up["url"], up["state"]) == ("renamed", "nfs2:/ps", "Enabled")
    assert "hostname:/path" in api.fail("UpdatePrimaryStorage", "SYS.1007", uuid=ps["uuid"], url="bad")["details"]


def test_delete_refused_while_volumes_live_on_it(api, database):
    zone, cluster = zone_and_cluster(api)
    ps = add_nfs(api, zone, userTags=["u"])
    api.ok("AttachPrimaryStorageToCluster", clusterUuid=cluster["uuid"], primaryStorageUuid=ps["uuid"])
    with database.write() as s:
        vol_uuid = f.volume(s, s.get(m.PrimaryStorage, ps["uuid"]), type="Data").uuid
    err = api.fail("DeletePrimaryStorage", "SYS.1006", uuid=ps["uuid"])
    assert "1 volume(s)" in err["details"] and ps["uuid"] in err["details"]
    assert count(database, m.PrimaryStorage) == 1 and count(database, m.PrimaryStorageClusterRef) == 1
    with database.write() as s:
        s.delete(s.get(m.Volume, vol_uuid))
    api.ok("DeletePrimaryStorage", uuid=ps["uuid"])
    assert api.query("QueryPrimaryStorage") == []
    assert count(database, m.PrimaryStorageClusterRef) == 0
    assert count(database, m.Tag, m.Tag.resource_uuid == ps["uuid"]) == 0
    assert count(database, m.AccountResourceRef, m.AccountResourceRef.resource_uuid == ps["uuid"]) == 0
    assert count(database, m.Cluster) == 1
    api.ok("DeletePrimaryStorage", uuid=ps["uuid"])  # already gone: succeeds, as in ZStack


def test_normal_account_sees_no_primary_storage(api, as_account, database):
    zone, cluster = zone_and_cluster(api)
    ps = add_nfs(api, zone)
    alice = as_account("alice")
    assert alice.query("QueryPrimaryStorage") == []
    assert alice.query("QueryPrimaryStorage", f"uuid={ps['uuid']}") == []
    alice.fail("AddNfsPrimaryStorage", "ID.1002", name="mine", url="h:/p", zoneUuid=zone["uuid"])
    alice.fail("AddCephPrimaryStorage", "ID.1002", name="mine", monUrls=MONS, zoneUuid=zone["uuid"])
    alice.fail("AttachPrimaryStorageToCluster", "ID.1002", clusterUuid=cluster["uuid"], primaryStorageUuid=ps["uuid"])
    alice.fail("ChangePrimaryStorageState", "ID.1002", uuid=ps["uuid"], stateEvent="disable")
    alice.fail("DeletePrimaryStorage", "ID.1002", uuid=ps["uuid"])
    assert count(database, m.PrimaryStorage) == 1 and count(database, m.PrimaryStorageClusterRef) == 0
    assert api.query("QueryPrimaryStorage")[0]["state"] == "Enabled"


def test_concurrent_reservations_never_oversubscribe(api, database, settings):
    import threading

    zone, _ = zone_and_cluster(api)
    ps = add_nfs(api, zone, systemTags=["capacity::total::1000"])
    outcomes: list[str] = []
    lock = threading.Lock()

    def reserve():
        try:
            with database.write() as s:
                ps_svc.reserve_capacity(Ctx(db=s, caller=SYSTEM, settings=settings, clock=Clock(),
                                            new_uuid=new_uuid), ps["uuid"], 150)
            outcome = "ok"
        except OperationError:
            outcome = "full"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=reserve) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["full"] * 4 + ["ok"] * 6
    assert api.query("QueryPrimaryStorage")[0]["availableCapacity"] == 100
