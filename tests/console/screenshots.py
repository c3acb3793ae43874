"""Screenshots of the web console for the README: `python -m tests.console.screenshots [outdir]`
(default docs/console). A real `zslite serve --demo` on a temporary SQLite file and Debian's
Chromium, as in the browser tests; the change of image (alone, or one VM of a plan) is held 3 s so its
live progress can be seen."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.console.browser import DESKTOP, PHONE, launch, log_in, settle, visit
from tests.support import ApiClient
from zslite import demo
from zslite.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def shoot(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    taken: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, \
            ServerProcess(f"sqlite:///{tmp}/console.db", log_dir=tmp, demo=True,
                          env={"ZSLITE_FAULT_INJECTION": "job.before_commit.ChangeVmImage=sleep:3,"
                                                             "Plan.before_change=sleep:3"}) as server, \
            sync_playwright() as pw:
        browser = launch(pw)

        def save(page, name: str, full: bool = True) -> None:
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=full)
            taken.append(path)

        page = browser.new_page(viewport=DESKTOP, base_url=server.base_url)
        page.goto("/")
        page.wait_for_selector("#login-account")
        page.fill("#login-account", "admin")
        save(page, "login", full=False)
        page.fill("#login-password", "password")
        page.press("#login-password", "Enter")
        page.wait_for_selector(".card")
        settle(page)
        save(page, "overview")

        for name, hash_, ready in (("vms", "#/vms", "[data-list=vms] table"),
                                   ("images", "#/images", "[data-list=images] table"),
                                   ("infrastructure", "#/infra/hosts", "[data-list=hosts] table"),
                                   ("image", f"#/images/{demo.TINYLINUX}", "#sharing form"),
                                   ("vm", f"#/vms/{demo.SEED_VM}", "#excluded ul.excluded")):
            visit(page, hash_)
            page.wait_for_selector(ready)
            settle(page)
            page.mouse.move(0, 0)
            save(page, name)

        page.locator(f"#candidates tr[data-uuid='{demo.TINYLINUX}'] button").click()
        page.get_by_role("button", name="Change image").click()
        page.wait_for_function("() => /Running/.test(document.querySelector('[data-job=running]')?.textContent || '')")
        page.wait_for_timeout(1200)
        page.locator("#change-image").scroll_into_view_if_needed()
        save(page, "change-image-progress", full=False)
        page.wait_for_selector("[data-result=changed]", timeout=30000)
        settle(page)
        page.locator("#change-image").scroll_into_view_if_needed()
        save(page, "change-image-done", full=False)

        visit(page, f"#/vms/{demo.RUNNING_VM}")
        page.locator(f"#candidates tr[data-uuid='{demo.TINYLINUX}'] button").click()
        page.get_by_role("button", name="Change image").click()
        page.wait_for_selector("#change-image .alert-error")
        page.locator("#change-image").scroll_into_view_if_needed()
        save(page, "change-image-refused", full=False)

        # a fleet plan over the demo zone: an aarch64 VM beside the x86_64 ones, and four more VMs
        with server.client() as http:
            api = ApiClient(http)
            api.login("admin", "password")
            arm = api.ok("CreateCluster", zoneUuid=demo.ZONE, name="demo-arm-cluster", hypervisorType="KVM",
                         architecture="aarch64")["inventory"]
            api.ok("AddKVMHost", name="demo-arm-host", managementIp="192.168.1.11", clusterUuid=arm["uuid"],
                   username="root", password="password")
            api.ok("AttachPrimaryStorageToCluster", clusterUuid=arm["uuid"], primaryStorageUuid=demo.CEPH_PS)
            api.ok("CreateVmInstance", name="arm-builder", imageUuid=demo.AARCH64, instanceOfferingUuid=demo.OFFERING,
                   clusterUuid=arm["uuid"], strategy="CreateStopped")
            for i in range(1, 5):
                api.ok("CreateVmInstance", name=f"web-{i}", imageUuid=demo.TINYLINUX,
                       instanceOfferingUuid=demo.OFFERING, strategy="CreateStopped")
        visit(page, "#/plans/new")
        page.fill("#target-image-search", "TinyLinux")
        page.press("#target-image-search", "Enter")
        page.locator(f"#target-image-{demo.TINYLINUX}").check()
        page.wait_for_selector("#cond-zone option:text-is('demo-zone')", state="attached")
        page.select_option("#cond-zone", label="demo-zone")
        page.fill("#plan-concurrency", "2")
        page.fill("#plan-name", "demo-zone to TinyLinux")
        page.get_by_role("button", name="Check the VMs (dry run)").click()
        page.wait_for_selector(".plan-page[data-state=Planned] #plan-vms table")
        settle(page)
        page.mouse.move(0, 0)
        save(page, "plan-dry-run")
        page.get_by_role("button", name="Start").click()
        page.wait_for_selector("#plan-progress [data-count=succeeded]:not([data-value='0'])", timeout=30000)
        page.wait_for_selector("#plan-vms tr[data-state=Changing]", timeout=30000)
        page.mouse.move(0, 0)
        save(page, "plan-progress")
        page.wait_for_selector(".plan-page[data-state=Succeeded]", timeout=60000)
        page.close()

        phone = browser.new_page(viewport=PHONE, base_url=server.base_url, is_mobile=True, has_touch=True)
        log_in(phone, server.base_url, "admin", "password")
        save(phone, "phone-overview")
        visit(phone, f"#/vms/{demo.SEED_VM}")
        phone.wait_for_selector("#excluded ul.excluded")
        settle(phone)
        save(phone, "phone-vm")
        browser.close()
    return taken


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "console"
    for path in shoot(out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
