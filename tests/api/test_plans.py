"""Fleet image change plans (SPEC §11) through HTTP, against the real app with its job runner and plan
driver: dry-run verdicts equal to ChangeVmImage's and explain's, the rolling run, maxConcurrency,
stopRunningVms, maxFailures, pause / resume / cancel / delete, progress, tenancy, bad input, and the
dry run's fixed statement count."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from tests import factories as f
from tests.api import test_change_image
from tests.conftest import wipe
from tests.plan_scene import fleet, invariants, wait_plan
from tests.support import statements
from zslite.apispec.plans import CreateImageChangePlanParams
from zslite.clock import Clock
from zslite.config import Settings
from zslite.context import SYSTEM, Caller, Ctx
from zslite.db import models as m
from zslite.ids import new_uuid
from zslite.services import plans as plan_svc


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    """The suite's settings, with a driver that looks for work every 50 ms."""
    return Settings(db_url=db_url, secret_key="test-master-key", migrate_on_start=False, password_hash_n=2**10,
                    log_level="WARNING", job_workers=4, plan_workers=8, job_poll_interval=0.05,
                    heartbeat_interval=0.2, node_timeout=2.0, secret_key_file=str(tmp_path / "zslite.key"))


def create(client, **params) -> dict:
    return client.ok("CreateImageChangePlan", **params)["inventory"]


def get(client, uuid: str) -> dict:
    [plan] = client.query("QueryImageChangePlan", f"uuid={uuid}")
    return plan


def by_vm(plan: dict) -> dict[str, dict]:
    return {v["vmInstanceUuid"]: v for v in plan["vms"]}


def counts(plan: dict) -> dict[str, int]:
    return {k: plan[k] for k in ("total", "pending", "running", "succeeded", "failed", "refused", "skipped")}


def snapshot(database) -> dict:
    """The VMs, volumes and capacities (the plan itself is a new owned resource)."""
    return {k: v for k, v in test_change_image.snapshot(database).items() if k != "owners"}


class Gate:
    """Holds plan steps at a fault-injection point until released (the driver's threads call faults.hit)."""

    def __init__(self, monkeypatch, point: str):
        from zslite.jobs import plans as driver
        self.point = point
        self.open = threading.Event()
        self.arrived = threading.Semaphore(0)
        real = driver.faults.hit

        def hit(spec, name):
            if name == point:
                self.arrived.release()
                assert self.open.wait(60), f"{point} was never released"
            return real(spec, name)

        monkeypatch.setattr(driver.faults, "hit", hit)

    def wait_arrivals(self, n: int = 1) -> None:
        for _ in range(n):
            assert self.arrived.acquire(timeout=30), f"nobody reached {self.point}"

    def release(self) -> None:
        self.open.set()


# ---- dry run ---------------------------------------------------------------------------------------

