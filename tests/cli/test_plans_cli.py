"""`zslite plan …` through typer's CliRunner, against the real app (and its plan driver) and database."""

from __future__ import annotations

import json

import pytest

from sqlalchemy import select

from tests.api.test_plans import settings  # noqa: F401  (the fast plan driver)
from tests.plan_scene import fleet, invariants
from zslite.db import models as m

# A client of the plan APIs, whose behaviour on every database tests/api/test_plans.py covers.
pytestmark = pytest.mark.one_backend


def test_dry_run_prints_every_vm_with_its_verdict_and_why(app_cli, database):
    fl = fleet(database, n=3, running=1)
    with database.write() as s:  # an image that is not a candidate: ISO, and only on a storage of another fsid
        from tests import factories as f
        other = f.backup_storage(s, type="Ceph", zone_uuids=[fl.sc.zone.uuid], fsid="fsid-Z", name="far-ceph")
        iso = f.image(s, name="an-iso", media_type="ISO", backup_storage_uuids=[other.uuid]).uuid
    result = app_cli("plan", "create", "--image", fl.image, "--where", f"imageUuid={fl.old_image}", "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "vm-00" in out and "vm-02" in out and out.count("WillChange") == 2 and "Refused" in out
    assert "not stopped" in out and "Planned, 3 VM(s)" in out and "2 pending, 1 refused" in out
    refused = app_cli("plan", "create", "--image", iso, "--vm", fl.vms[1], "--dry-run")
    assert refused.exit_code == 0, refused.output
    assert "MEDIA_TYPE" in refused.stdout and "NO_USABLE_BACKUP_STORAGE" in refused.stdout
    assert "far-ceph: CEPH_FSID_MISMATCH" in refused.stdout  # per backup storage, by name
    body = app_cli.json("plan", "create", "--image", fl.image, "--vm", fl.vms[2], "--dry-run")
    assert body["inventory"]["state"] == "Planned" and body["inventory"]["vms"][0]["state"] == "WillChange"


def test_create_watch_pause_resume_cancel_show_delete(app_cli, database):
    fl = fleet(database, n=4, running=2)
    result = app_cli("plan", "create", "--image", fl.image, "--where", f"imageUuid={fl.old_image}",
                     "--stop-running", "--max-concurrency", "2", "--name", "rocky", "--watch", "--interval", "0.05")
    assert result.exit_code == 0, result.output
    assert "plan rocky" in result.stdout and "Succeeded, 4 VM(s) — 4 succeeded" in result.stdout
    # the bars: one per state and one for the VMs done, each with its count out of the plan's VMs
    bars = {line.split()[0]: line.split()[-2] for line in result.stderr.splitlines() if "/4" in line}
    assert bars == {"done": "4/4", "pending": "0/4", "running": "0/4", "succeeded": "4/4", "failed": "0/4",
                    "skipped": "0/4", "refused": "0/4"}, result.stderr
    with database.read() as s:
        plan_uuid = s.scalar(select(m.ImageChangePlan.uuid))
    watched = app_cli("plan", "watch", plan_uuid, "--interval", "0.05")
    assert watched.exit_code == 0 and "4 succeeded" in watched.stdout
    assert "succeeded" in watched.stderr  # the progress bars, per state
    shown = app_cli.json("plan", "show", plan_uuid)["inventory"]
    assert shown["succeeded"] == 4 and all(v["state"] == "Succeeded" for v in shown["vms"])
    listed = app_cli("plan", "list", "state=Succeeded")
    assert listed.exit_code == 0 and plan_uuid in listed.stdout
    paused = app_cli("plan", "pause", plan_uuid)
    assert paused.exit_code == 3 and "state[Succeeded]" in paused.output
    assert app_cli("plan", "delete", plan_uuid).exit_code == 0
    assert app_cli.json("plan", "list")["inventories"] == []
    invariants(database, fl.sc.ceph_ps.uuid)

    # a dry run (the Running VM refused), cancelled: every action answers with the plan's summary
    dry = app_cli.json("plan", "create", "--image", fl.old_image, "--vm", fl.vms[0], "--vm", fl.vms[3], "--dry-run")
    uuid = dry["inventory"]["uuid"]
    cancelled = app_cli("plan", "cancel", uuid)
    assert cancelled.exit_code == 0 and "Cancelled, 2 VM(s) — 1 refused, 1 skipped" in cancelled.stdout
    assert json.loads(app_cli("plan", "resume", uuid, "--json").stdout)["error"]["code"] == "SYS.1006"


def test_a_failed_plan_exits_3_and_bad_usage_2(app_cli, database):
    fl = fleet(database, n=2)
    with database.write() as s:
        s.get(m.PrimaryStorage, fl.sc.ceph_ps.uuid).available_capacity = 0
    failed = app_cli("plan", "create", "--image", fl.image, "--vm", fl.vms[0], "--vm", fl.vms[1],
                     "--max-failures", "5", "--watch", "--interval", "0.05")
    assert failed.exit_code == 3, failed.output
    assert "Failed, 2 VM(s) — 2 failed" in failed.stdout and "bytes available" in failed.stdout
    assert app_cli("plan", "create", "--image", fl.image).exit_code == 2  # neither --where nor --vm
    assert app_cli("plan", "create", "--image", fl.image, "--vm", "x", "--max-concurrency", "65").exit_code == 2
    # a condition on an unknown field is refused by the SDK before anything is sent (the same model checks it)
    refused = app_cli("plan", "create", "--image", fl.image, "--where", "nope=1", "--json")
    assert refused.exit_code == 2 and "unknown field[nope]" in json.loads(refused.stdout)["error"]["details"]
    assert app_cli("plan", "show", "0" * 32).exit_code == 3
