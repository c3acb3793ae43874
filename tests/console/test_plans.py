"""The console's image change plans (SPEC §11) in a real Chromium against a real `zslite serve --demo`:
the new plan form and its dry run, the plan page's live progress and its Start / Pause / Resume /
Cancel / Delete, tenancy, escaping and a phone's width. What the console shows is compared with what
QueryImageChangePlan answers for the same account.

The module has its own server, where each VM change of a plan is held 2 s (fault injection
Plan.before_change), so a running plan can be seen moving, paused and cancelled."""

from __future__ import annotations

import pytest

from tests.console.browser import current, log_in, on_a_phone, settle, visit
from tests.console.test_console import HOSTILE, text_of
from zslite import demo
from zslite.testing import ServerProcess

pytestmark = pytest.mark.one_backend

HOLD = 2  # seconds each plan change is held before it runs: longer than the console's 1 s poll


@pytest.fixture(scope="module")
def server(backend, _backends, tmp_path_factory):
    from tests.conftest import wipe

    url = _backends.url(backend)
    wipe(_backends.databases[backend])
    with ServerProcess(url, log_dir=tmp_path_factory.mktemp("console-plans"), demo=True,
                       env={"ZSLITE_FAULT_INJECTION": f"Plan.before_change=sleep:{HOLD}"}) as srv:
        yield srv


@pytest.fixture(scope="module")
def arm_vm(admin):
    """An aarch64 cluster in the demo zone (same Ceph storage) and a stopped VM there: TinyLinux
    (x86_64) is not a candidate for it (ARCHITECTURE)."""
    cluster = admin.ok("CreateCluster", zoneUuid=demo.ZONE, name="demo-arm-cluster", hypervisorType="KVM",
                       architecture="aarch64")["inventory"]
    admin.ok("AddKVMHost", name="demo-arm-host", managementIp="192.168.1.11", clusterUuid=cluster["uuid"],
             username="root", password="password")
    admin.ok("AttachPrimaryStorageToCluster", clusterUuid=cluster["uuid"], primaryStorageUuid=demo.CEPH_PS)
    return admin.ok("CreateVmInstance", name="demo-vm-arm", imageUuid=demo.AARCH64, instanceOfferingUuid=demo.OFFERING,
                    clusterUuid=cluster["uuid"], strategy="CreateStopped")["inventory"]


@pytest.fixture(scope="module")
def fleet(admin):
    """Four stopped VMs that no other test selects."""
    return [admin.ok("CreateVmInstance", name=f"fleet-{i}", imageUuid=demo.TINYLINUX,
                     instanceOfferingUuid=demo.OFFERING, strategy="CreateStopped")["inventory"] for i in range(4)]


def plan_of(api, uuid: str) -> dict:
    found = api.query("QueryImageChangePlan", f"uuid={uuid}")
    return found[0] if found else None


def row(page, vm_uuid: str):
    return page.locator(f"#plan-vms tr[data-uuid='{vm_uuid}']")


def plan_state(page, state: str, timeout: float = 30000) -> None:
    page.wait_for_selector(f".plan-page[data-state={state}]", timeout=timeout)


def choose_target(page, name: str, uuid: str) -> None:
    page.fill("#target-image-search", name)
    page.press("#target-image-search", "Enter")  # searches; never submits the plan
    page.locator(f"#target-image-{uuid}").check()
    page.wait_for_selector(f"#target-image [data-chosen='{uuid}']")


def shown_counts(page) -> dict:
    return {el.get_attribute("data-count"): int(el.get_attribute("data-value"))
            for el in page.locator("#plan-progress [data-count]").all()}


# ---- the new plan form and its dry run ------------------------------------------------------------