def test_dry_run_checks_every_vm_with_changevmimage_rules_and_changes_nothing(api, database):
    fl = fleet(database, n=3, running=1)
    with database.write() as s:
        sc = fl.sc
        # vm-03 in an aarch64 cluster: Rocky-9 is not a candidate (explain's reasons)
        arm = f.cluster(s, sc.zone.uuid, architecture="aarch64")
        arm_host = f.host(s, arm)
        arm_vm = f.vm(s, arm, arm_host, sc.ceph_ps, name="vm-03", image=s.get(m.Image, fl.old_image)).uuid
        # vm-04 on a disabled primary storage: a pre-check fails (ChangeVmImage's error)
        bad_ps = f.primary_storage(s, sc.zone.uuid, type="Ceph", cluster_uuids=[sc.cluster.uuid], fsid="fsid-A",
                                   state="Disabled")
        disabled_vm = f.vm(s, sc.cluster, sc.host, bad_ps, name="vm-04").uuid
        # a VM with another image is not selected
        f.vm(s, sc.cluster, sc.host, sc.ceph_ps, name="vm-other")
    before = snapshot(database)
    plan = create(api, imageUuid=fl.image, conditions=[f"imageUuid={fl.old_image}"], dryRun=True)
    assert plan["state"] == "Planned" and plan["dryRun"] is True
    assert [v["vmName"] for v in plan["vms"]] == ["vm-00", "vm-01", "vm-02", "vm-03"]  # by name
    vms = by_vm(plan)
    running_vm = fl.vms[0]
    assert [vms[v]["state"] for v in fl.vms[1:]] == ["WillChange", "WillChange"]
    assert vms[running_vm]["state"] == "Refused" and vms[arm_vm]["state"] == "Refused"
    assert counts(plan) == {"total": 4, "pending": 2, "running": 0, "succeeded": 0, "failed": 0, "refused": 2,
                            "skipped": 0}
    assert all(v["oldImageUuid"] == fl.old_image for v in plan["vms"])
    assert snapshot(database) == before  # a dry run changes nothing

    # Refused: the very answer ChangeVmImage gives, and explain's reasons for that VM
    status, answer = api.call("ChangeVmImage", vmInstanceUuid=running_vm, imageUuid=fl.image)
    assert status == 503 and vms[running_vm]["error"] == answer["error"]
    assert "not stopped" in vms[running_vm]["error"]["details"] and "reasons" not in vms[running_vm]
    status, answer = api.call("ChangeVmImage", vmInstanceUuid=arm_vm, imageUuid=fl.image)
    assert status == 503 and vms[arm_vm]["error"] == answer["error"]
    explained = api.ok("GetImageCandidatesForVmToChange", vmInstanceUuid=arm_vm, explain=True)["excluded"]
    assert vms[arm_vm]["reasons"] == next(e["reasons"] for e in explained if e["uuid"] == fl.image)
    assert [r["code"] for r in vms[arm_vm]["reasons"]] == ["ARCHITECTURE"]

    # with stopRunningVms the Running VM will change; a VM named by uuid on a disabled storage is refused
    plan = create(api, imageUuid=fl.image, vmInstanceUuids=[disabled_vm, running_vm], dryRun=True,
                  stopRunningVms=True)
    vms = by_vm(plan)
    assert [v["vmName"] for v in plan["vms"]] == ["vm-00", "vm-04"]
    assert vms[running_vm]["state"] == "WillChange" and "error" not in vms[running_vm]
    status, answer = api.call("ChangeVmImage", vmInstanceUuid=disabled_vm, imageUuid=fl.image)
    assert vms[disabled_vm]["state"] == "Refused" and vms[disabled_vm]["error"] == answer["error"]
    assert snapshot(database) == before


def test_a_selection_must_match_vms_the_caller_may_see(api, database):
    fl = fleet(database, n=1)
    err = api.fail("CreateImageChangePlan", "SYS.1007", imageUuid=fl.image, conditions=["name=nobody"])
    assert "no VM matches" in err["details"]
    err = api.fail("CreateImageChangePlan", "SYS.1007", imageUuid=fl.image, vmInstanceUuids=[fl.vms[0], "0" * 32])
    assert err["details"] == f"invalid field[vmInstanceUuids], resource[uuid:{'0' * 32}] not found"
    err = api.fail("CreateImageChangePlan", "SYS.1007", imageUuid="1" * 32, vmInstanceUuids=fl.vms)
    assert err["details"] == f"invalid field[imageUuid], resource[uuid:{'1' * 32}] not found"
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(m.ImageChangePlan)) == 0


@pytest.mark.parametrize("params,fragment", [
    ({}, "give either vmInstanceUuids or conditions"),
    ({"vmInstanceUuids": ["a" * 32], "conditions": ["name=x"]}, "not both"),
    ({"conditions": ["noSuchField=1"]}, "unknown field[noSuchField]"),
    ({"conditions": ["name"]}, "no operator"),
    ({"conditions": ["zone.nope=1"]}, "unknown field[zone.nope]"),
    ({"conditions": []}, "conditions"),
    ({"vmInstanceUuids": [], }, "vmInstanceUuids"),
    ({"conditions": ["name=x"], "maxConcurrency": 0}, "maxConcurrency"),
    ({"conditions": ["name=x"], "maxConcurrency": 65}, "maxConcurrency"),
    ({"conditions": ["name=x"], "maxFailures": -1}, "maxFailures"),
    ({"conditions": ["name=x"], "maxFailures": 10**9}, "maxFailures"),
])
def test_bad_selections_are_refused_before_any_job(api, database, params, fragment):
    r = api.request("POST", "/zstack/v1/image-change-plans", json={"params": {"imageUuid": "b" * 32, **params}})
    assert r.status_code == 503, r.text
    err = r.json()["error"]
    assert err["code"] == "SYS.1007" and fragment in err["details"], err
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(m.Job)) == 0


