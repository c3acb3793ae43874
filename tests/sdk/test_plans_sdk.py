"""Fleet image change plans through zslite.Client and the Action layer: the registry gives them with no
hand-written code (zs.image_change_plans.create / pause / resume / cancel / query / get / delete)."""

from __future__ import annotations

import pytest

import zslite
from tests.api.test_plans import settings  # noqa: F401  (the fast plan driver)
from tests.plan_scene import fleet, invariants, wait_plan
from zslite.sdk import CreateImageChangePlanAction, QueryImageChangePlanAction
from zslite.sdk.models import ImageChangePlanInventory, ImageChangePlanVmInventory
from zslite.sdk.resources import method_table

# The SDK is a client of the HTTP API: one database (the APIs run on every one in tests/api).
pytestmark = pytest.mark.one_backend


def test_the_client_methods_are_named_by_the_rule():
    methods = {name: spec.name for name, spec in method_table()["image_change_plans"].items()}
    assert methods == {"create": "CreateImageChangePlan", "query": "QueryImageChangePlan",
                       "pause": "PauseImageChangePlan", "resume": "ResumeImageChangePlan",
                       "cancel": "CancelImageChangePlan", "delete": "DeleteImageChangePlan"}


def test_a_plan_through_the_client(client, database):
    fl = fleet(database, n=3, running=1)
    plans = client.image_change_plans
    dry = plans.create(fl.image, conditions=[f"imageUuid={fl.old_image}"], dry_run=True, stop_running_vms=True)
    assert isinstance(dry, ImageChangePlanInventory) and dry.state == "Planned" and dry.pending == 3
    assert all(isinstance(v, ImageChangePlanVmInventory) and v.state == "WillChange" for v in dry.vms)
    started = plans.resume(dry.uuid)  # start the dry run as it was checked
    assert started.state in ("Running", "Succeeded")
    done = wait_plan(lambda u: plans.get(u).to_dict(), dry.uuid)
    assert done["state"] == "Succeeded" and done["succeeded"] == 3
    assert [p.uuid for p in plans.query("state=Succeeded", "succeeded>=3")] == [dry.uuid]
    with pytest.raises(zslite.OperationError):
        plans.pause(dry.uuid)
    with pytest.raises(zslite.InvalidArgument) as err:
        plans.create(fl.image, vm_instance_uuids=["f" * 32])
    assert "not found" in err.value.details
    assert plans.delete(dry.uuid) is None
    assert list(plans.query()) == []
    invariants(database, fl.sc.ceph_ps.uuid)


def test_a_plan_through_the_actions(actions, session, database):
    fl = fleet(database, n=2)
    action = CreateImageChangePlanAction()
    action.imageUuid = fl.image
    action.vmInstanceUuids = fl.vms
    action.dryRun = True
    action.sessionId = session
    res = action.call()
    assert res.error is None, res.error
    plan = res.value.inventory
    assert plan.state == "Planned" and [v.vmName for v in plan.vms] == ["vm-00", "vm-01"]
    query = QueryImageChangePlanAction()
    query.conditions = [f"uuid={plan.uuid}"]
    query.sessionId = session
    found = query.call().throw_exception_if_error().value.inventories
    assert [p.uuid for p in found] == [plan.uuid] and found[0].total == 2