def test_a_dry_run_shows_every_vm_with_its_verdict_and_the_reasons_in_words(page, server, admin, arm_vm):
    log_in(page, server.base_url, "admin", "password")
    page.get_by_role("link", name="Plans", exact=True).click()
    page.wait_for_selector("[data-list=plans]")
    page.get_by_role("link", name="New plan…").click()
    current(page, "#/plans/new")
    choose_target(page, "TinyLinux", demo.TINYLINUX)
    # the VMs by conditions: a zone (structured field) and a name pattern
    page.wait_for_selector("#cond-zone option:text-is('demo-zone')", state="attached")  # zones come from QueryZone
    page.select_option("#cond-zone", label="demo-zone")
    page.fill("#cond-name", "demo-vm%")
    conditions = [f"zoneUuid={demo.ZONE}", "name~=demo-vm%"]
    assert page.locator(".condition-list code").all_inner_texts() == conditions
    page.get_by_role("button", name="Count matching VMs").click()
    page.wait_for_selector("[data-matches]")
    expected = admin.ok("QueryVmInstance", q=conditions, count=True)["total"]
    assert expected == 3 and page.locator("[data-matches]").get_attribute("data-matches") == "3"
    page.fill("#plan-name", "demo fleet to TinyLinux")
    page.get_by_role("button", name="Check the VMs (dry run)").click()

    plan_state(page, "Planned")
    settle(page)
    uuid = page.url.rsplit("/", 1)[1]
    plan = plan_of(admin, uuid)
    assert plan["state"] == "Planned" and plan["name"] == "demo fleet to TinyLinux" and plan["dryRun"] is True
    assert text_of(page, "main h1") == "demo fleet to TinyLinux"
    assert "Dry run of 3 VMs: 1 will change, 2 refused" in text_of(page, ".plan-summary")
    assert shown_counts(page) == {"pending": plan["pending"], "refused": plan["refused"]} == {"pending": 1, "refused": 2}
    # every VM, in the plan's order, with its verdict
    assert page.locator("#plan-vms tbody tr").evaluate_all("rows => rows.map(r => [r.dataset.uuid, r.dataset.state])") \
        == [[v["vmInstanceUuid"], v["state"]] for v in plan["vms"]]
    assert row(page, demo.SEED_VM).get_attribute("data-state") == "WillChange"
    # refused by the candidate rules: the explain reasons, in plain words and in the server's
    arm = row(page, arm_vm["uuid"])
    assert arm.get_attribute("data-state") == "Refused"
    explained = admin.ok("GetImageCandidatesForVmToChange", vmInstanceUuid=arm_vm["uuid"], explain=True)["excluded"]
    reasons = next(e["reasons"] for e in explained if e["uuid"] == demo.TINYLINUX)
    assert [r["code"] for r in reasons] == ["ARCHITECTURE"]
    assert next(v for v in plan["vms"] if v["vmInstanceUuid"] == arm_vm["uuid"])["reasons"] == reasons
    assert "It is built for another CPU architecture than this VM's cluster." in arm.inner_text()
    assert reasons[0]["message"] in arm.locator("li[data-code=ARCHITECTURE]").inner_text()
    # refused by a pre-check: ChangeVmImage's error as the server words it
    running = row(page, demo.RUNNING_VM)
    error = next(v for v in plan["vms"] if v["vmInstanceUuid"] == demo.RUNNING_VM)["error"]
    assert error["details"].startswith("do not change vm image when it's not stopped")
    assert running.locator(".server-error").get_attribute("data-code") == "SYS.1007"
    assert error["description"] in running.inner_text() and error["details"] in running.inner_text()
    # a Planned plan: Start and Delete, nothing else
    assert page.locator(".plan-actions button").evaluate_all("bs => bs.map(b => b.dataset.action)") == \
        ["start", "delete"]
    # the list shows it, with its counts
    page.get_by_role("link", name="Image change plans").click()
    page.wait_for_selector(f"[data-list=plans] tr[data-uuid='{uuid}']")
    listed = page.locator(f"[data-list=plans] tr[data-uuid='{uuid}']").inner_text()
    assert "Planned" in listed and "TinyLinux" in listed and "1 will change · 2 refused" in listed