# ---- running ---------------------------------------------------------------------------------------

def test_a_real_run_changes_every_vm_and_restarts_the_ones_it_stopped(api, database):
    fl = fleet(database, n=5, running=2)
    with database.read() as s:
        old_roots = {v: s.get(m.VmInstance, v).root_volume_uuid for v in fl.vms}
    status, body = api.call("CreateImageChangePlan", imageUuid=fl.image, conditions=[f"imageUuid={fl.old_image}"],
                            stopRunningVms=True, maxConcurrency=2, name="to rocky", description="five VMs",
                            systemTags=["plan::test"], headers={"X-Job-UUID": "c" * 32})
    assert status == 200, body
    plan = body["inventory"]
    assert plan["state"] in ("Running", "Succeeded") and plan["name"] == "to rocky" and plan["maxConcurrency"] == 2
    assert plan["total"] == 5 and plan["refused"] == 0
    plan = wait_plan(lambda u: get(api, u), plan["uuid"])
    assert plan["state"] == "Succeeded", plan
    assert counts(plan) == {"total": 5, "pending": 0, "running": 0, "succeeded": 5, "failed": 0, "refused": 0,
                            "skipped": 0}
    vms = invariants(database, fl.sc.ceph_ps.uuid)
    for entry in plan["vms"]:
        vm = vms[entry["vmInstanceUuid"]]
        assert entry["state"] == "Succeeded" and "error" not in entry
        assert vm.image_uuid == fl.image and vm.root_volume_uuid == entry["newRootVolumeUuid"]
        assert vm.root_volume_uuid != old_roots[vm.uuid]
        assert vm.state == ("Running" if vm.uuid in fl.running else "Stopped")  # the plan started them again
        assert entry["startDate"] and entry["endDate"]
    # progress on the creating API id: every VM in a final state
    [task] = api.ok("GetTaskProgress", apiId="c" * 32)["inventories"]
    assert task["opaque"] == {"state": "Succeeded", "progress": "100"}
    # the query language over plans: counts are integer fields, relations reach the VMs and the image
    assert [p["uuid"] for p in api.query("QueryImageChangePlan", "succeeded=5", "failed=0", "state=Succeeded")] \
        == [plan["uuid"]]
    assert api.query("QueryImageChangePlan", "failed>0") == []
    assert len(api.query("QueryImageChangePlan", f"vms.vmInstanceUuid={fl.vms[3]}", "image.name=Rocky-9")) == 1
    assert len(api.query("QueryImageChangePlan", "__systemTag__=plan::test")) == 1
    assert api.ok("QueryImageChangePlan", count=True)["total"] == 1


def test_never_more_than_max_concurrency_vms_at_once(api, database, monkeypatch):
    """Three VMs must be under way together for the barrier to open (so the bound is reached), and at
    every change the plan has at most three VMs out of service."""
    from zslite.jobs import plans as driver
    fl = fleet(database, n=7, running=3)
    barrier = threading.Barrier(3, timeout=20)
    seen, broken = [], []
    real = driver.faults.hit

    def hit(spec, point):
        if point == "Plan.before_change":
            with database.read() as s:
                seen.append(s.scalar(select(func.count()).select_from(m.ImageChangePlanVm).where(
                    m.ImageChangePlanVm.state.in_(("Stopping", "Changing", "Starting")))))
            if len(seen) <= 3:
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    broken.append(point)
        return real(spec, point)

    monkeypatch.setattr(driver.faults, "hit", hit)
    plan = create(api, imageUuid=fl.image, vmInstanceUuids=fl.vms, maxConcurrency=3, stopRunningVms=True)
    plan = wait_plan(lambda u: get(api, u), plan["uuid"])
    assert plan["state"] == "Succeeded", plan
    assert not broken, "three VMs were never under way at once"
    assert len(seen) == 7 and max(seen) <= 3, seen
    invariants(database, fl.sc.ceph_ps.uuid)


