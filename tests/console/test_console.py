"""The web console in a real Chromium against a real `zslite serve --demo` (SPEC §10).

One server and one browser for the module; tests that change the cloud put it back, or act on
resources no other test looks at. What the console shows is compared with what the API answers
for the same account."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import httpx
import pytest

import zslite
from tests.console.browser import current, log_in, on_a_phone, settle, visit
from tests.support import ApiClient
from zslite import demo

pytestmark = pytest.mark.one_backend

CONSOLE = Path(zslite.__file__).parent / "console"
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


def text_of(page, selector: str) -> str:
    return page.locator(selector).inner_text()


def vm_state(api: ApiClient, uuid: str) -> str:
    return api.query("QueryVmInstance", f"uuid={uuid}")[0]["state"]


# ---- the page and its assets ------------------------------------------------------------------

def test_console_is_served_beside_the_api_without_shadowing_it(server):
    with httpx.Client(base_url=server.base_url) as http:
        index = http.get("/")
        assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in index.headers["content-security-policy"]
        for asset in re.findall(r'(?:src|href)="(/console/[^"]+)"', index.text):
            assert http.get(asset).status_code == 200, asset
        assert http.get("/console/js/app.js").headers["content-type"].startswith("text/javascript")
        assert http.get("/console/nope.js").status_code == 404
        # the API answers as before: its own 400 without a session, its own 404 for an unknown path
        assert http.get("/zstack/v1/zones").status_code == 400
        assert http.get("/v1/zones").status_code == 400
        assert http.get("/zstack/v1/no-such-thing").status_code == 404
        assert http.get("/no-such-page").status_code == 404


def test_the_start_banner_points_to_the_console(server):
    banner = re.search(r"web console:\s+(\S+)", server.log_text())
    assert banner, server.log_text()
    assert banner.group(1) == f"http://127.0.0.1:{server.port}/"
    assert "<title>zslite console</title>" in httpx.get(banner.group(1)).text


def test_every_asset_ships_in_the_package_and_nothing_comes_from_elsewhere():
    files = sorted(p for p in CONSOLE.rglob("*") if p.is_file())
    assert {p.name for p in files} >= {"index.html", "console.css", "app.js", "sha512.js"}
    for path in files:
        text = path.read_text()
        # no CDN, no remote font, no absolute URL to anywhere (the svg's xmlns is a name, not a fetch)
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"')]*", text)) - {"http://www.w3.org/2000/svg"}
        assert not urls, (path.name, urls)
        if path.suffix == ".js":
            assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "eval(" not in text, path.name


def test_the_wheel_ships_every_console_file():
    import tomllib

    root = Path(__file__).resolve().parents[2]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["zslite"]
    shipped = {path for pattern in patterns for path in CONSOLE.parent.glob(pattern)}  # setuptools' glob rules
    missing = [str(p.relative_to(CONSOLE.parent)) for p in CONSOLE.rglob("*") if p.is_file() and p not in shipped]
    assert not missing, f"not in pyproject's package-data: {missing}"


# ---- SHA-512 in the browser -------------------------------------------------------------------

SHA_INPUTS = ["", "password", "abc", "pässwörd — 密码 🙂", "a" * 111, "a" * 112, "b" * 128, "x" * 100_000,
              "\u0000\uffff"]


def test_sha512_in_javascript_equals_hashlib(page, server):
    page.goto("/")
    digests = page.evaluate("""async (inputs) => {
        const { sha512Hex } = await import('/console/js/sha512.js');
        return inputs.map(sha512Hex);
    }""", SHA_INPUTS)
    assert digests == [hashlib.sha512(s.encode()).hexdigest() for s in SHA_INPUTS]
    assert page.evaluate("window.isSecureContext") is True  # localhost; on a lab host it would be False:
    # the console never uses crypto.subtle, so it works there too
    assert "crypto.subtle" not in (CONSOLE / "js" / "sha512.js").read_text().split("\n", 8)[-1]


# ---- logging in and out -----------------------------------------------------------------------

def test_admin_logs_in_with_the_keyboard_and_sees_the_counts_the_api_gives(page, server, admin):
    page.goto("/")
    assert page.evaluate("document.activeElement.id") == "login-account"  # the form has the focus
    page.keyboard.type("admin")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "login-password"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # focus shows
    page.keyboard.type("password")
    page.keyboard.press("Enter")
    page.wait_for_selector(".card")
    settle(page)
    assert "admin" in text_of(page, "#account")
    shown = {card.get_attribute("data-count"): int(card.locator(".card-value").inner_text())
             for card in page.locator(".card").all()}
    expected = {"VMs": "QueryVmInstance", "Images": "QueryImage", "Volumes": "QueryVolume", "Zones": "QueryZone",
                "Clusters": "QueryCluster", "Hosts": "QueryHost", "Primary storage": "QueryPrimaryStorage",
                "Backup storage": "QueryBackupStorage"}
    assert shown == {label: admin.ok(api, count=True)["total"] for label, api in expected.items()}
    # capacity bars of hosts and primary storage
    assert page.locator("#host-capacity ~ .capacity-item").first.inner_text().startswith("demo-host")
    assert page.locator(".capacity [role=meter]").count() >= 3
    assert page.get_by_role("link", name="API reference").first.get_attribute("href") == "/docs"
    assert page.evaluate("sessionStorage.length") == 1


def test_a_wrong_password_is_refused_in_the_servers_words(page, server, admin):
    page.goto("/")
    page.fill("#login-account", "admin")
    page.fill("#login-password", "not-the-password")
    page.press("#login-password", "Enter")
    alert = page.locator(".login-status .alert-error")
    alert.wait_for()
    status, body = admin.call("LogInByAccount", accountName="admin", password=ApiClient.hash("not-the-password"))
    assert status == 503
    assert alert.get_attribute("data-code") == body["error"]["code"] == "ID.1000"
    assert body["error"]["description"] in alert.inner_text()
    assert page.locator("#top").is_hidden()


def test_log_out_ends_the_session_on_the_server(page, server, admin):
    log_in(page, server.base_url, "admin", "password")
    session = page.evaluate("JSON.parse(sessionStorage.getItem('zslite.console.session')).uuid")
    assert admin.ok("ValidateSession", sessionUuid=session)["valid"] is True
    page.get_by_role("button", name="Log out").click()
    page.wait_for_selector("[data-message=logged-out]")
    assert "You have logged out" in text_of(page, ".login-status")
    assert admin.ok("ValidateSession", sessionUuid=session)["valid"] is False
    assert page.evaluate("sessionStorage.length") == 0
    page.goto("/#/vms")  # a bookmarked page asks for a login first
    page.wait_for_selector("#login-account")


def test_an_ended_session_sends_you_back_to_login_with_a_clear_message(page, server, admin):
    log_in(page, server.base_url, "admin", "password")
    session = page.evaluate("JSON.parse(sessionStorage.getItem('zslite.console.session')).uuid")
    # the session ends behind the console's back (as at expiry): the next call answers ID.1001
    admin.ok("LogOut", sessionUuid=session)
    page.get_by_role("link", name="Images", exact=True).click()
    page.wait_for_selector("[data-message=expired]")
    message = text_of(page, "[data-message=expired]")
    assert "Your session has ended" in message and "Session expired or invalid" in message
    assert page.locator("#top").is_hidden()
    # logging in again returns to the page that was asked for
    page.fill("#login-account", "admin")
    page.fill("#login-password", "password")
    page.press("#login-password", "Enter")
    page.wait_for_selector("[data-list=images]")
    assert page.url.endswith("#/images")


def test_a_bookmarked_vm_page_opens_after_login(page, server):
    page.goto(f"/#/vms/{demo.SEED_VM}")
    page.fill("#login-account", "admin")
    page.fill("#login-password", "password")
    page.press("#login-password", "Enter")
    page.wait_for_selector("#candidates table")
    assert text_of(page, "main h1") == "demo-vm"


# ---- lists: search, sort and paging by the server ---------------------------------------------

def test_the_seed_vm_is_found_through_the_vm_lists_search(page, server, admin):
    log_in(page, server.base_url, "admin", "password")
    queries = []
    page.on("request", lambda r: queries.append(r.url) if "/zstack/v1/vm-instances?" in r.url else None)
    page.get_by_role("link", name="VMs", exact=True).click()
    page.wait_for_selector("[data-list=vms] table")
    page.fill("#vms-search", "demo-vm")
    page.press("#vms-search", "Enter")
    current(page, "search=demo-vm")
    settle(page)
    names = page.locator("[data-list=vms] tbody tr td:first-child a").all_inner_texts()
    api_names = [vm["name"] for vm in admin.query("QueryVmInstance", "name~=%demo-vm%", sort="+name")]
    assert names == api_names and "demo-vm" in names
    # the server searched, sorted and paged: every query carried the condition, a limit and a sort
    last = httpx.URL(queries[-1])
    assert last.params.get_list("q") == ["name~=%demo-vm%"]
    assert last.params["limit"] == "20" and last.params["replyWithCount"] == "true" and last.params["sort"] == "+name"
    # a uuid finds exactly that VM
    page.fill("#vms-search", demo.SEED_VM)
    page.press("#vms-search", "Enter")
    page.wait_for_function("() => document.querySelectorAll('[data-list=vms] tbody tr').length === 1")
    page.get_by_role("link", name="demo-vm", exact=True).click()
    page.wait_for_selector("#candidates table")
    assert page.url.endswith(f"#/vms/{demo.SEED_VM}")


def test_images_are_sorted_and_paged_by_the_server(page, server, admin, bulk_images):
    total = admin.ok("QueryImage", count=True)["total"]
    log_in(page, server.base_url, "admin", "password")
    visit(page, "#/images")
    page.wait_for_selector("[data-list=images] table")
    assert text_of(page, ".pager-count") == f"1–20 of {total}"
    first_page = page.locator("[data-list=images] tbody tr").evaluate_all("rows => rows.map(r => r.dataset.uuid)")
    expected = [i["uuid"] for i in admin.query("QueryImage", sort="+name", limit=20)]
    assert first_page == expected
    page.get_by_role("button", name="Next ›").click()
    current(page, "start=20")
    assert text_of(page, ".pager-count").startswith("21–")
    second = page.locator("[data-list=images] tbody tr").evaluate_all("rows => rows.map(r => r.dataset.uuid)")
    assert second == [i["uuid"] for i in admin.query("QueryImage", sort="+name", limit=20, start=20)]
    # sorting by size, descending, is the server's order too
    visit(page, "#/images")
    page.get_by_role("button", name="Sort by Size").click()
    current(page, "sort=%2Bsize")
    page.get_by_role("button", name="Sort by Size").click()
    current(page, "sort=-size")
    settle(page)
    shown = page.locator("[data-list=images] tbody tr").evaluate_all("rows => rows.map(r => r.dataset.uuid)")
    assert shown == [i["uuid"] for i in admin.query("QueryImage", sort="-size", limit=20)]
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("Size")
    # a filter and a search together
    visit(page, "#/images?search=bulk-1&state=Enabled")
    page.wait_for_selector("[data-list=images] table")
    settle(page)
    names = page.locator("[data-list=images] tbody tr td:first-child a").all_inner_texts()
    assert names == [f"bulk-1{i}" for i in range(10)]


# ---- the VM page: candidates and why not --------------------------------------------------------

def test_the_seed_vms_candidates_and_the_reasons_for_every_other_image(page, server, admin, bulk_images):
    log_in(page, server.base_url, "admin", "password")
    visit(page, f"#/vms/{demo.SEED_VM}")
    page.wait_for_selector("#excluded ul.excluded")
    facts = text_of(page, ".details")
    for expected in ("demo-cluster", "demo-zone", "demo-host", "demo-ceph-ps", "TinyLinux"):
        assert expected in facts
    vm = admin.query("QueryVmInstance", f"uuid={demo.SEED_VM}")[0]
    assert page.locator("[data-field=root-volume]").get_attribute("data-uuid") == vm["rootVolumeUuid"]

    tiny = page.locator(f"#candidates tr[data-uuid='{demo.TINYLINUX}']")
    assert "TinyLinux" in tiny.inner_text() and "demo-ceph-bs" in tiny.inner_text()

    explained = admin.ok("GetImageCandidatesForVmToChange", vmInstanceUuid=demo.SEED_VM, explain=True)
    assert [c["uuid"] for c in explained["inventories"]] == \
        page.locator("#candidates tbody tr").evaluate_all("rows => rows.map(r => r.dataset.uuid)")
    excluded = explained["excluded"]
    assert page.locator("#excluded h2 .count").get_attribute("data-total") == str(len(excluded))
    assert len(excluded) > 20  # the bulk images: the list comes a page at a time
    assert page.locator("ul.excluded > li").evaluate_all("items => items.map(i => i.dataset.uuid)") == \
        [e["uuid"] for e in excluded[:20]]
    for item in excluded[:20]:
        shown = page.locator(f"ul.excluded > li[data-uuid='{item['uuid']}']")
        assert item["name"] in shown.inner_text()
        for reason in item["reasons"]:
            line = shown.locator(f"li[data-code={reason['code']}]")
            assert reason["message"] in line.inner_text()  # the server's words, beside ours
            for bs in reason.get("backupStorages", []):
                assert bs["name"] in line.locator(f"li[data-bs='{bs['uuid']}']").inner_text()
    # in plain words
    why = {name: page.locator("ul.excluded > li", has_text=name).inner_text()
           for name in ("CentOS-7-installer", "OldLinux-disabled", "TinyLinux-aarch64", "TinyLinux-other-zone")}
    assert "not a root volume template" in why["CentOS-7-installer"]
    assert "The image is disabled" in why["OldLinux-disabled"]
    assert "another CPU architecture" in why["TinyLinux-aarch64"]
    assert "demo-other-zone-bs" in why["TinyLinux-other-zone"]
    assert "not attached to this VM's zone" in why["TinyLinux-other-zone"]
    # the next page of reasons
    page.locator("[data-pager=excludedStart]").get_by_role("button", name="Next ›").click()
    current(page, "excludedStart=20")
    page.wait_for_function(f"() => document.querySelectorAll('ul.excluded > li').length === {len(excluded) - 20}")
    assert page.locator("ul.excluded > li").evaluate_all("items => items.map(i => i.dataset.uuid)") == \
        [e["uuid"] for e in excluded[20:]]
    assert "demo-other-zone-bs" in page.locator("ul.excluded > li").last.inner_text()  # bulk images: that storage


def test_changing_the_image_of_a_running_vm_is_refused_in_the_servers_words(page, server, admin):
    log_in(page, server.base_url, "admin", "password")
    visit(page, f"#/vms/{demo.RUNNING_VM}")
    page.wait_for_selector("#candidates table")
    assert "the server changes the image of a stopped VM only" in text_of(page, "#candidates .hint")
    page.locator(f"#candidates tr[data-uuid='{demo.TINYLINUX}'] button").click()
    page.get_by_role("button", name="Change image").click()
    refusal = page.locator("#change-image .alert-error")
    refusal.wait_for()
    error = admin.fail("ChangeVmImage", "SYS.1007", vmInstanceUuid=demo.RUNNING_VM, imageUuid=demo.TINYLINUX)
    assert error["details"].startswith("do not change vm image when it's not stopped")
    assert error["description"] in refusal.inner_text() and error["details"] in refusal.inner_text()
    assert refusal.get_attribute("data-code") == "SYS.1007"
    assert vm_state(admin, demo.RUNNING_VM) == "Running"


def test_stopping_the_running_vm(page, server, admin):
    assert vm_state(admin, demo.RUNNING_VM) == "Running"
    log_in(page, server.base_url, "admin", "password")
    visit(page, f"#/vms/{demo.RUNNING_VM}")
    page.get_by_role("button", name="Stop", exact=True).click()
    page.wait_for_selector(".title-badge :text-is('Stopped')")
    assert vm_state(admin, demo.RUNNING_VM) == "Stopped"
    assert page.get_by_role("button", name="Start", exact=True).is_visible()
    admin.ok("StartVmInstance", uuid=demo.RUNNING_VM)  # as the demo had it


def test_changing_the_seed_vms_image_shows_the_jobs_progress_and_the_new_root_volume(page, server, admin):
    old_root = admin.query("QueryVmInstance", f"uuid={demo.SEED_VM}")[0]["rootVolumeUuid"]
    log_in(page, server.base_url, "admin", "password")
    visit(page, f"#/vms/{demo.SEED_VM}")
    page.locator(f"#candidates tr[data-uuid='{demo.TINYLINUX}'] button").click()
    confirm = page.get_by_role("button", name="Change image")
    assert page.evaluate("document.activeElement.textContent") == "Change image"  # focus moved to it
    assert old_root in text_of(page, "#change-image")
    confirm.press("Enter")
    running = page.locator("[data-job=running]")
    running.wait_for()
    page.wait_for_function("() => /Running/.test(document.querySelector('[data-job=running]')?.textContent || '')")
    job_line = running.inner_text()
    page.wait_for_selector("[data-result=changed]", timeout=30000)
    vm = admin.query("QueryVmInstance", f"uuid={demo.SEED_VM}")[0]
    assert vm["imageUuid"] == demo.TINYLINUX and vm["rootVolumeUuid"] != old_root
    shown = text_of(page, "[data-field=new-root-volume]")
    assert vm["rootVolumeUuid"] in shown
    assert re.search(r"Job [0-9a-f]{32}: Running", job_line), job_line
    # the page reloads the VM: the root volume in its facts is the new one
    page.wait_for_function(f"() => document.querySelector('[data-field=root-volume]')?.dataset.uuid === "
                           f"'{vm['rootVolumeUuid']}'")


# ---- admin: state and sharing -------------------------------------------------------------------

def test_admin_disables_and_enables_a_host(page, server, admin):
    log_in(page, server.base_url, "admin", "password")
    visit(page, "#/infra/hosts")
    row = page.locator(f"tr[data-uuid='{demo.HOST}']")
    row.get_by_role("button", name="Disable demo-host").click()
    page.wait_for_selector(f"tr[data-uuid='{demo.HOST}'] .badge:text-is('Disabled')")
    assert admin.query("QueryHost", f"uuid={demo.HOST}")[0]["state"] == "Disabled"
    page.get_by_role("link", name="Overview").click()  # highlighted there
    page.wait_for_selector(f".attention tr[data-uuid='{demo.HOST}']")
    visit(page, "#/infra/hosts")
    page.locator(f"tr[data-uuid='{demo.HOST}']").get_by_role("button", name="Enable demo-host").click()
    page.wait_for_selector(f"tr[data-uuid='{demo.HOST}'] .badge:text-is('Enabled')")
    assert admin.query("QueryHost", f"uuid={demo.HOST}")[0]["state"] == "Enabled"


@pytest.mark.parametrize("tab, uuid, api", [
    ("primary-storage", demo.CEPH_PS, "QueryPrimaryStorage"),
    ("backup-storage", demo.OTHER_BS, "QueryBackupStorage"),
])
def test_admin_disables_and_enables_storage(page, server, admin, tab, uuid, api):
    log_in(page, server.base_url, "admin", "password")
    visit(page, f"#/infra/{tab}")
    page.locator(f"tr[data-uuid='{uuid}'] button").click()
    page.wait_for_selector(f"tr[data-uuid='{uuid}'] .badge:text-is('Disabled')")
    assert admin.query(api, f"uuid={uuid}")[0]["state"] == "Disabled"
    page.locator(f"tr[data-uuid='{uuid}'] button").click()
    page.wait_for_selector(f"tr[data-uuid='{uuid}'] .badge:text-is('Enabled')")
    assert admin.query(api, f"uuid={uuid}")[0]["state"] == "Enabled"


def test_admin_disables_an_image_and_shares_it_with_a_tenant(page, server, admin, tenants):
    alice = tenants["alice"]
    image = demo.OTHER_ZONE_IMAGE
    assert alice.api.query("QueryImage", f"uuid={image}") == []
    log_in(page, server.base_url, "admin", "password")
    visit(page, f"#/images/{image}")
    page.get_by_role("button", name="Disable TinyLinux-other-zone").click()
    page.wait_for_selector(".title-badge :text-is('Disabled')")
    assert admin.query("QueryImage", f"uuid={image}")[0]["state"] == "Disabled"
    page.get_by_role("button", name="Enable TinyLinux-other-zone").click()
    page.wait_for_selector(".title-badge :text-is('Enabled')")

    page.fill("#share-account", "alice")
    page.press("#share-account", "Enter")  # the form submits on Enter
    page.wait_for_selector("#sharing .alert-ok")
    assert [i["uuid"] for i in alice.api.query("QueryImage", f"uuid={image}")] == [image]
    page.get_by_role("button", name="Revoke from account").click()
    page.wait_for_function("() => /Revoking.*done/.test(document.querySelector('#sharing .alert-ok')?.textContent)")
    assert alice.api.query("QueryImage", f"uuid={image}") == []
    page.get_by_role("button", name="Share with everyone").click()
    page.wait_for_function("() => /everyone: done/.test(document.querySelector('#sharing .alert-ok')?.textContent)")
    assert [i["uuid"] for i in tenants["bob"].api.query("QueryImage", f"uuid={image}")] == [image]
    page.get_by_role("button", name="Stop sharing with everyone").click()
    page.wait_for_function("() => /Revoking public.*done/.test(document.querySelector('#sharing .alert-ok')?.textContent)")
    assert tenants["bob"].api.query("QueryImage", f"uuid={image}") == []
    # a name nobody has: said in words, nothing sent
    page.fill("#share-account", "nobody-by-that-name")
    page.press("#share-account", "Enter")
    page.wait_for_selector("#sharing .alert-error")
    assert "No account named" in text_of(page, "#sharing .alert-error")


# ---- tenants --------------------------------------------------------------------------------------

def test_a_tenant_sees_only_what_the_api_shows_it(page, server, admin, tenants):
    alice, bob = tenants["alice"], tenants["bob"]
    log_in(page, server.base_url, "alice", alice.password)
    assert "(tenant)" in text_of(page, "#account")
    page.wait_for_selector(".card")
    settle(page)
    shown = {card.get_attribute("data-count"): int(card.locator(".card-value").inner_text())
             for card in page.locator(".card").all()}
    assert shown == {"VMs": 1, "Images": 1, "Volumes": 1, "Zones": 2, "Clusters": 1}
    assert shown["VMs"] == alice.api.ok("QueryVmInstance", count=True)["total"]
    assert page.locator("#host-capacity").count() == 0  # no infrastructure for a tenant
    foreign = [bob.vm["name"], bob.image["name"], bob.vm["uuid"], bob.image["uuid"], "demo-vm", "TinyLinux",
               "demo-host", "demo-ceph"]

    pages = {"#/": ".cards", "#/vms": "[data-list=vms] table", "#/images": "[data-list=images] table",
             "#/volumes": "[data-list=volumes] table", "#/infra/zones": "[data-list=zones] table",
             "#/infra/clusters": "[data-list=clusters] table",
             f"#/vms/{alice.vm['uuid']}": "#excluded h2 .count"}
    for hash_, ready in pages.items():
        visit(page, hash_)
        page.wait_for_selector(ready)
        settle(page)
        body = page.inner_text("body")
        for word in foreign:
            assert word not in body, (hash_, word)
    # her VM page: her image is its candidate; nothing else is mentioned
    visit(page, f"#/vms/{alice.vm['uuid']}")
    page.wait_for_selector("#candidates table")
    assert page.locator("#candidates tbody tr").evaluate_all("rows => rows.map(r => r.dataset.uuid)") == \
        [alice.image["uuid"]]
    assert page.locator("ul.excluded > li").count() == 0
    # the infrastructure she may not read is not offered
    visit(page, "#/infra/hosts")
    page.wait_for_selector("[data-list=zones]")  # hosts are not a tab of hers: zones instead
    assert page.locator(".tabs a").all_inner_texts() == ["Zones", "Clusters"]
    # another tenant's VM and image, and the admin's, by URL: not found, like an unknown uuid
    for hash_ in (f"#/vms/{bob.vm['uuid']}", f"#/vms/{demo.SEED_VM}", f"#/vms/{'0' * 32}"):
        visit(page, hash_)
        page.wait_for_selector("[data-code=not-found]")
        assert text_of(page, "main h1") == "VM not found"
        assert page.locator("#candidates").is_hidden()
    for hash_ in (f"#/images/{bob.image['uuid']}", f"#/images/{demo.TINYLINUX}"):
        visit(page, hash_)
        page.wait_for_selector("[data-code=not-found]")
        assert text_of(page, "main h1") == "Image not found"


def test_a_tenant_changes_the_image_of_her_own_vm(page, server, tenants):
    alice = tenants["alice"]
    log_in(page, server.base_url, "alice", alice.password)
    visit(page, f"#/vms/{alice.vm['uuid']}")
    page.locator(f"#candidates tr[data-uuid='{alice.image['uuid']}'] button").click()
    page.get_by_role("button", name="Change image").click()
    page.wait_for_selector("[data-result=changed]", timeout=30000)
    vm = alice.api.query("QueryVmInstance", f"uuid={alice.vm['uuid']}")[0]
    assert vm["rootVolumeUuid"] != alice.vm["rootVolumeUuid"]
    assert vm["rootVolumeUuid"] in text_of(page, "[data-field=new-root-volume]")


# ---- escaping and small screens -------------------------------------------------------------------

def test_a_hostile_name_renders_as_text(page, server, admin):
    image = admin.ok("AddImage", name=HOSTILE, url="http://images.example/hostile.qcow2", format="qcow2",
                     description=HOSTILE, backupStorageUuids=[demo.CEPH_BS])["inventory"]
    vm = admin.ok("CreateVmInstance", name=HOSTILE, imageUuid=image["uuid"], instanceOfferingUuid=demo.OFFERING,
                  strategy="CreateStopped")["inventory"]
    try:
        log_in(page, server.base_url, "admin", "password")
        for hash_, ready in ((f"#/images?search={image['uuid']}", "[data-list=images] table"),
                             (f"#/images/{image['uuid']}", ".details dl"),
                             (f"#/vms?search={vm['uuid']}", "[data-list=vms] table"),
                             (f"#/vms/{vm['uuid']}", "#candidates table"),
                             (f"#/vms/{demo.SEED_VM}", "#candidates table")):
            visit(page, hash_)
            page.wait_for_selector(ready)
            settle(page)
            assert HOSTILE in page.inner_text("main"), hash_
            assert page.locator("main img, main script").count() == 0, hash_
            assert page.evaluate("window.__pwned") is None, hash_
        assert text_of(page, "main h1") == "demo-vm"
    finally:
        admin.ok("DestroyVmInstance", uuid=vm["uuid"])
        admin.ok("ExpungeVmInstance", uuid=vm["uuid"])
        admin.ok("DeleteImage", uuid=image["uuid"])
        admin.ok("ExpungeImage", imageUuid=image["uuid"])


@pytest.mark.parametrize("hash_, ready, expected", [
    ("#/", ".cards", ["VMs", "Needs attention", "Host capacity", "demo-ceph-ps"]),
    ("#/vms", "[data-list=vms] table", ["demo-vm", "demo-vm-running", "Running"]),
    (f"#/vms/{demo.SEED_VM}", "#excluded ul.excluded",
     ["TinyLinux", "demo-ceph-bs", "not a root volume template", "not attached to this VM's zone", "demo-other-zone-bs"]),
    ("#/images", "[data-list=images] table", ["TinyLinux", "CentOS-7-installer", "RootVolumeTemplate"]),
    ("#/infra/hosts", "[data-list=hosts] table", ["demo-host", "192.168.1.10", "Disable"]),
    ("#/infra/primary-storage", "[data-list=primary-storage] table", ["demo-ceph-ps", "Ceph"]),
])
def test_a_phone_width_shows_the_same_content_without_overflowing(browser, server, hash_, ready, expected):
    with on_a_phone(browser, server.base_url, hash_, ready, expected) as page:
        assert page.locator("#nav").is_visible()