def test_a_vm_page_starts_a_plan_over_every_vm_like_it(page, server, admin):
    log_in(page, server.base_url, "admin", "password")
    visit(page, f"#/vms/{demo.SEED_VM}")
    page.get_by_role("link", name="Change every VM like this one…").click()
    current(page, "#/plans/new")
    page.wait_for_selector(f"#current-image [data-chosen='{demo.TINYLINUX}']")
    assert "TinyLinux" in text_of(page, "#current-image .picker-chosen")
    assert page.locator(".condition-list code").all_inner_texts() == [f"imageUuid={demo.TINYLINUX}"]
    page.get_by_role("button", name="Count matching VMs").click()
    page.wait_for_selector("[data-matches]")
    assert int(page.locator("[data-matches]").get_attribute("data-matches")) == \
        admin.ok("QueryVmInstance", q=[f"imageUuid={demo.TINYLINUX}"], count=True)["total"]


def test_starting_a_dry_run_shows_its_live_progress_and_the_new_root_volumes(page, server, admin):
    plan = admin.ok("CreateImageChangePlan", imageUuid=demo.TINYLINUX, vmInstanceUuids=[demo.SEED_VM, demo.RUNNING_VM],
                    dryRun=True, name="seed VM again")["inventory"]
    old_root = admin.query("QueryVmInstance", f"uuid={demo.SEED_VM}")[0]["rootVolumeUuid"]
    log_in(page, server.base_url, "admin", "password")
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if f"/image-change-plans/{plan['uuid']}" in r.url
            and r.method == "GET" else None)
    visit(page, f"#/plans/{plan['uuid']}")
    page.get_by_role("button", name="Start").click()
    # the VM's state moves on screen while the plan runs: Changing (held 2 s), then Succeeded
    page.wait_for_selector(f"#plan-vms tr[data-uuid='{demo.SEED_VM}'][data-state=Changing]")
    assert page.locator(".plan-page").get_attribute("data-state") == "Running"
    assert page.locator(".plan-actions button").evaluate_all("bs => bs.map(b => b.dataset.action)") == \
        ["pause", "cancel"]
    plan_state(page, "Succeeded")
    after = plan_of(admin, plan["uuid"])
    vm = admin.query("QueryVmInstance", f"uuid={demo.SEED_VM}")[0]
    assert after["state"] == "Succeeded" and vm["rootVolumeUuid"] != old_root
    seed = row(page, demo.SEED_VM)
    assert seed.get_attribute("data-state") == "Succeeded"
    assert seed.locator("[data-field=new-root-volume]").inner_text() == vm["rootVolumeUuid"] == \
        next(v for v in after["vms"] if v["vmInstanceUuid"] == demo.SEED_VM)["newRootVolumeUuid"]
    assert row(page, demo.RUNNING_VM).get_attribute("data-state") == "Refused"  # refused VMs do not fail a plan
    assert shown_counts(page) == {key: after[key] for key in
                                  ("succeeded", "running", "pending", "failed", "skipped", "refused")}
    assert "Succeeded: 1 VM changed, 1 refused." in text_of(page, ".plan-summary")
    assert page.locator(".plan-actions button").evaluate_all("bs => bs.map(b => b.dataset.action)") == ["delete"]
    # it has ended: the page stops asking
    assert page.locator(".plan-page").get_attribute("data-live") == "false"
    asked = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == asked, polls[asked:]
    # the new root volume's link finds it among the volumes
    seed.locator("[data-field=new-root-volume]").click()
    current(page, f"search={vm['rootVolumeUuid']}")
    page.wait_for_selector(f"[data-list=volumes] tr[data-uuid='{vm['rootVolumeUuid']}']")


