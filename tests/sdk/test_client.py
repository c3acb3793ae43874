"""zslite.Client and zslite.AsyncClient through the real app and database."""

from __future__ import annotations

import asyncio

import httpx
import pytest

import zslite
from zslite.apispec import all_apis
from zslite.sdk import core
from zslite.sdk.models import ImageInventory, InventoryList, VmInstanceInventory, ZoneInventory
from zslite.sdk.resources import method_table, names
from tests.sdk import scene
from zslite.testing import free_port

# The SDK is a client of the HTTP API: one database (the APIs run on every one in tests/api).
pytestmark = pytest.mark.one_backend


def test_every_api_has_a_client_method(client):
    seen = set()
    for family, methods in method_table().items():
        resource = getattr(client, family)
        for method, spec in methods.items():
            assert callable(getattr(resource, method)), (family, method)
            seen.add(spec.name)
    assert seen == {s.name for s in all_apis()}


@pytest.mark.parametrize("api,expected", [
    ("GetImageCandidatesForVmToChange", ("vm_instances", "image_candidates")),
    ("ChangeVmImage", ("vm_instances", "change_image")),
    ("QueryImage", ("images", "query")),
    ("CreateZone", ("zones", "create")),
    ("ChangeZoneState", ("zones", "change_state")),
    ("LogInByAccount", ("accounts", "log_in")),
    ("CreateAccessKey", ("access_keys", "create")),
    ("GetTaskProgress", ("task_progresses", "get")),
])
def test_naming_rule(api, expected):
    spec = next((s for s in all_apis() if s.name == api), None)
    assert spec is not None, f"{api} is not in the registry"
    assert names(spec) == expected


def test_typed_results_and_query_helpers(client):
    zone = client.zones.create(name="zone1", description="first")
    assert isinstance(zone, ZoneInventory) and zone.state == "Enabled" and zone.createDate.year >= 2024
    client.zones.create("zone2")
    found = client.zones.query("name~=zone%", limit=10, sort="-name")
    assert isinstance(found, InventoryList) and [z.name for z in found] == ["zone2", "zone1"]
    assert [z.uuid for z in client.zones.query(name="zone1")] == [zone.uuid]
    assert client.zones.query(count=True) == 2
    page = client.zones.query(limit=1, reply_with_count=True)
    assert len(page) == 1 and page.total == 2
    assert client.zones.get(zone.uuid).name == "zone1"
    with pytest.raises(zslite.ResourceNotFound):
        client.zones.get("0" * 32)
    assert client.zones.update(zone.uuid, name="renamed").name == "renamed"
    assert client.zones.change_state(zone.uuid, "disable").state == "Disabled"
    assert client.zones.delete(zone.uuid) is None
    assert client.call("QueryZone")[0].name == "zone2"


def test_no_wait_returns_a_job(client):
    job = client.zones.create(name="later", wait=False)
    assert len(job.uuid) == 32
    assert job.wait().name == "later"
    done, result = job.poll()
    assert done and result.name == "later"


def test_errors_by_code(client, as_account):
    with pytest.raises(zslite.InvalidArgument) as info:
        client.zones.change_state("0" * 32, "enable")
    assert info.value.code == "SYS.1007" and info.value.http_status == 503 and "not found" in info.value.details
    with pytest.raises(zslite.ParameterError):          # refused before sending
        client.zones.change_state("0" * 32, "explode")
    with pytest.raises(zslite.ParameterError, match="unknown parameter"):
        client.zones.create(name="x", colour="red")
    as_account("alice")
    with zslite.Client("http://testserver", account="alice", password="pw-x", http_client=client._http) as alice:
        with pytest.raises(zslite.PermissionDenied) as denied:
            alice.zones.create(name="mine")
        assert denied.value.code == "ID.1002"
    with pytest.raises(zslite.AuthenticationFailed):
        zslite.Client("http://testserver", account="alice", password="wrong", http_client=client._http).login()
    with pytest.raises(zslite.InvalidSession):
        zslite.Client("http://testserver", session="f" * 32, http_client=client._http).zones.query()


def test_context_manager_logs_out_its_session(http):
    with zslite.Client("http://testserver", account="admin", password="password", http_client=http) as zs:
        zs.zones.query()
        session = zs.session_id
    probe = zslite.Client("http://testserver", http_client=http)
    assert probe.call_raw("ValidateSession", sessionUuid=session).get("valid") in (False, None)