def test_a_failure_pauses_the_plan_and_resume_goes_on(api, database):
    """maxFailures 0: the first failed VM pauses the plan; resumed, it goes on and pauses at the next; a
    capacity shortage is a Failed VM (checked when it changes), never a Refused one."""
    fl = fleet(database, n=5)
    plan = create(api, imageUuid=fl.image, vmInstanceUuids=fl.vms, maxConcurrency=1, dryRun=True)
    assert {v["state"] for v in plan["vms"]} == {"WillChange"}
    # after the checks, vm-01 is started by someone (not stopped any more) and vm-03 is destroyed
    with database.write() as s:
        s.get(m.VmInstance, fl.vms[1]).state = "Running"
        s.get(m.VmInstance, fl.vms[3]).state = "Destroyed"
    plan = api.ok("ResumeImageChangePlan", uuid=plan["uuid"])["inventory"]  # start the dry run as planned
    assert plan["state"] in ("Running", "Paused")
    plan = wait_plan(lambda u: get(api, u), plan["uuid"])
    assert plan["state"] == "Paused", plan
    assert [v["state"] for v in plan["vms"]] == ["Succeeded", "Failed", "Pending", "Pending", "Pending"]
    failed = plan["vms"][1]
    assert failed["error"]["code"] == "SYS.1007" and "not stopped" in failed["error"]["details"]
    plan = api.ok("ResumeImageChangePlan", uuid=plan["uuid"])["inventory"]
    plan = wait_plan(lambda u: get(api, u), plan["uuid"])
    assert plan["state"] == "Paused" and [v["state"] for v in plan["vms"]] == [
        "Succeeded", "Failed", "Succeeded", "Failed", "Pending"], plan
    # the last VM fails on capacity: at the end the plan is Failed
    with database.write() as s:
        s.get(m.PrimaryStorage, fl.sc.ceph_ps.uuid).available_capacity = 1024
    api.ok("ResumeImageChangePlan", uuid=plan["uuid"])
    plan = wait_plan(lambda u: get(api, u), plan["uuid"])
    assert plan["state"] == "Failed" and plan["vms"][4]["state"] == "Failed"
    assert plan["vms"][4]["error"]["code"] == "SYS.1006" and "bytes available" in plan["vms"][4]["error"]["details"]
    assert counts(plan)["failed"] == 3 and counts(plan)["succeeded"] == 2


def test_max_failures_counts_failed_vms(api, database):
    fl = fleet(database, n=4)
    with database.write() as s:
        for vm in fl.vms[:2]:
            s.get(m.VmInstance, vm).state = "Running"  # started after the checks below
    plan = create(api, imageUuid=fl.image, vmInstanceUuids=fl.vms, maxConcurrency=1, maxFailures=1,
                  stopRunningVms=False, dryRun=True)
    assert [v["state"] for v in plan["vms"]] == ["Refused", "Refused", "WillChange", "WillChange"]
    assert counts(plan)["pending"] == 2  # a dry run's WillChange VMs are pending
    with database.write() as s:
        for vm in fl.vms:
            s.get(m.VmInstance, vm).state = "Stopped"
        s.get(m.VmInstance, fl.vms[2]).state = "Running"
    api.ok("ResumeImageChangePlan", uuid=plan["uuid"])
    plan = wait_plan(lambda u: get(api, u), plan["uuid"])
    # one failure is allowed (maxFailures 1): the plan ends, Failed, with the Refused VMs untouched
    assert plan["state"] == "Failed" and [v["state"] for v in plan["vms"]] == [
        "Refused", "Refused", "Failed", "Succeeded"], plan