def test_pause_resume_cancel_and_delete_a_running_plan(page, server, admin, fleet):
    plan = admin.ok("CreateImageChangePlan", imageUuid=demo.TINYLINUX, conditions=["name~=fleet-%"], dryRun=True,
                    maxConcurrency=1, name="fleet, one at a time")["inventory"]
    assert [v["state"] for v in plan["vms"]] == ["WillChange"] * 4
    log_in(page, server.base_url, "admin", "password")
    visit(page, f"#/plans/{plan['uuid']}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("#plan-vms tr[data-state=Changing]")
    buttons = page.locator(".plan-actions button")

    page.get_by_role("button", name="Pause").click()
    plan_state(page, "Paused")
    assert buttons.evaluate_all("bs => bs.map(b => b.dataset.action)") == ["resume", "cancel"]
    assert page.evaluate("document.activeElement.dataset.action") == "resume"  # the focus stays on the actions
    # the change under way finishes; no new one starts
    page.wait_for_selector("#plan-progress [data-count=running][data-value='0']", timeout=15000)
    paused = plan_of(admin, plan["uuid"])
    assert paused["state"] == "Paused" and paused["running"] == 0
    assert paused["succeeded"] >= 1 and paused["pending"] == 4 - paused["succeeded"] >= 1
    assert shown_counts(page) == {key: paused[key] for key in
                                  ("succeeded", "running", "pending", "failed", "skipped", "refused")}
    assert "No new change starts until you resume it" in text_of(page, ".plan-summary")
    # a poll that fails (the server out of reach) is said, and the page goes on polling
    pattern = f"**/zstack/v1/image-change-plans/{plan['uuid']}*"
    page.route(pattern, lambda route: route.abort())
    page.wait_for_selector(".load-error [data-code=network]")
    assert "The server could not be reached" in text_of(page, ".load-error")
    page.unroute(pattern)
    page.wait_for_selector(".load-error:empty", state="attached")
    assert page.locator(".plan-page").get_attribute("data-state") == "Paused"
    # a paused plan is polled; leaving its page stops that
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if f"/image-change-plans/{plan['uuid']}" in r.url else None)
    page.get_by_role("link", name="Image change plans").click()
    page.wait_for_selector("[data-list=plans] table")
    asked = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == asked, polls[asked:]

    visit(page, f"#/plans/{plan['uuid']}")
    page.get_by_role("button", name="Resume").click()
    plan_state(page, "Running")
    page.wait_for_selector("#plan-vms tr[data-state=Changing]")
    page.get_by_role("button", name="Cancel plan…").click()
    assert page.evaluate("document.activeElement.textContent") == "Cancel the plan"  # asks first
    page.get_by_role("button", name="Keep it").click()
    assert page.locator(".plan-page").get_attribute("data-state") == "Running"
    page.get_by_role("button", name="Cancel plan…").click()
    page.get_by_role("button", name="Cancel the plan").click()
    plan_state(page, "Cancelled")
    # the change under way finishes; then the plan may be deleted
    page.wait_for_selector(".plan-actions button[data-action=delete]", timeout=15000)
    cancelled = plan_of(admin, plan["uuid"])
    assert cancelled["state"] == "Cancelled" and cancelled["running"] == cancelled["pending"] == 0
    assert cancelled["succeeded"] > paused["succeeded"] and cancelled["skipped"] >= 1
    assert cancelled["succeeded"] + cancelled["skipped"] == 4
    assert shown_counts(page) == {key: cancelled[key] for key in
                                  ("succeeded", "running", "pending", "failed", "skipped", "refused")}
    assert page.locator("#plan-vms tr[data-state=Skipped]").count() == cancelled["skipped"]
    assert f"Cancelled: {cancelled['succeeded']} changed, {cancelled['skipped']} skipped." in \
        text_of(page, ".plan-summary")

    page.get_by_role("button", name="Delete…").click()
    page.get_by_role("button", name="Delete the plan").click()
    page.wait_for_selector("[data-result=deleted]")
    assert plan_of(admin, plan["uuid"]) is None
    page.reload()  # the same address: the plan is gone
    page.wait_for_selector("[data-code=not-found]")


