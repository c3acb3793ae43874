"""Clusters: creation, changes, deletion rules, queries and visibility, through the API."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from tests import factories as f
from zslite.db import models as m
from zslite.context import ADMIN_ACCOUNT_UUID

DATE = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M$")
MISSING = "3" * 32


def count(database, model, *where) -> int:
    with database.read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def make_zone(api, name="zone1") -> dict:
    return api.ok("CreateZone", name=name)["inventory"]


def test_create_cluster_inventory_field_by_field(api, database):
    zone = make_zone(api)
    chosen = "c" * 32
    body = api.ok("CreateCluster", zoneUuid=zone["uuid"], name="cluster1", description="first cluster",
                  hypervisorType="KVM", type="zstack", architecture="aarch64", resourceUuid=chosen,
                  systemTags=["tier::gold"], userTags=["team-a"])
    c = body["inventory"]
    assert c["uuid"] == chosen
    assert c["name"] == "cluster1"
    assert c["description"] == "first cluster"
    assert c["state"] == "Enabled"
    assert c["hypervisorType"] == "KVM"
    assert c["zoneUuid"] == zone["uuid"]
    assert c["type"] == "zstack"
    assert c["architecture"] == "aarch64"
    assert DATE.match(c["createDate"]) and DATE.match(c["lastOpDate"])
    with database.read() as s:
        ref = s.get(m.AccountResourceRef, chosen)
        assert (ref.account_uuid, ref.resource_type) == (ADMIN_ACCOUNT_UUID, "ClusterVO")
        tags = {(t.kind, t.tag, t.resource_type) for t in s.scalars(select(m.Tag).where(m.Tag.resource_uuid == chosen))}
    assert tags == {("System", "tier::gold", "ClusterVO"), ("User", "team-a", "ClusterVO")}
    assert [x["uuid"] for x in api.query("QueryCluster", "__systemTag__=tier::gold")] == [chosen]
    assert [x["uuid"] for x in api.query("QueryCluster", "__userTag__=team-a")] == [chosen]


def test_create_cluster_defaults(api):
    zone = make_zone(api)
    c = api.ok("CreateCluster", zoneUuid=zone["uuid"], name="c")["inventory"]
    assert (c["hypervisorType"], c["type"], c["architecture"]) == ("KVM", "zstack", "x86_64")
    assert "description" not in c  # null fields are left out
    for arch in ("mips64el", "loongarch64", "x86_64"):
        assert api.ok("CreateCluster", zoneUuid=zone["uuid"], name=arch, architecture=arch)["inventory"][
            "architecture"] == arch


def test_create_cluster_bad_parameters_write_nothing(api, database):
    zone = make_zone(api)
    for missing in ("zoneUuid", "name"):
        params = {"zoneUuid": zone["uuid"], "name": "c"}
        del params[missing]
        err = api.fail("CreateCluster", "SYS.1007", **params)
        assert f"field[{missing}] is required" in err["details"]
    err = api.fail("CreateCluster", "SYS.1007", zoneUuid="not-a-uuid", name=5, hypervisorType="Xen",
                   architecture="sparc", type="vmware", description=["x"])
    for field in ("zoneUuid", "name", "hypervisorType", "architecture", "type", "description"):
        assert f"field[{field}]" in err["details"], field
    err = api.fail("CreateCluster", "SYS.1007", zoneUuid=zone["uuid"], name="")
    assert "field[name]" in err["details"]
    err = api.fail("CreateCluster", "SYS.1007", zoneUuid=MISSING, name="c")
    assert err["details"] == f"invalid field[zoneUuid], resource[uuid:{MISSING}] not found"
    assert count(database, m.Cluster) == 0
    assert count(database, m.AccountResourceRef, m.AccountResourceRef.resource_type == "ClusterVO") == 0


def test_resource_uuid_taken_is_refused(api, database):
    zone = make_zone(api)
    api.ok("CreateCluster", zoneUuid=zone["uuid"], name="a", resourceUuid="a" * 32)
    err = api.fail("CreateCluster", "SYS.1006", zoneUuid=zone["uuid"], name="b", resourceUuid="a" * 32)
    assert "a" * 32 in err["details"] and "already exists" in err["details"]
    assert count(database, m.Cluster) == 1


def test_update_and_change_state(api):
    zone = make_zone(api)
    c = api.ok("CreateCluster", zoneUuid=zone["uuid"], name="c", description="d")["inventory"]
    updated = api.ok("UpdateCluster", uuid=c["uuid"], name="renamed")["inventory"]
    assert (updated["name"], updated["description"]) == ("renamed", "d")
    assert api.ok("ChangeClusterState", uuid=c["uuid"], stateEvent="disable")["inventory"]["state"] == "Disabled"
    assert api.ok("ChangeClusterState", uuid=c["uuid"], stateEvent="disable")["inventory"]["state"] == "Disabled"
    assert [x["uuid"] for x in api.query("QueryCluster", "state=Disabled")] == [c["uuid"]]
    assert api.ok("ChangeClusterState", uuid=c["uuid"], stateEvent="enable")["inventory"]["state"] == "Enabled"
    err = api.fail("ChangeClusterState", "SYS.1007", uuid=c["uuid"], stateEvent="maintain")
    assert "field[stateEvent]" in err["details"]
    err = api.fail("ChangeClusterState", "SYS.1007", uuid=c["uuid"])
    assert "field[stateEvent] is required" in err["details"]
    for name, extra in (("ChangeClusterState", {"stateEvent": "enable"}), ("UpdateCluster", {"name": "x"})):
        err = api.fail(name, "SYS.1007", uuid=MISSING, **extra)
        assert err["details"] == f"invalid field[uuid], resource[uuid:{MISSING}] not found"
    assert api.query("QueryCluster")[0]["name"] == "renamed"


def test_delete_refused_while_hosts_or_vms_then_detaches_storage(api, database):
    zone = make_zone(api)
    c = api.ok("CreateCluster", zoneUuid=zone["uuid"], name="c", systemTags=["x::y"])["inventory"]
    with database.write() as s:
        cluster = s.get(m.Cluster, c["uuid"])
        host = f.host(s, cluster)
        ps = f.primary_storage(s, zone["uuid"], cluster_uuids=[c["uuid"]])
        host_uuid, ps_uuid = host.uuid, ps.uuid
    err = api.fail("DeleteCluster", "SYS.1006", uuid=c["uuid"])
    assert "1 host(s)" in err["details"] and c["uuid"] in err["details"]

    with database.write() as s:
        s.delete(s.get(m.Host, host_uuid))
        s.delete(s.get(m.AccountResourceRef, host_uuid))
        cluster = s.get(m.Cluster, c["uuid"])
        vm = f.vm(s, cluster, None, s.get(m.PrimaryStorage, ps_uuid))
        vm_uuid, vol_uuid = vm.uuid, vm.root_volume_uuid
    err = api.fail("DeleteCluster", "SYS.1006", uuid=c["uuid"])
    assert "1 VM instance(s)" in err["details"]
    assert count(database, m.Cluster) == 1
    assert count(database, m.PrimaryStorageClusterRef) == 1

    with database.write() as s:
        s.delete(s.get(m.Volume, vol_uuid))
        s.delete(s.get(m.VmInstance, vm_uuid))
    api.ok("DeleteCluster", uuid=c["uuid"])
    assert api.query("QueryCluster") == []
    assert count(database, m.PrimaryStorageClusterRef) == 0
    assert count(database, m.Tag, m.Tag.resource_uuid == c["uuid"]) == 0
    assert count(database, m.AccountResourceRef, m.AccountResourceRef.resource_uuid == c["uuid"]) == 0
    assert count(database, m.PrimaryStorage) == 1  # the storage itself stays
    api.ok("DeleteCluster", uuid=c["uuid"])  # deleting what is not there succeeds, as in ZStack


def test_query_relations_and_errors(api):
    z1, z2 = make_zone(api, "zone1"), make_zone(api, "zone2")
    c1 = api.ok("CreateCluster", zoneUuid=z1["uuid"], name="c1")["inventory"]
    c2 = api.ok("CreateCluster", zoneUuid=z2["uuid"], name="c2", architecture="aarch64")["inventory"]
    assert [x["uuid"] for x in api.query("QueryCluster", "zone.name=zone1")] == [c1["uuid"]]
    assert [x["uuid"] for x in api.query("QueryCluster", f"zone.uuid={z2['uuid']}")] == [c2["uuid"]]
    assert [x["uuid"] for x in api.query("QueryCluster", "architecture=aarch64")] == [c2["uuid"]]
    assert [x["uuid"] for x in api.query("QueryCluster", f"zoneUuid={z1['uuid']}")] == [c1["uuid"]]
    assert api.query("QueryCluster", "zone.name=nowhere") == []
    err = api.fail("QueryCluster", "SYS.1007", q=["color=red"])
    assert "color" in err["details"]
    r = api.request("GET", f"/zstack/v1/clusters/{c1['uuid']}")
    assert r.status_code == 200
    assert r.json()["schema"] == {"inventories[0]": "org.zstack.header.cluster.ClusterInventory"}


def test_normal_account_reads_clusters_but_cannot_change_them(api, as_account, database):
    zone = make_zone(api)
    c = api.ok("CreateCluster", zoneUuid=zone["uuid"], name="c")["inventory"]
    alice = as_account("alice")
    assert [x["uuid"] for x in alice.query("QueryCluster")] == [c["uuid"]]
    assert [x["uuid"] for x in alice.query("QueryCluster", "zone.name=zone1")] == [c["uuid"]]
    alice.fail("CreateCluster", "ID.1002", zoneUuid=zone["uuid"], name="mine")
    alice.fail("UpdateCluster", "ID.1002", uuid=c["uuid"], name="mine")
    alice.fail("ChangeClusterState", "ID.1002", uuid=c["uuid"], stateEvent="disable")
    alice.fail("DeleteCluster", "ID.1002", uuid=c["uuid"])
    assert [(x["name"], x["state"]) for x in api.query("QueryCluster")] == [("c", "Enabled")]
    assert count(database, m.Cluster) == 1
