"""The admin-only simulator extension: SetSimulatorResourceStatus for hosts and storage."""

from __future__ import annotations

from tests.api.test_clusters import MISSING


def scene(api):
    zone = api.ok("CreateZone", name="z")["inventory"]
    cluster = api.ok("CreateCluster", zoneUuid=zone["uuid"], name="c")["inventory"]
    host = api.ok("AddKVMHost", name="h", managementIp="10.0.0.1", clusterUuid=cluster["uuid"], username="root",
                  password="pw")["inventory"]
    ps = api.ok("AddNfsPrimaryStorage", name="ps", url="n:/ps", zoneUuid=zone["uuid"])["inventory"]
    bs = api.ok("AddCephBackupStorage", name="bs", monUrls=["a:b@mon1"])["inventory"]
    return host, ps, bs


def test_set_status_of_host_primary_and_backup_storage(api):
    host, ps, bs = scene(api)
    for uuid, query, zclass in ((host["uuid"], "QueryHost", "org.zstack.kvm.KVMHostInventory"),
                                (ps["uuid"], "QueryPrimaryStorage",
                                 "org.zstack.header.storage.primary.PrimaryStorageInventory"),
                                (bs["uuid"], "QueryBackupStorage",
                                 "org.zstack.storage.ceph.backup.CephBackupStorageInventory")):
        got = api.ok("SetSimulatorResourceStatus", uuid=uuid, status="Disconnected",
                     headers={"X-JSON-Schema": "true"})
        assert got["inventory"]["uuid"] == uuid and got["inventory"]["status"] == "Disconnected"
        assert got["schema"]["inventory"] == zclass
        if query == "QueryBackupStorage":  # one entry per nested object: the Ceph monitor too
            assert got["schema"]["inventory.mons[0]"] == \
                "org.zstack.storage.ceph.backup.CephBackupStorageMonInventory"
        else:
            assert got["schema"] == {"inventory": zclass}
        assert [x["uuid"] for x in api.query(query, "status=Disconnected")] == [uuid]
        assert api.ok("SetSimulatorResourceStatus", uuid=uuid, status="Connecting")["inventory"]["status"] == \
            "Connecting"
        assert api.ok("SetSimulatorResourceStatus", uuid=uuid, status="Connected")["inventory"]["status"] == \
            "Connected"
    assert api.query("QueryHost")[0]["state"] == "Enabled"  # status is not state


def test_wire_form_and_errors(api, as_account):
    host, _, _ = scene(api)
    r = api.request("PUT", f"/zstack/v1/simulator/resources/{host['uuid']}/actions",
                    json={"setStatus": {"status": "Disconnected"}})
    assert r.status_code == 202 and r.json()["location"].startswith("http://testserver/zstack/v1/api-jobs/")
    assert api.wait(r.json()["location"]).json()["inventory"]["status"] == "Disconnected"
    err = api.fail("SetSimulatorResourceStatus", "SYS.1007", uuid=MISSING, status="Connected")
    assert err["details"] == f"invalid field[uuid], resource[uuid:{MISSING}] not found"
    err = api.fail("SetSimulatorResourceStatus", "SYS.1007", uuid=host["uuid"], status="Broken")
    assert "field[status]" in err["details"]
    err = api.fail("SetSimulatorResourceStatus", "SYS.1007", uuid=host["uuid"])
    assert "field[status] is required" in err["details"]
    alice = as_account("alice")
    alice.fail("SetSimulatorResourceStatus", "ID.1002", uuid=host["uuid"], status="Connected")
    assert api.query("QueryHost")[0]["status"] == "Disconnected"