def test_a_vm_that_fails_shows_the_servers_error_and_pauses_the_plan(page, server, admin):
    vm, other = [admin.ok("CreateVmInstance", name=f"solo-{i}", imageUuid=demo.TINYLINUX,
                          instanceOfferingUuid=demo.OFFERING, strategy="CreateStopped")["inventory"] for i in (1, 2)]
    plan = admin.ok("CreateImageChangePlan", imageUuid=demo.TINYLINUX, vmInstanceUuids=[vm["uuid"], other["uuid"]],
                    dryRun=True, maxConcurrency=1, name="solo")["inventory"]
    assert [v["state"] for v in plan["vms"]] == ["WillChange", "WillChange"]
    admin.ok("StartVmInstance", uuid=vm["uuid"])  # after the dry run: the change will find it Running
    log_in(page, server.base_url, "admin", "password")
    visit(page, f"#/plans/{plan['uuid']}")
    page.get_by_role("button", name="Start").click()
    plan_state(page, "Paused")  # maxFailures 0: it pauses at the first failed VM
    failed = row(page, vm["uuid"])
    failed.and_(page.locator("[data-state=Failed]")).wait_for()
    error = plan_of(admin, plan["uuid"])["vms"][0]["error"]
    assert error["code"] == "SYS.1007" and error["details"].startswith("do not change vm image when it's not stopped")
    assert failed.locator(".server-error").get_attribute("data-code") == "SYS.1007"
    assert error["details"] in failed.inner_text() and error["description"] in failed.inner_text()
    assert "it paused because 1 VM failed" in text_of(page, ".plan-summary")
    assert row(page, other["uuid"]).get_attribute("data-state") == "Pending"
    page.get_by_role("button", name="Resume").click()  # the other VM changes; the plan ends Failed
    plan_state(page, "Failed")
    assert row(page, other["uuid"]).get_attribute("data-state") == "Succeeded"
    assert "Failed: 1 VM failed, 1 changed." in text_of(page, ".plan-summary")
    assert plan_of(admin, plan["uuid"])["state"] == "Failed"
    admin.ok("StopVmInstance", uuid=vm["uuid"])


# ---- refusals -------------------------------------------------------------------------------------

def test_refusals_are_shown_as_the_server_words_them(page, server, admin, tenants):
    plans_before = admin.ok("QueryImageChangePlan", count=True)["total"]
    log_in(page, server.base_url, "admin", "password")
    visit(page, "#/plans/new")
    submit = page.get_by_role("button", name="Check the VMs (dry run)")
    status = page.locator(".form-status")
    submit.click()  # the console's own check first: nothing is sent
    assert "Choose the target image first." in status.inner_text()
    choose_target(page, "TinyLinux", demo.TINYLINUX)
    submit.click()
    assert "Give at least one condition" in status.inner_text()
    # a selection that matches no VM: SYS.1007, in the server's words
    page.fill("#cond-name", "nobody-%")
    submit.click()
    refusal = page.locator(".form-status .alert-error")
    refusal.wait_for()
    error = admin.fail("CreateImageChangePlan", "SYS.1007", imageUuid=demo.TINYLINUX, conditions=["name~=nobody-%"],
                       dryRun=True)
    assert "no VM matches" in error["details"]
    assert refusal.get_attribute("data-code") == "SYS.1007"
    assert error["description"] in refusal.inner_text() and error["details"] in refusal.inner_text()
    # a condition of one's own on a field VMs do not have
    page.fill("#cond-name", "")
    page.fill("#cond-more", "colour=blue")
    submit.click()
    page.wait_for_function("() => /colour/.test(document.querySelector('.form-status .alert-error')?.textContent)")
    error = admin.fail("CreateImageChangePlan", "SYS.1007", imageUuid=demo.TINYLINUX, conditions=["colour=blue"],
                       dryRun=True)
    assert error["details"] in text_of(page, ".form-status .alert-error")
    assert admin.ok("QueryImageChangePlan", count=True)["total"] == plans_before  # nothing was made

    # a tenant's plan to an image she may not use: as unknown, in the server's words
    alice = tenants["alice"]
    page.get_by_role("button", name="Log out").click()
    page.wait_for_selector("#login-account")
    log_in(page, server.base_url, "alice", alice.password)
    visit(page, f"#/plans/new?image={demo.TINYLINUX}")
    page.wait_for_selector(f"#target-image [data-chosen='{demo.TINYLINUX}']")
    assert "(not visible to you)" in text_of(page, "#target-image .picker-chosen")
    page.fill("#cond-name", "alice-%")
    page.get_by_role("button", name="Check the VMs (dry run)").click()
    refusal.wait_for()
    error = alice.api.fail("CreateImageChangePlan", "SYS.1007", imageUuid=demo.TINYLINUX, conditions=["name~=alice-%"],
                           dryRun=True)
    assert "imageUuid" in error["details"] and error["details"] in refusal.inner_text()


# ---- tenants, escaping, a phone -------------------------------------------------------------------

