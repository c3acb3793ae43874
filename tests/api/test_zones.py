"""Zones end to end: the first resource proves the whole pipeline (job, query, tags, visibility)."""

from __future__ import annotations


def test_create_query_update_state_delete(api):
    zone = api.ok("CreateZone", name="zone1", description="first", systemTags=["a::b"], userTags=["u1"])["inventory"]
    assert zone["name"] == "zone1" and zone["state"] == "Enabled" and zone["type"] == "zstack"
    assert zone["isDefault"] is False and "createDate" in zone and "lastOpDate" in zone
    assert [z["uuid"] for z in api.query("QueryZone", "name=zone1")] == [zone["uuid"]]
    assert [z["uuid"] for z in api.query("QueryZone", "__systemTag__=a::b")] == [zone["uuid"]]
    assert [z["uuid"] for z in api.query("QueryZone", "__userTag__=u1")] == [zone["uuid"]]
    assert api.query("QueryZone", "__userTag__=a::b") == []

    updated = api.ok("UpdateZone", uuid=zone["uuid"], name="renamed")["inventory"]
    assert updated["name"] == "renamed" and updated["description"] == "first"

    disabled = api.ok("ChangeZoneState", uuid=zone["uuid"], stateEvent="disable")["inventory"]
    assert disabled["state"] == "Disabled"
    assert api.query("QueryZone", "state=Disabled")[0]["uuid"] == zone["uuid"]

    api.ok("DeleteZone", uuid=zone["uuid"])
    assert api.query("QueryZone") == []


def test_query_by_uuid_path(api):
    zone = api.ok("CreateZone", name="z")["inventory"]
    r = api.request("GET", f"/zstack/v1/zones/{zone['uuid']}")
    assert r.status_code == 200
    assert [z["uuid"] for z in r.json()["inventories"]] == [zone["uuid"]]
    assert r.json()["schema"] == {"inventories[0]": "org.zstack.header.zone.ZoneInventory"}


def test_normal_account_reads_zones_but_cannot_create(api, as_account):
    zone = api.ok("CreateZone", name="z")["inventory"]
    alice = as_account("alice")
    assert [z["uuid"] for z in alice.query("QueryZone")] == [zone["uuid"]]
    err = alice.fail("CreateZone", "ID.1002", name="mine")
    assert "admin" in err["details"]
    err = alice.fail("ChangeZoneState", "ID.1002", uuid=zone["uuid"], stateEvent="disable")
    assert api.query("QueryZone", "name=mine") == []


def test_bad_parameters_name_every_field_and_write_nothing(api):
    err = api.fail("CreateZone", "SYS.1007", name="", isDefault="yes")
    assert "field[name]" in err["details"] and "field[isDefault]" in err["details"]
    assert api.query("QueryZone") == []
    err = api.fail("ChangeZoneState", "SYS.1007", uuid="0" * 32, stateEvent="enable")
    assert "not found" in err["details"]
    zone = api.ok("CreateZone", name="z")["inventory"]
    err = api.fail("ChangeZoneState", "SYS.1007", uuid=zone["uuid"], stateEvent="explode")
    assert "stateEvent" in err["details"]