def test_access_key_client(client):
    key = client.access_keys.create()
    signed = zslite.Client("http://testserver", access_key_id=key.AccessKeyID, access_key_secret=key.AccessKeySecret,
                           http_client=client._http, polling_interval=0.02)
    assert signed.zones.create(name="by-key").name == "by-key"
    assert [z.name for z in signed.zones.query()] == ["by-key"]


def test_candidates_and_change_image(client, database):
    sc = scene.build(database)
    found = client.vm_instances.image_candidates(sc.vm)
    assert all(isinstance(i, ImageInventory) for i in found)
    tiny = next(i for i in found if i.name == "TinyLinux")
    assert tiny.backupStorageRefs[0].backupStorageUuid == sc.bs
    explained = client.vm_instances.image_candidates(sc.vm, explain=True)
    excluded = {e.name: [r.code for r in e.reasons] for e in explained.excluded}
    assert excluded["AnISO"] == ["MEDIA_TYPE"] and excluded["ArmLinux"] == ["ARCHITECTURE"]
    vm = client.vm_instances.change_image(sc.vm, image_uuid=sc.tiny)
    assert isinstance(vm, VmInstanceInventory) and vm.imageUuid == sc.tiny and vm.state == "Stopped"
    with pytest.raises(zslite.InvalidArgument):
        client.vm_instances.change_image(sc.vm, sc.iso)


def test_async_client_over_asgi_transport(app, http):
    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with zslite.AsyncClient("http://testserver", account="admin", password="password",
                                      transport=transport, polling_interval=0.02) as zs:
            zone = await zs.zones.create(name="async-zone")
            assert isinstance(zone, ZoneInventory)
            assert [z.uuid for z in await zs.zones.query("name=async-zone")] == [zone.uuid]
            job = await zs.zones.create(name="async-later", wait=False)
            assert (await job.wait()).name == "async-later"
            with pytest.raises(zslite.InvalidArgument):
                await zs.zones.change_state("0" * 32, "enable")
            assert (await zs.zones.get(zone.uuid)).name == "async-zone"

    asyncio.run(scenario())


def test_connection_error_is_sdk_1000():
    zs = zslite.Client(f"http://127.0.0.1:{free_port()}", session="f" * 32, max_retries=1)
    with pytest.raises(zslite.ApiConnectionError) as info:
        zs.zones.query()
    assert info.value.code == "sdk.1000" and info.value.http_status is None


def _counting_transport(statuses):
    calls = []

    def handler(request: httpx.Request):
        calls.append(request.method)
        status = statuses[min(len(calls) - 1, len(statuses) - 1)]
        if status == 200:
            return httpx.Response(200, json={"inventories": []})
        return httpx.Response(status, text="bad gateway")

    return httpx.MockTransport(handler), calls


def test_get_is_retried_with_backoff_writes_are_not():
    transport, calls = _counting_transport([502, 502, 200])
    zs = zslite.Client("http://x", session="s" * 32, transport=transport, max_retries=3)
    zs.options.backoff_base = 0.001
    assert list(zs.zones.query()) == []
    assert calls == ["GET", "GET", "GET"]

    transport, calls = _counting_transport([502])
    zs = zslite.Client("http://x", session="s" * 32, transport=transport, max_retries=3)
    zs.options.backoff_base = 0.001
    with pytest.raises(zslite.HttpError) as info:
        zs.zones.create(name="once")
    assert calls == ["POST"] and info.value.http_status == 502 and info.value.code == "sdk.1000"


def test_backoff_is_capped_and_jittered():
    opts = core.Options(backoff_base=1.0, backoff_cap=3.0)
    values = [core.backoff(10, opts) for _ in range(200)]
    assert max(values) <= 3.0 and min(values) >= 0 and len(set(values)) > 1


def test_access_key_signature_matches_the_server():
    from zslite import security
    from zslite.server.auth import signed_path
    date = core.http_date()
    assert core.sign("secret", "GET", date, "/zones") == security.sign("secret", "GET", date,
                                                                       signed_path("/zstack/v1/zones"))
    assert date.endswith(" Etc/UTC")
