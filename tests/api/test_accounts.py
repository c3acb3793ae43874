"""Accounts and access keys (SPEC §6): hashed passwords, secrets never stored, tenancy of accounts."""

from __future__ import annotations

from sqlalchemy import String, Text, select

from zslite import security
from zslite.db.base import Base
from zslite.db.models import Account
from tests.support import ApiClient


def text_values(database):
    """Every text value in every table (the whole database, as an attacker with a dump would see it)."""
    out = []
    with database.read() as s:
        for table in Base.metadata.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, (String, Text))]
            if cols:
                for row in s.execute(select(*cols)):
                    out.extend(v for v in row if isinstance(v, str))
    return out


def test_create_access_key_secret_only_in_the_create_reply_and_never_stored(api, database):
    status, body = api.call("CreateAccessKey", description="ci key")
    assert status == 200, body
    inv = body["inventory"]
    secret, key_id = inv["AccessKeySecret"], inv["AccessKeyID"]
    assert len(secret) >= 32 and inv["state"] == "Enabled" and inv["accountUuid"] == api.account_uuid
    assert inv["description"] == "ci key" and inv["userUuid"] == api.account_uuid
    values = text_values(database)
    assert key_id in values  # the scan does see the keys table
    assert not [v for v in values if secret in v], "the access-key secret is stored in the database"
    # the job result is kept (and polled again) without storing the secret
    assert any(key_id in v for v in values)


def test_access_key_secret_is_in_the_first_200_only(api, http):
    r = api.request("POST", "/zstack/v1/accesskeys", json={"params": {}})
    assert r.status_code == 202
    location = r.json()["location"]
    first = api.wait(location).json()["inventory"]
    assert len(first["AccessKeySecret"]) >= 32
    assert "schema" not in first
    without = {k: v for k, v in first.items() if k != "AccessKeySecret"}
    for _ in range(3):  # later polls, with a session or with none: the same result, no secret
        again = api.wait(location)
        assert again.status_code == 200
        assert again.json()["inventory"] == without
        anonymous = http.get(location.replace("http://testserver", ""))
        assert anonymous.status_code == 200 and anonymous.json()["inventory"] == without


def test_passwords_are_stored_hashed(api, database):
    api.ok("CreateAccount", name="alice", password=ApiClient.hash("alice-pw"))
    with database.read() as s:
        rows = {a.name: a.password_hash for a in s.scalars(select(Account))}
    for name, pw in (("admin", "password"), ("alice", "alice-pw")):
        stored = rows[name]
        assert stored.startswith("scrypt$")
        assert ApiClient.hash(pw) not in stored and pw not in stored
        assert security.verify_password(ApiClient.hash(pw), stored)
    values = text_values(database)
    assert not [v for v in values if ApiClient.hash("alice-pw") in v or ApiClient.hash("password") in v]


def test_create_account_inventory_and_duplicates(api):
    inv = api.ok("CreateAccount", name="alice", password=ApiClient.hash("pw"), description="d")["inventory"]
    assert inv["name"] == "alice" and inv["type"] == "Normal" and inv["description"] == "d"
    assert "password" not in inv and "passwordHash" not in inv and len(inv["uuid"]) == 32
    err = api.fail("CreateAccount", "SYS.1007", name="alice", password=ApiClient.hash("pw"))
    assert "alice" in err["details"]
    err = api.fail("CreateAccount", "SYS.1007", name="bob", password="x", type="SystemAdmin")
    assert "type" in err["details"]
    assert [a["name"] for a in api.query("QueryAccount", sort="name")] == ["admin", "alice"]


def test_normal_account_sees_only_itself(api, as_account):
    alice = as_account("alice")
    bob = as_account("bob")
    assert [a["name"] for a in alice.query("QueryAccount")] == ["alice"]
    assert [a["name"] for a in bob.query("QueryAccount")] == ["bob"]
    assert alice.query("QueryAccount", "name=bob") == []
    assert alice.query("QueryAccount", f"uuid={bob.account_uuid}") == []
    r = alice.request("GET", f"/zstack/v1/accounts/{bob.account_uuid}")
    assert r.status_code == 200 and r.json()["inventories"] == []
    assert alice.ok("QueryAccount", count=True) == {"total": 1, "schema": {}}
    assert {a["name"] for a in api.query("QueryAccount")} == {"admin", "alice", "bob"}


def test_normal_account_access_keys(api, as_account):
    alice = as_account("alice")
    bob = as_account("bob")
    mine = alice.ok("CreateAccessKey", accountUuid=alice.account_uuid)["inventory"]
    assert mine["accountUuid"] == alice.account_uuid
    # another account, or an unknown one: the same "not found" (nothing tells alice bob exists)
    e1 = alice.fail("CreateAccessKey", "SYS.1007", accountUuid=bob.account_uuid)
    e2 = alice.fail("CreateAccessKey", "SYS.1007", accountUuid="0" * 32)
    assert "not found" in e1["details"] and e1["details"].replace(bob.account_uuid, "0" * 32) == e2["details"]
    alice.fail("CreateAccessKey", "SYS.1007", userUuid="1" * 32)
    # admin may create one for alice
    assert api.ok("CreateAccessKey", accountUuid=alice.account_uuid)["inventory"]["accountUuid"] == alice.account_uuid
    api.fail("CreateAccessKey", "SYS.1007", accountUuid="0" * 32)