def test_pause_lets_changes_under_way_finish_and_starts_no_new_one(api, database, app, monkeypatch):
    fl = fleet(database, n=4)
    gate = Gate(monkeypatch, "Plan.before_change")
    plan = create(api, imageUuid=fl.image, vmInstanceUuids=fl.vms, maxConcurrency=1)
    gate.wait_arrivals(1)
    paused = api.ok("PauseImageChangePlan", uuid=plan["uuid"])["inventory"]
    assert paused["state"] == "Paused" and paused["running"] == 1 and paused["pending"] == 3
    gate.release()
    plan = wait_plan(lambda u: get(api, u), plan["uuid"], until=lambda p: p["running"] == 0)
    assert plan["state"] == "Paused" and [v["state"] for v in plan["vms"]] == [
        "Succeeded", "Pending", "Pending", "Pending"], plan
    assert app.state.zs.plans.claim(8) == []  # a paused plan gives no node anything to do
    time.sleep(0.3)  # several driver rounds
    assert [v["state"] for v in get(api, plan["uuid"])["vms"]] == ["Succeeded", "Pending", "Pending", "Pending"]
    err = api.fail("DeleteImageChangePlan", "SYS.1006", uuid=plan["uuid"])
    assert "cancel it first" in err["details"]
    api.ok("PauseImageChangePlan", uuid=plan["uuid"])  # pausing a paused plan changes nothing
    api.ok("ResumeImageChangePlan", uuid=plan["uuid"])
    plan = wait_plan(lambda u: get(api, u), plan["uuid"])
    assert plan["state"] == "Succeeded" and plan["succeeded"] == 4
    err = api.fail("PauseImageChangePlan", "SYS.1006", uuid=plan["uuid"])
    assert "state[Succeeded]" in err["details"]
    invariants(database, fl.sc.ceph_ps.uuid)


def test_cancel_skips_pending_vms_and_lets_changes_under_way_finish(api, database, monkeypatch):
    fl = fleet(database, n=4, running=4)
    gate = Gate(monkeypatch, "Plan.before_change")
    plan = create(api, imageUuid=fl.image, vmInstanceUuids=fl.vms, maxConcurrency=2, stopRunningVms=True)
    gate.wait_arrivals(2)
    cancelled = api.ok("CancelImageChangePlan", uuid=plan["uuid"])["inventory"]
    assert cancelled["state"] == "Cancelled" and cancelled["running"] == 2 and cancelled["skipped"] == 2
    err = api.fail("DeleteImageChangePlan", "SYS.1006", uuid=plan["uuid"])
    assert "under way" in err["details"]
    gate.release()
    plan = wait_plan(lambda u: get(api, u), plan["uuid"], until=lambda p: p["running"] == 0)
    assert plan["state"] == "Cancelled"
    assert [v["state"] for v in plan["vms"]] == ["Succeeded", "Succeeded", "Skipped", "Skipped"]
    vms = invariants(database, fl.sc.ceph_ps.uuid)
    assert all(vms[v].state == "Running" for v in fl.vms)  # the two changed ones were started again
    assert [vms[v].image_uuid for v in fl.vms] == [fl.image, fl.image, fl.old_image, fl.old_image]
    api.ok("CancelImageChangePlan", uuid=plan["uuid"])  # cancelling a cancelled plan changes nothing
    err = api.fail("ResumeImageChangePlan", "SYS.1006", uuid=plan["uuid"])
    assert "state[Cancelled]" in err["details"]
    # an ended plan is deleted with its rows and tags; deleting it again (or an unknown one) succeeds
    api.ok("DeleteImageChangePlan", uuid=plan["uuid"])
    assert api.query("QueryImageChangePlan") == []
    api.ok("DeleteImageChangePlan", uuid=plan["uuid"])
    with database.read() as s:
        assert s.scalar(select(func.count()).select_from(m.ImageChangePlanVm)) == 0
        assert s.get(m.AccountResourceRef, plan["uuid"]) is None


def test_a_dry_run_can_be_cancelled_and_a_plan_with_nothing_to_change_ends_at_once(api, database):
    fl = fleet(database, n=2)
    plan = create(api, imageUuid=fl.image, vmInstanceUuids=fl.vms, dryRun=True)
    plan = api.ok("CancelImageChangePlan", uuid=plan["uuid"])["inventory"]
    assert plan["state"] == "Cancelled" and plan["skipped"] == 2
    with database.write() as s:
        for vm in fl.vms:
            s.get(m.VmInstance, vm).state = "Running"
    plan = create(api, imageUuid=fl.image, vmInstanceUuids=fl.vms)  # both refused (running)
    assert plan["state"] == "Succeeded" and plan["refused"] == 2  # Refused VMs do not fail a plan
    dry = create(api, imageUuid=fl.image, vmInstanceUuids=fl.vms, dryRun=True)
    started = api.ok("ResumeImageChangePlan", uuid=dry["uuid"])["inventory"]  # nothing will change: it ends
    assert started["state"] == "Succeeded" and started["refused"] == 2
    [task] = api.ok("GetTaskProgress", apiId=_job_of(database, plan["uuid"]))["inventories"]
    assert task["opaque"] == {"state": "Succeeded", "progress": "100"}


