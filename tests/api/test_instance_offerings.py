"""Instance offerings: readable by every account, created and changed by admin."""

from __future__ import annotations

from sqlalchemy import select

from tests.api.test_clusters import DATE, MISSING, count
from zslite.db import models as m
from zslite.context import ADMIN_ACCOUNT_UUID

GIB = 1024**3


def test_create_instance_offering_inventory(api, database):
    o = api.ok("CreateInstanceOffering", name="small", description="1 vCPU, 1 GiB", cpuNum=1, memorySize=GIB,
               cpuSpeed=2000, allocatorStrategy="LeastVmPreferredHostAllocatorStrategy", sortKey=3,
               resourceUuid="1" * 32, systemTags=["io::tag"], userTags=["cheap"])["inventory"]
    assert o["uuid"] == "1" * 32
    assert (o["name"], o["description"]) == ("small", "1 vCPU, 1 GiB")
    assert (o["cpuNum"], o["memorySize"], o["cpuSpeed"]) == (1, GIB, 2000)
    assert o["allocatorStrategy"] == "LeastVmPreferredHostAllocatorStrategy"
    assert (o["sortKey"], o["state"], o["type"]) == (3, "Enabled", "UserVm")
    assert DATE.match(o["createDate"]) and DATE.match(o["lastOpDate"])
    with database.read() as s:
        ref = s.get(m.AccountResourceRef, o["uuid"])
        assert (ref.account_uuid, ref.resource_type) == (ADMIN_ACCOUNT_UUID, "InstanceOfferingVO")
        assert sorted(s.scalars(select(m.Tag.tag).where(m.Tag.resource_uuid == o["uuid"]))) == ["cheap", "io::tag"]
    r = api.request("GET", f"/zstack/v1/instance-offerings/{o['uuid']}")
    assert r.json()["schema"] == {"inventories[0]": "org.zstack.header.configuration.InstanceOfferingInventory"}
    plain = api.ok("CreateInstanceOffering", name="plain", cpuNum=2, memorySize=2 * GIB)["inventory"]
    assert (plain["cpuSpeed"], plain["sortKey"], plain["type"]) == (0, 0, "UserVm")
    assert "allocatorStrategy" not in plain and "description" not in plain
    assert [x["uuid"] for x in api.query("QueryInstanceOffering", "cpuNum>1")] == [plain["uuid"]]
    assert [x["uuid"] for x in api.query("QueryInstanceOffering", "__userTag__=cheap")] == [o["uuid"]]


def test_bad_parameters_write_nothing(api, database):
    base = {"name": "o", "cpuNum": 1, "memorySize": GIB}
    for missing in base:
        params = {k: v for k, v in base.items() if k != missing}
        err = api.fail("CreateInstanceOffering", "SYS.1007", **params)
        assert f"field[{missing}] is required" in err["details"]
    err = api.fail("CreateInstanceOffering", "SYS.1007", name="o", cpuNum="2", memorySize=1.5, cpuSpeed=-1,
                   allocatorStrategy="Random", type="ApplianceVm")
    for field in ("cpuNum", "memorySize", "cpuSpeed", "allocatorStrategy", "type"):
        assert f"field[{field}]" in err["details"], field
    for cpu, mem in ((0, GIB), (1, 0), (True, GIB)):
        api.fail("CreateInstanceOffering", "SYS.1007", name="o", cpuNum=cpu, memorySize=mem)
    assert count(database, m.InstanceOffering) == 0 and count(database, m.Tag) == 0


def test_update_state_and_delete(api, database):
    o = api.ok("CreateInstanceOffering", name="o", cpuNum=1, memorySize=GIB, userTags=["t"])["inventory"]
    up = api.ok("UpdateInstanceOffering", uuid=o["uuid"], name="renamed", sortKey=9)["inventory"]
    assert (up["name"], up["sortKey"], up["cpuNum"]) == ("renamed", 9, 1)
    for event, state in (("disable", "Disabled"), ("disable", "Disabled"), ("enable", "Enabled")):
        got = api.ok("ChangeInstanceOfferingState", uuid=o["uuid"], stateEvent=event)["inventory"]
        assert got["state"] == state
    err = api.fail("ChangeInstanceOfferingState", "SYS.1007", uuid=o["uuid"], stateEvent="maintain")
    assert "field[stateEvent]" in err["details"]
    for name, extra in (("ChangeInstanceOfferingState", {"stateEvent": "enable"}),
                        ("UpdateInstanceOffering", {"name": "x"})):
        err = api.fail(name, "SYS.1007", uuid=MISSING, **extra)
        assert err["details"] == f"invalid field[uuid], resource[uuid:{MISSING}] not found"
    api.ok("DeleteInstanceOffering", uuid=o["uuid"])
    assert api.query("QueryInstanceOffering") == []
    assert count(database, m.Tag) == 0
    assert count(database, m.AccountResourceRef, m.AccountResourceRef.resource_uuid == o["uuid"]) == 0
    api.ok("DeleteInstanceOffering", uuid=o["uuid"])  # already gone: succeeds, as in ZStack


def test_every_account_reads_offerings_only_admin_changes_them(api, as_account, database):
    o = api.ok("CreateInstanceOffering", name="o", cpuNum=1, memorySize=GIB)["inventory"]
    alice = as_account("alice")
    assert [x["uuid"] for x in alice.query("QueryInstanceOffering")] == [o["uuid"]]
    r = alice.request("GET", f"/zstack/v1/instance-offerings/{o['uuid']}")
    assert [x["uuid"] for x in r.json()["inventories"]] == [o["uuid"]]
    alice.fail("CreateInstanceOffering", "ID.1002", name="mine", cpuNum=1, memorySize=GIB)
    alice.fail("UpdateInstanceOffering", "ID.1002", uuid=o["uuid"], name="mine")
    alice.fail("ChangeInstanceOfferingState", "ID.1002", uuid=o["uuid"], stateEvent="disable")
    alice.fail("DeleteInstanceOffering", "ID.1002", uuid=o["uuid"])
    assert [(x["name"], x["state"]) for x in api.query("QueryInstanceOffering")] == [("o", "Enabled")]
    assert count(database, m.InstanceOffering) == 1
