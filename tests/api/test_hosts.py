"""KVM hosts: the simulated agent, capacities, state table, deletion rules, queries and visibility."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from tests import factories as f
from tests.api.test_clusters import DATE, MISSING, count
from zslite.db import models as m
from zslite.context import ADMIN_ACCOUNT_UUID

GIB = 1024**3


def scene(api, arch="x86_64"):
    zone = api.ok("CreateZone", name="zone1")["inventory"]
    cluster = api.ok("CreateCluster", zoneUuid=zone["uuid"], name="cluster1", architecture=arch)["inventory"]
    return zone, cluster


def add_host(api, cluster, ip="10.0.0.1", **kw):
    params = {"name": "host1", "managementIp": ip, "clusterUuid": cluster["uuid"], "username": "root",
              "password": "s3cret-pw", **kw}
    return api.ok("AddKVMHost", **params)["inventory"]


def test_add_kvm_host_inventory_field_by_field(api, database):
    zone, cluster = scene(api, "aarch64")
    body = api.ok("AddKVMHost", name="host1", description="rack 1", managementIp="192.168.0.10",
                  clusterUuid=cluster["uuid"], username="root", password="s3cret-pw", sshPort=2222,
                  resourceUuid="b" * 32, userTags=["rack1"])
    h = body["inventory"]
    assert h["uuid"] == "b" * 32
    assert h["name"] == "host1" and h["description"] == "rack 1"
    assert h["zoneUuid"] == zone["uuid"] and h["clusterUuid"] == cluster["uuid"]
    assert h["managementIp"] == "192.168.0.10"
    assert h["hypervisorType"] == "KVM"
    assert h["state"] == "Enabled" and h["status"] == "Connected"
    assert h["architecture"] == "aarch64"  # the cluster's
    assert h["totalCpuCapacity"] == h["availableCpuCapacity"] == 64
    assert h["totalMemoryCapacity"] == h["availableMemoryCapacity"] == 256 * GIB
    assert h["username"] == "root" and h["sshPort"] == 2222
    assert DATE.match(h["createDate"]) and DATE.match(h["lastOpDate"])
    assert "password" not in h
    with database.read() as s:
        ref = s.get(m.AccountResourceRef, h["uuid"])
        assert (ref.account_uuid, ref.resource_type) == (ADMIN_ACCOUNT_UUID, "HostVO")
    r = api.request("GET", f"/zstack/v1/hosts/{h['uuid']}")
    assert r.json()["schema"] == {"inventories[0]": "org.zstack.kvm.KVMHostInventory"}
    assert [x["uuid"] for x in api.query("QueryHost", "__userTag__=rack1")] == [h["uuid"]]


def test_password_is_never_stored(api, database):
    _, cluster = scene(api)
    add_host(api, cluster, password="Very-Secret-Host-Pw")
    with database.read() as s:
        for table in m.Host.metadata.sorted_tables:
            for row in s.execute(select(table)):
                assert "Very-Secret-Host-Pw" not in json.dumps([str(v) for v in row]), table.name


def test_capacity_tags_override_simulated_facts(api):
    _, cluster = scene(api)
    h = add_host(api, cluster, systemTags=["capacity::cpu::8", f"capacity::memory::{16 * GIB}"])
    assert (h["totalCpuCapacity"], h["availableCpuCapacity"]) == (8, 8)
    assert (h["totalMemoryCapacity"], h["availableMemoryCapacity"]) == (16 * GIB, 16 * GIB)
    assert [x["uuid"] for x in api.query("QueryHost", "totalCpuCapacity<10")] == [h["uuid"]]
    err = api.fail("AddKVMHost", "SYS.1007", name="h", managementIp="10.9.9.9", clusterUuid=cluster["uuid"],
                   username="root", password="p", systemTags=["capacity::cpu::lots"])
    assert "capacity::cpu::lots" in err["details"]
    assert len(api.query("QueryHost")) == 1


def test_add_host_bad_parameters_write_nothing(api, database):
    _, cluster = scene(api)
    base = {"name": "h", "managementIp": "10.0.0.5", "clusterUuid": cluster["uuid"], "username": "root",
            "password": "pw"}
    for missing in ("name", "managementIp", "clusterUuid", "username", "password"):
        params = dict(base)
        del params[missing]
        err = api.fail("AddKVMHost", "SYS.1007", **params)
        assert f"field[{missing}] is required" in err["details"], missing
    err = api.fail("AddKVMHost", "SYS.1007", **{**base, "sshPort": "22", "managementIp": "10.0.0.5 ; rm",
                                                "clusterUuid": "xyz", "username": 7})
    for field in ("sshPort", "managementIp", "clusterUuid", "username"):
        assert f"field[{field}]" in err["details"], field
    for port in (0, 65536):
        assert "field[sshPort]" in api.fail("AddKVMHost", "SYS.1007", **{**base, "sshPort": port})["details"]
    err = api.fail("AddKVMHost", "SYS.1007", **{**base, "clusterUuid": MISSING})
    assert err["details"] == f"invalid field[clusterUuid], resource[uuid:{MISSING}] not found"
    assert count(database, m.Host) == 0
    assert count(database, m.AccountResourceRef, m.AccountResourceRef.resource_type == "HostVO") == 0


def test_duplicate_management_ip_is_refused(api, database):
    _, cluster = scene(api)
    first = add_host(api, cluster, ip="10.0.0.1")
    err = api.fail("AddKVMHost", "SYS.1007", name="again", managementIp="10.0.0.1", clusterUuid=cluster["uuid"],
                   username="root", password="pw")
    assert "10.0.0.1" in err["details"] and first["uuid"] in err["details"]
    second = add_host(api, cluster, ip="10.0.0.2", name="host2")
    err = api.fail("UpdateHost", "SYS.1007", uuid=second["uuid"], managementIp="10.0.0.1")
    assert "10.0.0.1" in err["details"]
    assert count(database, m.Host) == 2
    assert api.ok("UpdateHost", uuid=second["uuid"], name="h2", managementIp="10.0.0.3")["inventory"][
        "managementIp"] == "10.0.0.3"


def test_host_state_table(api):
    _, cluster = scene(api)
    h = add_host(api, cluster)

    def event(e):
        return api.ok("ChangeHostState", uuid=h["uuid"], stateEvent=e)["inventory"]["state"]

    assert event("disable") == "Disabled"
    assert event("preMaintain") == "PreMaintenance"
    err = api.fail("ChangeHostState", "SYS.1006", uuid=h["uuid"], stateEvent="preMaintain")
    assert "state[PreMaintenance]" in err["details"]
    assert event("maintain") == "Maintenance"
    err = api.fail("ChangeHostState", "SYS.1006", uuid=h["uuid"], stateEvent="preMaintain")
    assert "state[Maintenance]" in err["details"] and h["uuid"] in err["details"]
    assert api.query("QueryHost")[0]["state"] == "Maintenance"  # the refused event changed nothing
    assert event("enable") == "Enabled"
    assert event("maintain") == "Maintenance"
    assert event("enable") == "Enabled"
    err = api.fail("ChangeHostState", "SYS.1007", uuid=h["uuid"], stateEvent="reboot")
    assert "field[stateEvent]" in err["details"]
    err = api.fail("ChangeHostState", "SYS.1007", uuid=MISSING, stateEvent="enable")
    assert err["details"] == f"invalid field[uuid], resource[uuid:{MISSING}] not found"


def test_delete_host_refused_while_vms_are_on_it(api, database):
    zone, cluster = scene(api)
    h = add_host(api, cluster, systemTags=["k::v"])
    with database.write() as s:
        c, host = s.get(m.Cluster, cluster["uuid"]), s.get(m.Host, h["uuid"])
        ps = f.primary_storage(s, zone["uuid"], type="LocalStorage", cluster_uuids=[c.uuid])
        vm = f.vm(s, c, host, ps, state="Running")
        vm_uuid, vol_uuid = vm.uuid, vm.root_volume_uuid
    err = api.fail("DeleteHost", "SYS.1006", uuid=h["uuid"])
    assert "1 VM instance(s)" in err["details"] and h["uuid"] in err["details"]

    with database.write() as s:  # stopped: the VM left the host, its root volume stays on the local storage
        s.get(m.VmInstance, vm_uuid).host_uuid = None
    err = api.fail("DeleteHost", "SYS.1006", uuid=h["uuid"])
    assert "1 volume(s)" in err["details"] and "local storage" in err["details"]
    assert count(database, m.Host) == 1

    with database.write() as s:
        s.delete(s.get(m.Volume, vol_uuid))
    api.ok("DeleteHost", uuid=h["uuid"])
    assert api.query("QueryHost") == []
    assert count(database, m.Tag, m.Tag.resource_uuid == h["uuid"]) == 0
    assert count(database, m.AccountResourceRef, m.AccountResourceRef.resource_uuid == h["uuid"]) == 0
    with database.read() as s:
        assert s.get(m.VmInstance, vm_uuid).last_host_uuid is None  # no dangling reference
    api.ok("DeleteHost", uuid=h["uuid"])  # already gone: succeeds, as in ZStack


def test_query_host_relations(api):
    zone, cluster = scene(api)
    other_zone = api.ok("CreateZone", name="zone2")["inventory"]
    other = api.ok("CreateCluster", zoneUuid=other_zone["uuid"], name="cluster2", architecture="aarch64")[
        "inventory"]
    h1 = add_host(api, cluster, ip="10.0.0.1")
    h2 = add_host(api, other, ip="10.0.0.2", name="host2")
    assert [x["uuid"] for x in api.query("QueryHost", "zone.name=zone1")] == [h1["uuid"]]
    assert [x["uuid"] for x in api.query("QueryHost", "cluster.name=cluster2")] == [h2["uuid"]]
    assert [x["uuid"] for x in api.query("QueryHost", "cluster.zone.name=zone2")] == [h2["uuid"]]
    assert [x["uuid"] for x in api.query("QueryHost", "architecture=aarch64")] == [h2["uuid"]]
    assert [x["uuid"] for x in api.query("QueryHost", "managementIp=10.0.0.1", "status=Connected")] == [h1["uuid"]]
    assert api.query("QueryHost", "cluster.name=nowhere") == []
    assert "password" in api.fail("QueryHost", "SYS.1007", q=["password=x"])["details"]


def test_normal_account_sees_no_host_and_cannot_change_one(api, as_account, database):
    _, cluster = scene(api)
    h = add_host(api, cluster)
    alice = as_account("alice")
    assert alice.query("QueryHost") == []
    assert alice.query("QueryHost", f"uuid={h['uuid']}") == []
    r = alice.request("GET", f"/zstack/v1/hosts/{h['uuid']}")
    assert r.status_code == 200 and r.json()["inventories"] == []
    assert alice.ok("QueryHost", count=True)["total"] == 0
    alice.fail("AddKVMHost", "ID.1002", name="h", managementIp="10.1.1.1", clusterUuid=cluster["uuid"],
               username="root", password="pw")
    alice.fail("ChangeHostState", "ID.1002", uuid=h["uuid"], stateEvent="disable")
    alice.fail("UpdateHost", "ID.1002", uuid=h["uuid"], name="x")
    alice.fail("DeleteHost", "ID.1002", uuid=h["uuid"])
    assert [(x["name"], x["state"]) for x in api.query("QueryHost")] == [("host1", "Enabled")]
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Host)) == 1


def test_concurrent_adds_with_one_management_ip_make_one_host(api, database):
    _, cluster = scene(api)
    locations = []
    for i in range(6):
        method, path, body, _ = api.build("AddKVMHost", {"name": f"h{i}", "managementIp": "10.7.7.7",
                                                         "clusterUuid": cluster["uuid"], "username": "root",
                                                         "password": "pw"})
        r = api.request(method, path, json=body)
        assert r.status_code == 202
        locations.append(r.json()["location"])
    results = [api.wait(loc) for loc in locations]
    assert sorted(r.status_code for r in results) == [200] + [503] * 5
    assert {r.json()["error"]["code"] for r in results if r.status_code == 503} == {"SYS.1007"}
    assert count(database, m.Host) == 1
    assert count(database, m.AccountResourceRef, m.AccountResourceRef.resource_type == "HostVO") == 1
