"""A fleet image change plan outlives the node running it (SPEC §11, §9), with real `zslite serve`
processes on every database (each moment of the kill on one of them, in turn): kill -9 the node in the middle of a plan, and the plan ends on the
surviving nodes. Every VM ends in a final state with exactly one root volume; a VM whose change was under
way on the dead node is Failed ("interrupted") with its old root volume and, if the plan had stopped it,
Running again; a VM that was being started again is started by a survivor; capacity adds up."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import on_each_database_in_turn
from tests.e2e.test_nodes_live import FAST, node_id, nodes, wait_until  # noqa: F401  (the nodes fixture)
from tests.plan_scene import fleet, invariants
from zslite.db import models as m
from zslite.testing import poll

ACTIVE = ("Stopping", "Changing", "Starting")


def plan_rows(database, plan_uuid: str) -> list[m.ImageChangePlanVm]:
    with database.read() as s:
        return list(s.scalars(select(m.ImageChangePlanVm).where(m.ImageChangePlanVm.plan_uuid == plan_uuid)
                              .order_by(m.ImageChangePlanVm.seq)))


def query_plan(client: httpx.Client, headers: dict, uuid: str) -> dict:
    r = client.get(f"/zstack/v1/image-change-plans/{uuid}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["inventories"][0]


# each moment on one database, the databases in turn (SQLite, PostgreSQL, MariaDB, SQLite by default):
# the open transaction twice, so that both server databases see a kill inside it
@pytest.mark.parametrize("backend, held_at, held_state, outcome", on_each_database_in_turn([
    # the plan had claimed the VMs, the stops not yet made
    ("Plan.before_stop", "Stopping", "interrupted"),
    # the change's transaction is open (capacity moved, new volume not yet made) when the node dies
    ("ChangeVmImage.after_capacity", "Changing", "interrupted"),
    ("ChangeVmImage.after_capacity", "Changing", "interrupted"),
    # the changes were made, the VMs not yet started again
    ("Plan.before_start", "Starting", "changed"),
]))
def test_a_node_killed_mid_plan_loses_nothing(nodes, database, held_at, held_state, outcome):  # noqa: F811
    doomed = nodes("doomed", ZSLITE_FAULT_INJECTION=f"{held_at}=sleep:120")  # (it makes the admin account)
    fl = fleet(database, n=6, running=3)
    with database.read() as s:
        old_roots = {v: s.get(m.VmInstance, v).root_volume_uuid for v in fl.vms}
    with doomed.client() as c:
        h = doomed.login(c)
        doomed_id = node_id(c)
        r = c.post("/zstack/v1/image-change-plans", headers=h, json={"params": {
            "imageUuid": fl.image, "conditions": [f"imageUuid={fl.old_image}"], "stopRunningVms": True,
            "maxConcurrency": 2, "maxFailures": 10, "name": "survives"}})
        assert r.status_code == 202, r.text
        created = poll(c, r.json()["location"])
        assert created.status_code == 200, created.text
        plan = created.json()["inventory"]
        assert plan["state"] == "Running" and plan["total"] == 6
    # the doomed node holds its two VMs (maxConcurrency 2), one at least at the fault point (on SQLite the
    # other's stop waits for the held change's write transaction: it is still Stopping)
    # (on a slow machine the other VM may still be on an earlier step: wait until it has reached the
    # fault point too, or, on SQLite, is waiting at its stop)
    def held_now():
        states = [r.state for r in plan_rows(database, plan["uuid"]) if r.state in ACTIVE]
        return len(states) == 2 and held_state in states and set(states) <= {"Stopping", held_state}

    assert wait_until(held_now, 30), [(r.state, r.node_uuid) for r in plan_rows(database, plan["uuid"])]
    held = [r for r in plan_rows(database, plan["uuid"]) if r.state in ACTIVE]
    assert {r.node_uuid for r in held} == {doomed_id} and [r.vm_instance_uuid for r in held] == fl.vms[:2]
    assert {r.state for r in held} <= {"Stopping", held_state}
    time.sleep(1)  # well inside the held step
    doomed.kill()

    survivors = [nodes("survivor-a"), nodes("survivor-b")]
    with survivors[0].client() as c, survivors[1].client() as c2:
        h = survivors[0].login(c)
        survivor_ids = {node_id(c), node_id(c2)}
        deadline = time.monotonic() + 90
        while (current := query_plan(c, h, plan["uuid"]))["state"] == "Running" and time.monotonic() < deadline:
            time.sleep(0.1)
    assert current["state"] == ("Failed" if outcome == "interrupted" else "Succeeded"), current
    assert current["running"] == 0 and current["pending"] == 0
    entries = {v["vmInstanceUuid"]: v for v in current["vms"]}
    rows = {r.vm_instance_uuid: r for r in plan_rows(database, plan["uuid"])}
    vms = invariants(database, fl.sc.ceph_ps.uuid)  # one root volume each, capacity adds up
    for vm in fl.vms:
        entry, vm_row = entries[vm], vms[vm]
        assert rows[vm].node_uuid in survivor_ids, (vm, rows[vm].node_uuid)  # the plan ended on the others
        assert vm_row.state == ("Running" if vm in fl.running else "Stopped"), (vm, vm_row.state)
        if vm in fl.vms[:2] and outcome == "interrupted":
            assert entry["state"] == "Failed" and entry["error"]["description"] == "interrupted", entry
            assert vm_row.root_volume_uuid == old_roots[vm] and vm_row.image_uuid == fl.old_image
        else:
            assert entry["state"] == "Succeeded", entry
            assert vm_row.root_volume_uuid == entry["newRootVolumeUuid"] != old_roots[vm]
            assert vm_row.image_uuid == fl.image
    assert doomed_id not in {r.node_uuid for r in rows.values() if r.state in ACTIVE}
