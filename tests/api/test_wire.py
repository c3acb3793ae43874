"""The ZStack REST v1 wire format (SPEC §2): dates, null fields, status codes, bodies, headers, schema map."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from starlette.testclient import TestClient

from zslite.config import Settings
from zslite.server.app import create_app
from tests import factories as f
from tests.support import ApiClient


def test_dates_render_in_zstack_format_and_null_fields_are_left_out(api, database):
    with database.write() as s:
        z = f.zone(s, name="z", description=None)  # created Jan 6, 2026 03:51:16 UTC
    (inv,) = api.query("QueryZone", f"uuid={z.uuid}")
    assert inv["createDate"] == "Jan 6, 2026 3:51:16 AM" and inv["lastOpDate"] == "Jan 6, 2026 3:51:16 AM"
    assert "description" not in inv and None not in inv.values()


def test_dates_render_in_the_configured_time_zone(settings, database):
    with TestClient(create_app(settings.model_copy(update={"timezone": "Asia/Shanghai"}), database=database)) as c:
        a = ApiClient(c)
        a.login("admin", "password")
        with database.write() as s:
            z = f.zone(s, name="z")
        (inv,) = a.query("QueryZone", f"uuid={z.uuid}")
        assert inv["createDate"] == "Jan 6, 2026 11:51:16 AM"
        # a zone-less date in a query is in the server's zone too
        assert a.query("QueryZone", "createDate=2026-01-06T11:51:16") != []


def test_unknown_time_zone_is_refused_at_start():
    with pytest.raises(ValidationError):
        Settings(timezone="Mars/Olympus")


def test_status_codes_and_bodies(api):
    r = api.request("GET", "/zstack/v1/no-such-thing")
    assert r.status_code == 404
    r = api.request("PATCH", "/zstack/v1/zones")
    assert r.status_code == 405
    r = api.request("DELETE", "/zstack/v1/zones")
    assert r.status_code == 405
    r = api.request("DELETE", f"/zstack/v1/accounts/sessions/{'0' * 32}")
    assert r.status_code == 200 and r.json() == {}  # never 204, always a JSON body
    err = api.fail("CreateZone", "SYS.1007")
    assert set(err) >= {"code", "description", "details"} and "field[name]" in err["details"]


def test_headers_the_sdks_send_are_accepted(api):
    headers = {"X-JSON-Schema": "true", "X-API-Timeout": "60000", "X-Request-Ip": "10.0.0.1",
               "Accept-Encoding": "gzip", "X-Job-UUID": "f" * 32}
    r = api.request("GET", "/zstack/v1/zones", headers=headers)
    assert r.status_code == 200 and r.json()["inventories"] == []


def test_schema_map_on_request_and_never_null(api):
    r = api.request("POST", "/zstack/v1/zones", json={"params": {"name": "z"}}, headers={"X-JSON-Schema": "true"})
    body = api.wait(r.json()["location"]).json()
    assert body["schema"] == {"inventory": "org.zstack.header.zone.ZoneInventory"}
    r = api.request("POST", "/zstack/v1/zones", json={"params": {"name": "y"}})
    assert "schema" not in api.wait(r.json()["location"]).json()
    r = api.request("PUT", "/zstack/v1/accounts/login", headers={"X-JSON-Schema": "true"},
                    json={"logInByAccount": {"accountName": "admin", "password": ApiClient.hash("password")}})
    assert r.json()["schema"] == {"inventory": "org.zstack.header.identity.SessionInventory"}


def test_tags_beside_the_body_and_path_parameters_win(api):
    r = api.request("POST", "/zstack/v1/zones", json={"params": {"name": "z"}, "systemTags": ["k::v"],
                                                      "userTags": ["u"]})
    zone = api.wait(r.json()["location"]).json()["inventory"]
    assert [z["uuid"] for z in api.query("QueryZone", "__systemTag__=k::v")] == [zone["uuid"]]
    assert [z["uuid"] for z in api.query("QueryZone", "__userTag__=u")] == [zone["uuid"]]
    other = api.ok("CreateZone", name="other")["inventory"]
    r = api.request("PUT", f"/zstack/v1/zones/{zone['uuid']}/actions",
                    json={"updateZone": {"uuid": other["uuid"], "name": "renamed"}})
    assert api.wait(r.json()["location"]).json()["inventory"]["uuid"] == zone["uuid"]
    assert api.query("QueryZone", "name=other")[0]["uuid"] == other["uuid"]


def test_query_string_tags_repeated_or_comma_separated(api):
    for params in ({"systemTags": ["a::b", "c::d"]}, {"systemTags": "a::b,c::d"}):
        assert api.request("GET", "/zstack/v1/zones", params=params).status_code == 200
    r = api.request("GET", "/zstack/v1/zones", params={"systemTags": ["x"] * 300})
    assert r.status_code == 503 and "systemTags" in r.json()["error"]["details"]


def test_x_job_uuid_on_sync_apis_is_ignored_even_malformed(api):
    r = api.request("GET", "/zstack/v1/zones", headers={"X-Job-UUID": "NOT-A-UUID"})
    assert r.status_code == 200
