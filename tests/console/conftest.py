"""Fixtures of the console's browser tests: one real `zslite serve --demo` and one Chromium per
module, a fresh browser context (empty sessionStorage) per test. They run on one database (the
`one_backend` marker): they test the console; the API's tests cover the databases."""

from __future__ import annotations

import pytest

from tests.console import browser as chromium
from tests.support import ApiClient
from zslite import demo
from zslite.testing import ServerProcess

# ChangeVmImage is held 1.5 s before it commits, so the test sees the job's live progress (a real
# running job, polled by the console) before its result.
HOLD_CHANGE = "job.before_commit.ChangeVmImage=sleep:1.5"


@pytest.fixture(scope="module")
def server(backend, _backends, tmp_path_factory):
    from tests.conftest import wipe

    url = _backends.url(backend)
    wipe(_backends.databases[backend])
    with ServerProcess(url, log_dir=tmp_path_factory.mktemp("console"), demo=True,
                       env={"ZSLITE_FAULT_INJECTION": HOLD_CHANGE}) as srv:
        yield srv


@pytest.fixture(scope="module")
def admin(server):
    with server.client() as http:
        client = ApiClient(http)
        client.login("admin", "password")
        yield client


class Tenant:
    def __init__(self, server, admin, name: str):
        self.name = name
        self.password = f"{name}-secret"
        self.uuid = admin.ok("CreateAccount", name=name, password=ApiClient.hash(self.password))["inventory"]["uuid"]
        self.http = server.client()
        self.api = ApiClient(self.http)
        self.api.login(name, self.password)
        self.image = self.api.ok("AddImage", name=f"{name}-image", url=f"http://images.example/{name}.qcow2",
                                 format="qcow2", backupStorageUuids=[demo.CEPH_BS])["inventory"]
        self.vm = self.api.ok("CreateVmInstance", name=f"{name}-vm", imageUuid=self.image["uuid"],
                              instanceOfferingUuid=demo.OFFERING, strategy="CreateStopped")["inventory"]


@pytest.fixture(scope="module")
def tenants(server, admin):
    made = {name: Tenant(server, admin, name) for name in ("alice", "bob")}
    yield made
    for tenant in made.values():
        tenant.http.close()


@pytest.fixture(scope="module")
def bulk_images(admin):
    """22 images more, on the other zone's backup storage: more than a page of images, and of the
    seed VM's excluded images (BS_NOT_IN_ZONE)."""
    return [admin.ok("AddImage", name=f"bulk-{i:02d}", url=f"http://images.example/bulk-{i}.qcow2", format="qcow2",
                     backupStorageUuids=[demo.OTHER_BS])["inventory"] for i in range(22)]


@pytest.fixture(scope="module")
def pw():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(pw):
    try:
        instance = chromium.launch(pw)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield instance
    instance.close()


@pytest.fixture
def page(browser, server):
    """A page in a fresh context; uncaught script errors and CSP violations fail the test."""
    context = browser.new_context(viewport=chromium.DESKTOP, base_url=server.base_url)
    context.set_default_timeout(15000)
    p = context.new_page()
    problems: list[str] = []
    p.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    p.on("console", lambda msg: problems.append(f"console: {msg.text}")
         if "Content Security Policy" in msg.text else None)
    requests: list[str] = []
    p.on("request", lambda r: requests.append(r.url))
    p.problems = problems
    yield p
    context.close()
    assert not problems, problems
    # the console's only server is its own origin: its assets, and the public REST API
    stray = [url for url in requests if not url.startswith(server.base_url + "/")
             or not url[len(server.base_url):].startswith(("/zstack/v1/", "/console/", "/#", "/?"))
             and url[len(server.base_url):] != "/"]
    assert not stray, stray
