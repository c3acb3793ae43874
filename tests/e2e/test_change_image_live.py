"""ChangeVmImage through a real server process: crash safety at every step, serialization with
image disables and VM operations, and a concurrent mix that keeps every invariant."""

from __future__ import annotations

import random
import threading

import pytest

from tests.conftest import on_each_database_in_turn
from tests.e2e.changes import invariants, prepare, submit_change
from zslite.db import models as m
from zslite.testing import poll

POINTS = ["ChangeVmImage.after_new_volume", "ChangeVmImage.after_capacity", "ChangeVmImage.after_vm_update",
          "ChangeVmImage.after_old_volume_expunged", "ChangeVmImage.before_commit", "job.before_commit"]


# every step on two of the three databases, in turn (each database meets four of the six steps)
@pytest.mark.parametrize("backend, point", on_each_database_in_turn([(p,) for p in POINTS + POINTS[1:] + POINTS[:1]]))
def test_crash_at_each_step_leaves_one_root_volume(live, database, point):
    server = live("crash-node", ZSLITE_FAULT_INJECTION=f"{point}=kill")
    sc, [vm_uuid], [image_uuid] = prepare(database)
    with database.read() as s:
        old_root = s.get(m.VmInstance, vm_uuid).root_volume_uuid
    with server.client() as c:
        location = submit_change(c, server.login(c), vm_uuid, image_uuid)
    assert server.proc.wait(20) == 137  # died at the fault point
    server.start(ZSLITE_FAULT_INJECTION="")  # same node name: its running jobs were interrupted
    with server.client() as c:
        r = poll(c, location)
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "SYS.1006" and "interrupted" in r.json()["error"]["description"]
    vms = invariants(database, sc.ceph_ps.uuid)
    assert vms[vm_uuid].root_volume_uuid == old_root and vms[vm_uuid].image_uuid != image_uuid
    # and the change can then be made for real
    with server.client() as c:
        r = poll(c, submit_change(c, server.login(c), vm_uuid, image_uuid))
        assert r.status_code == 200, r.text
    vms = invariants(database, sc.ceph_ps.uuid)
    assert vms[vm_uuid].image_uuid == image_uuid


def test_image_disable_waits_for_a_running_change(live, database):
    """A change holds its image: a disable submitted mid-change commits only after the change."""
    server = live("lock-node", ZSLITE_FAULT_INJECTION="ChangeVmImage.after_capacity=sleep:2")
    sc, [vm_uuid], [image_uuid] = prepare(database)
    with server.client() as c:
        h = server.login(c)
        change_loc = submit_change(c, h, vm_uuid, image_uuid)
        import time
        time.sleep(0.8)  # the change is inside its transaction, sleeping
        r = c.put(f"/zstack/v1/images/{image_uuid}/actions", json={"changeImageState": {"stateEvent": "disable"}},
                  headers=h)
        assert r.status_code == 202, r.text
        disable_loc = r.json()["location"]
        # had the disable not waited for the change, it would be done while the change still sleeps
        assert poll(c, disable_loc).status_code == 200
        assert c.get(httpx_path(change_loc)).status_code == 200, "the disable committed before the change"
        assert poll(c, change_loc).json()["inventory"]["imageUuid"] == image_uuid
        # the image is now disabled: a second change with it is refused as not a candidate
        r = poll(c, submit_change(c, h, vm_uuid, image_uuid))
        assert r.status_code == 503 and "DISABLED" in r.json()["error"]["details"]
    invariants(database, sc.ceph_ps.uuid)


def test_start_waits_for_a_running_change(live, database):
    server = live("start-node", ZSLITE_FAULT_INJECTION="ChangeVmImage.after_vm_update=sleep:1.5")
    sc, [vm_uuid], [image_uuid] = prepare(database)
    with server.client() as c:
        h = server.login(c)
        change_loc = submit_change(c, h, vm_uuid, image_uuid)
        import time
        time.sleep(0.6)
        r = c.put(f"/zstack/v1/vm-instances/{vm_uuid}/actions", json={"startVmInstance": {}}, headers=h)
        start_loc = r.json()["location"]
        assert poll(c, change_loc).status_code == 200
        r = poll(c, start_loc)
        assert r.status_code == 200 and r.json()["inventory"]["state"] == "Running"
        assert r.json()["inventory"]["imageUuid"] == image_uuid
    invariants(database, sc.ceph_ps.uuid)


def httpx_path(location: str) -> str:
    import httpx
    return httpx.URL(location).path


def test_concurrent_changes_stops_and_disables_keep_invariants(live, database):
    import time

    server = live("mix-node")
    sc, vm_uuids, image_uuids = prepare(database, n_vms=3, n_images=4)
    history: list[tuple[str, str, float, float, int]] = []  # (op, image, submitted, done, status)
    lock = threading.Lock()

    def worker(seed: int):
        rnd = random.Random(seed)
        with server.client() as c:
            h = server.login(c)
            for _ in range(12):
                vm, img = rnd.choice(vm_uuids), rnd.choice(image_uuids)
                op = rnd.choice(["change", "change", "change", "start", "stop", "disable", "enable"])
                submitted = time.monotonic()
                if op == "change":
                    loc = submit_change(c, h, vm, img)
                elif op in ("start", "stop"):
                    loc = c.put(f"/zstack/v1/vm-instances/{vm}/actions", json={f"{op}VmInstance": {}},
                                headers=h).json()["location"]
                else:
                    loc = c.put(f"/zstack/v1/images/{img}/actions",
                                json={"changeImageState": {"stateEvent": op}}, headers=h).json()["location"]
                r = poll(c, loc, timeout=60)
                assert r.status_code in (200, 503), r.text
                if r.status_code == 503:
                    assert r.json()["error"]["code"] in ("SYS.1007", "SYS.1006"), r.text
                with lock:
                    history.append((op, img, submitted, time.monotonic(), r.status_code))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert len(history) == 72
    assert any(op == "change" and code == 200 for op, _, _, _, code in history)
    vms = invariants(database, sc.ceph_ps.uuid)
    with database.read() as s:
        for vm in vms.values():  # (the scene's VMs start without an image; a changed one has one)
            assert vm.image_uuid is None or s.get(m.Image, vm.image_uuid) is not None
    # no change used an image known to be disabled: a change of image I that succeeded may not
    # start after a disable of I had completed, unless an enable of I could have come in between
    for op, img, submitted, done, code in history:
        if op != "change" or code != 200:
            continue
        for d_op, d_img, d_sub, d_done, d_code in history:
            if d_op == "disable" and d_img == img and d_code == 200 and d_done < submitted:
                re_enabled = any(e_op == "enable" and e_img == img and e_code == 200 and e_sub < done
                                 and e_done > d_sub for e_op, e_img, e_sub, e_done, e_code in history)
                assert re_enabled, f"a change used image {img} after it was disabled"