def _job_of(database, plan_uuid: str) -> str:
    with database.read() as s:
        return s.get(m.ImageChangePlan, plan_uuid).api_id


def test_get_task_progress_follows_the_plan(api, database, monkeypatch):
    fl = fleet(database, n=4)
    gate = Gate(monkeypatch, "Plan.before_change")
    status, body = api.call("CreateImageChangePlan", imageUuid=fl.image, vmInstanceUuids=fl.vms, maxConcurrency=1,
                            headers={"X-Job-UUID": "d" * 32})
    assert status == 200  # the creating job ended as soon as the plan was checked
    gate.wait_arrivals(1)
    [task] = api.ok("GetTaskProgress", apiId="d" * 32)["inventories"]
    assert task["opaque"] == {"state": "Running", "progress": "0"} and "0 of 4" in task["content"]
    api.ok("CancelImageChangePlan", uuid=body["inventory"]["uuid"])
    [task] = api.ok("GetTaskProgress", apiId="d" * 32)["inventories"]
    assert task["opaque"] == {"state": "Cancelled", "progress": "75"}  # 3 skipped of 4
    gate.release()
    wait_plan(lambda u: get(api, u), body["inventory"]["uuid"], until=lambda p: p["running"] == 0)
    [task] = api.ok("GetTaskProgress", apiId="d" * 32)["inventories"]
    assert task["opaque"] == {"state": "Cancelled", "progress": "100"}


# ---- tenancy ---------------------------------------------------------------------------------------

def test_a_tenant_plans_only_its_own_vms_to_images_it_may_use(api, database, as_account):
    alice, bob = as_account("alice"), as_account("bob")
    fl = fleet(database, n=2, owner=alice.account_uuid, image_owner=alice.account_uuid, prefix="alice")
    with database.write() as s:
        sc = fl.sc
        bob_vm = f.vm(s, sc.cluster, sc.host, sc.ceph_ps, account_uuid=bob.account_uuid, name="bob-00",
                      image=s.get(m.Image, fl.old_image)).uuid
        shared_vm = f.vm(s, sc.cluster, sc.host, sc.ceph_ps, name="admin-shared", image=s.get(m.Image, fl.old_image))
        f.share(s, shared_vm.uuid, f.ADMIN_ACCOUNT_UUID, receiver=alice.account_uuid)
        admin_image = f.image(s, name="admin-only", backup_storage_uuids=[sc.ceph_bs.uuid]).uuid
        public = f.image(s, name="public", backup_storage_uuids=[sc.ceph_bs.uuid])
        f.share(s, public.uuid, f.ADMIN_ACCOUNT_UUID, public=True)
    # conditions see only what alice may see: her VMs, and the one shared with her (which she does not own)
    plan = create(alice, imageUuid=fl.image, conditions=[f"imageUuid={fl.old_image}"], dryRun=True)
    assert [v["vmName"] for v in plan["vms"]] == ["admin-shared", "alice-00", "alice-01"]
    shared = plan["vms"][0]
    assert shared["state"] == "Refused" and shared["error"]["code"] == "ID.1002"
    assert plan["accountUuid"] == alice.account_uuid
    # naming bob's VM answers exactly as an unknown uuid
    err = alice.fail("CreateImageChangePlan", "SYS.1007", imageUuid=fl.image, vmInstanceUuids=[bob_vm])
    unknown = alice.fail("CreateImageChangePlan", "SYS.1007", imageUuid=fl.image, vmInstanceUuids=["e" * 32])
    assert err["details"].replace(bob_vm, "e" * 32) == unknown["details"]
    # an image she may not use is unknown; a public one is fine
    err = alice.fail("CreateImageChangePlan", "SYS.1007", imageUuid=admin_image, vmInstanceUuids=fl.vms)
    assert err["details"] == f"invalid field[imageUuid], resource[uuid:{admin_image}] not found"
    mine = create(alice, imageUuid=public.uuid, vmInstanceUuids=fl.vms)
    mine = wait_plan(lambda u: get(alice, u), mine["uuid"])
    assert mine["state"] == "Succeeded"
    # bob sees none of alice's plans and cannot act on them: not found, never ID.1002
    assert bob.query("QueryImageChangePlan") == [] and bob.query("QueryImageChangePlan", f"uuid={plan['uuid']}") == []
    for action in ("PauseImageChangePlan", "ResumeImageChangePlan", "CancelImageChangePlan"):
        err = bob.fail(action, "SYS.1007", uuid=plan["uuid"])
        assert err["details"] == f"invalid field[uuid], resource[uuid:{plan['uuid']}] not found"
    bob.ok("DeleteImageChangePlan", uuid=plan["uuid"])  # as for an unknown plan: success, nothing done
    assert bob.ok("GetTaskProgress", apiId=_job_of(database, plan["uuid"]))["inventories"] == []
    assert bob.query("QueryImageChangePlan", f"vms.vmInstanceUuid={fl.vms[0]}") == []
    # alice sees her two plans; admin sees every plan
    assert len(alice.query("QueryImageChangePlan")) == 2
    assert len(api.query("QueryImageChangePlan")) == 2
    # bob's own plan of his VM works
    bobs = create(bob, imageUuid=public.uuid, conditions=["name~=%"], dryRun=True)
    assert [v["vmInstanceUuid"] for v in bobs["vms"]] == [bob_vm]