def test_a_tenant_sees_only_her_own_plans(page, server, admin, tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    bobs = bob.api.ok("CreateImageChangePlan", imageUuid=bob.image["uuid"], vmInstanceUuids=[bob.vm["uuid"]],
                      dryRun=True, name="bob's plan")["inventory"]
    log_in(page, server.base_url, "alice", alice.password)
    visit(page, "#/plans/new")
    choose_target(page, alice.image["name"], alice.image["uuid"])
    # her VM, picked from a VM search (which shows only hers)
    page.check("#vm-mode-pick")
    page.fill("#vm-search", "vm")
    page.press("#vm-search", "Enter")
    page.wait_for_selector(f"#pick-{alice.vm['uuid']}")
    assert page.locator("#vm-pick .picker-results li").count() == 1
    page.check(f"#pick-{alice.vm['uuid']}")
    assert "Picked: 1" in text_of(page, ".picked")
    page.fill("#plan-name", "alice's plan")
    page.get_by_role("button", name="Check the VMs (dry run)").click()
    plan_state(page, "Planned")
    settle(page)
    assert row(page, alice.vm["uuid"]).get_attribute("data-state") == "WillChange"
    mine = alice.api.query("QueryImageChangePlan")
    assert [p["name"] for p in mine] == ["alice's plan"] and mine[0]["vms"][0]["vmInstanceUuid"] == alice.vm["uuid"]

    visit(page, "#/plans")
    page.wait_for_selector("[data-list=plans] table")
    assert page.locator("[data-list=plans] tbody tr").evaluate_all("rows => rows.map(r => r.dataset.uuid)") == \
        [p["uuid"] for p in mine]
    assert "bob's plan" not in page.inner_text("main")
    # another tenant's plan by its URL: not found, like an unknown uuid
    for uuid in (bobs["uuid"], "0" * 32):
        visit(page, f"#/plans/{uuid}")
        page.wait_for_selector("[data-code=not-found]")
        assert text_of(page, "main h1") == "Plan not found"
        assert "bob" not in page.inner_text("main")
        assert page.locator("#plan-vms").is_hidden()
    # admin sees both
    all_plans = {p["uuid"] for p in admin.query("QueryImageChangePlan")}
    assert {mine[0]["uuid"], bobs["uuid"]} <= all_plans


def test_a_hostile_plan_name_renders_as_text(page, server, admin):
    plan = admin.ok("CreateImageChangePlan", imageUuid=demo.TINYLINUX, vmInstanceUuids=[demo.SEED_VM], dryRun=True,
                    name=HOSTILE, description=HOSTILE)["inventory"]
    try:
        log_in(page, server.base_url, "admin", "password")
        for hash_, ready in ((f"#/plans?search={plan['uuid']}", "[data-list=plans] table"),
                             (f"#/plans/{plan['uuid']}", "#plan-vms table")):
            visit(page, hash_)
            page.wait_for_selector(ready)
            settle(page)
            assert HOSTILE in page.inner_text("main"), hash_
            assert page.locator("main img, main script").count() == 0, hash_
            assert page.evaluate("window.__pwned") is None, hash_
        assert text_of(page, "main h1") == HOSTILE
    finally:
        admin.ok("DeleteImageChangePlan", uuid=plan["uuid"])


@pytest.mark.parametrize("what", ["plan", "new", "list"])
def test_the_plan_pages_fit_a_phone(browser, server, admin, arm_vm, what):
    plan = admin.ok("CreateImageChangePlan", imageUuid=demo.TINYLINUX, dryRun=True,
                    vmInstanceUuids=[demo.SEED_VM, demo.RUNNING_VM, arm_vm["uuid"]])["inventory"]
    hash_, ready, expected = {
        "plan": (f"#/plans/{plan['uuid']}", "#plan-vms table",
                 ["WillChange", "Refused", "another CPU architecture", "do not change vm image", "Start"]),
        "new": ("#/plans/new", "#target-image .choices", ["Target image", "VMs matching conditions", "How it runs"]),
        "list": ("#/plans", "[data-list=plans] table", ["New plan", "Planned"]),
    }[what]
    try:
        with on_a_phone(browser, server.base_url, hash_, ready, expected):
            pass
    finally:
        admin.ok("DeleteImageChangePlan", uuid=plan["uuid"])