# ---- the dry run's cost ---------------------------------------------------------------------------------

def _statements(database, fn) -> int:
    return len([q for q in statements(database, fn) if not q.strip().upper().startswith(("SAVEPOINT", "RELEASE"))])


DRY_RUN_STATEMENTS = 10  # SPEC §11 dry run: whatever the number of VMs (≤ 10,000) or of images


@pytest.mark.parametrize("caller_kind", ["admin", "tenant"])
def test_the_dry_run_costs_a_fixed_number_of_statements(database, settings, caller_kind):
    """Resolve the VMs (1), their scopes (1), owners (1, tenants), their hosts (1 or 2), the image (1) and its
    refs (1), then write the plan, its owner and its VMs (3) and read it back (1): the same count for 1
    and for 300 VMs, with 50 other images in the catalog — not one explain per image per VM."""
    got = {}
    for n in (1, 300):
        wipe(database)
        with database.write() as s:
            account = f.account(s, name="tenant") if caller_kind == "tenant" else None
            f.account(s, name="admin", uuid=SYSTEM.account_uuid, type="SystemAdmin")
        owner = account.uuid if account else None
        fl = fleet(database, n=n, running=n // 3, owner=owner, image_owner=owner)
        with database.write() as s:
            local = f.primary_storage(s, fl.sc.zone.uuid, type="LocalStorage", cluster_uuids=[fl.sc.cluster.uuid])
            f.vm(s, fl.sc.cluster, fl.sc.host, local, account_uuid=owner, image=s.get(m.Image, fl.old_image),
                 name="local-vm")
            for i in range(50):
                f.image(s, name=f"other-{i}", account_uuid=owner, backup_storage_uuids=[fl.sc.ceph_bs.uuid])
        caller = SYSTEM if account is None else Caller(account.uuid, "tenant", False)
        params = CreateImageChangePlanParams(imageUuid=fl.image, conditions=[f"imageUuid={fl.old_image}"],
                                             dryRun=True)

        def run():
            with database.write() as s:
                ctx = Ctx(db=s, caller=caller, settings=settings, clock=Clock(), new_uuid=new_uuid)
                plan = plan_svc.create_image_change_plan(ctx, params)
                # refused: the running VMs, and the local-storage one (Rocky-9 is only on Ceph)
                assert plan["total"] == n + 1 and plan["refused"] == n // 3 + 1
        got[n] = _statements(database, run)
    assert got[1] == got[300], got
    assert got[1] == DRY_RUN_STATEMENTS + (caller_kind == "tenant"), got
