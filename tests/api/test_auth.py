"""Authentication and sessions (SPEC §2 Authentication, §6): OAuth sessions, access-key signatures,
admin-only APIs, ValidateSession and LogOut."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from starlette.testclient import TestClient

from zslite import security
from zslite.clock import FixedClock
from zslite.config import load_settings
from zslite.server.app import create_app
from tests.support import ApiClient, java_sdk_date, python_sdk_date

T0 = datetime(2026, 11, 26, 18, 0, 0)  # UTC


@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def client(settings, database, clock):
    with TestClient(create_app(settings, database=database, clock=clock), base_url="http://testserver") as c:
        yield c


@pytest.fixture
def admin(client):
    a = ApiClient(client)
    a.login("admin", "password")
    return a


def error(r, status=503):
    assert r.status_code == status, (r.status_code, r.text)
    return r.json()["error"]


# ---- no or bad Authorization -----------------------------------------------------------------

def test_missing_authorization_is_400_plain_text(client):
    for path in ("/zstack/v1/zones", "/v1/zones", "/zstack/v1/accounts"):
        r = client.get(path)
        assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
        assert "Authorization" in r.text
    r = client.post("/zstack/v1/zones", json={"params": {"name": "z"}})
    assert r.status_code == 400


@pytest.mark.parametrize("header", ["Basic abc", "Bearer x", "OAuth", "OAuth ", "ZStack", "ZStack nocolon",
                                    "ZStack :sig", "ZStack id:"])
def test_malformed_authorization_is_400(client, header):
    assert client.get("/zstack/v1/zones", headers={"Authorization": header}).status_code == 400


@pytest.mark.parametrize("credential", ["0" * 32, "null", "not-a-session", "A" * 32, "' OR 1=1 --", "x" * 5000])
def test_unknown_session_is_id_1001(client, credential):
    err = error(client.get("/zstack/v1/zones", headers={"Authorization": f"OAuth {credential}"}))
    assert err["code"] == "ID.1001"


# ---- login -------------------------------------------------------------------------------------

def test_login_answers_a_session_inventory(client, settings):
    r = client.put("/zstack/v1/accounts/login", json={"logInByAccount": {
        "accountName": "admin", "password": security.sha512_hex("password")}},
        headers={"X-Job-UUID": "0" * 32})  # SDKs send one even on sync calls: ignored
    assert r.status_code == 200, r.text
    inv = r.json()["inventory"]
    assert set(inv) >= {"uuid", "accountUuid", "userUuid", "userType", "expiredDate", "createDate"}
    assert len(inv["uuid"]) == 32 and inv["accountUuid"] == "36c27e8ff05c4780bf6d2fa65700f22e"
    assert inv["createDate"] == "Nov 26, 2026 6:00:00 PM"
    expires = T0 + timedelta(seconds=settings.session_timeout)
    assert inv["expiredDate"] == f"Nov 26, 2026 {expires.hour - 12}:00:00 PM"


@pytest.mark.parametrize("name, password", [("admin", "wrong"), ("admin", ""), ("nobody", "password"),
                                            ("admin", "PASSWORD")])
def test_wrong_password_or_account_is_id_1000(client, name, password):
    r = client.put("/zstack/v1/accounts/login", json={"logInByAccount": {
        "accountName": name, "password": security.sha512_hex(password)}})
    assert error(r)["code"] == "ID.1000"


def test_login_with_the_plain_password_fails(client):
    r = client.put("/zstack/v1/accounts/login", json={"logInByAccount": {"accountName": "admin",
                                                                         "password": "password"}})
    assert error(r)["code"] == "ID.1000"


def test_login_also_under_v1_prefix(client):
    r = client.put("/v1/accounts/login", json={"logInByAccount": {
        "accountName": "admin", "password": security.sha512_hex("password")}})
    assert r.status_code == 200


def test_admin_bootstrap_uses_zslite_admin_password(settings, database, monkeypatch):
    monkeypatch.setenv("ZSLITE_ADMIN_PASSWORD", "s3cret!")
    chosen = load_settings(**settings.model_dump(exclude={"admin_password"}))
    assert chosen.admin_password == "s3cret!"
    with TestClient(create_app(chosen, database=database)) as c:
        a = ApiClient(c)
        a.login("admin", "s3cret!")
        r = c.put("/zstack/v1/accounts/login", json={"logInByAccount": {
            "accountName": "admin", "password": security.sha512_hex("password")}})
        assert error(r)["code"] == "ID.1000"
    # a restart with another password moves the admin password along
    with TestClient(create_app(settings, database=database)) as c:
        ApiClient(c).login("admin", "password")


# ---- sessions ----------------------------------------------------------------------------------

def test_validate_session_and_logout(client, admin):
    s = admin.session
    r = client.get(f"/zstack/v1/accounts/sessions/{s}/valid")  # no Authorization needed
    assert r.status_code == 200 and r.json()["valid"] is True
    assert client.get(f"/zstack/v1/accounts/sessions/{'0' * 32}/valid").json()["valid"] is False
    assert admin.request("GET", "/zstack/v1/zones").status_code == 200
    r = client.delete(f"/zstack/v1/accounts/sessions/{s}")
    assert r.status_code == 200 and r.json() == {}
    assert client.get(f"/zstack/v1/accounts/sessions/{s}/valid").json()["valid"] is False
    assert error(admin.request("GET", "/zstack/v1/zones"))["code"] == "ID.1001"
    assert client.delete(f"/zstack/v1/accounts/sessions/{s}").status_code == 200  # again: harmless


def test_logout_ends_only_that_session(client, admin):
    other = ApiClient(client)
    other.login("admin", "password")
    assert client.delete(f"/v1/accounts/sessions/{admin.session}").status_code == 200
    assert other.request("GET", "/zstack/v1/zones").status_code == 200


def test_session_expires_after_idle_timeout(client, admin, clock, settings):
    clock.advance(settings.session_timeout - 1)
    assert admin.request("GET", "/zstack/v1/zones").status_code == 200
    clock.advance(settings.session_timeout + 1)
    assert error(admin.request("GET", "/zstack/v1/zones"))["code"] == "ID.1001"
    assert client.get(f"/zstack/v1/accounts/sessions/{admin.session}/valid").json()["valid"] is False


def test_session_idle_expiry_resets_on_use(client, admin, clock, settings):
    timeout = settings.session_timeout
    for _ in range(4):  # four idle periods of 90% of the timeout, each ended by a use: alive all along
        clock.advance(timeout * 0.9)
        assert admin.request("GET", "/zstack/v1/zones").status_code == 200
    assert client.get(f"/zstack/v1/accounts/sessions/{admin.session}/valid").json()["valid"] is True
    clock.advance(timeout + 1)
    assert client.get(f"/zstack/v1/accounts/sessions/{admin.session}/valid").json()["valid"] is False
    assert error(admin.request("GET", "/zstack/v1/zones"))["code"] == "ID.1001"


def test_short_session_timeout_also_resets_on_use(settings, database, clock):
    short = settings.model_copy(update={"session_timeout": 20})
    with TestClient(create_app(short, database=database, clock=clock)) as c:
        a = ApiClient(c)
        a.login("admin", "password")
        for _ in range(5):
            clock.advance(15)
            assert a.request("GET", "/zstack/v1/zones").status_code == 200
        clock.advance(21)
        assert error(a.request("GET", "/zstack/v1/zones"))["code"] == "ID.1001"


# ---- access keys --------------------------------------------------------------------------------

@pytest.fixture
def key(admin):
    inv = admin.ok("CreateAccessKey")["inventory"]
    return inv["AccessKeyID"], inv["AccessKeySecret"]


def signed(key, method, path, date, *, sign_path=None):
    key_id, secret = key
    sig = security.sign(secret, method, date, sign_path or path)
    return {"Authorization": f"ZStack {key_id}:{sig}", "Date": date}


@pytest.fixture
def keyed(settings, database, clock):
    """keyed(timezone=..., check_time_zone=...) → (a client of an app so configured, an admin access key)."""
    opened = []

    def make(**overrides):
        c = TestClient(create_app(settings.model_copy(update=overrides), database=database, clock=clock),
                       base_url="http://testserver")
        opened.append(c.__enter__())
        a = ApiClient(c)
        a.login("admin", "password")
        inv = a.ok("CreateAccessKey")["inventory"]
        return c, (inv["AccessKeyID"], inv["AccessKeySecret"])

    yield make
    for c in opened:
        c.__exit__(None, None, None)


# the server's clock says 18:00 UTC (T0); the Date header's wall-clock time and label as a client wrote them
@pytest.mark.parametrize("check, date", [
    # ZStack's default: the wall-clock time is compared with the server's (UTC here), the label not read
    (False, "Thu, 26 Nov 2026 18:00:00 Etc/UTC"), (False, "Thu, 26 Nov 2026 18:00:00 GMT"),
    (False, "Thu, 26 Nov 2026 18:00:00 CST"), (False, "Thu, 26 Nov 2026 18:00:00 Asia/Shanghai"),
    (False, "Thu, 26 Nov 2026 18:00:00 Mars/Base"), (False, "Thu, 26 Nov 2026 18:00:00 GMT+99:00"),
    # checkTimeZone: the instant is compared, the label must name a zone
    (True, "Thu, 26 Nov 2026 18:00:00 Etc/UTC"), (True, "Fri, 27 Nov 2026 02:00:00 Asia/Shanghai"),
    (True, "Fri, 27 Nov 2026 02:00:00 GMT+08:00"), (True, "Thu, 26 Nov 2026 18:00:00 GMT"),
    (True, "Thu, 26 Nov 2026 12:00:00 CST"), (True, "Thu, 26 Nov 2026 13:00:00 America/New_York"),
])
def test_access_key_good_signature(keyed, check, date):
    client, key = keyed(check_time_zone=check)
    for prefix in ("/zstack/v1", "/v1"):
        r = client.get(prefix + "/zones", headers=signed(key, "GET", "/v1/zones", date))
        assert r.status_code == 200, r.text


def test_signature_covers_v1_path_without_query_string(client, key, admin):
    admin.ok("CreateZone", name="z1")
    date = "Thu, 26 Nov 2026 18:00:00 Etc/UTC"
    for prefix in ("/zstack/v1", "/v1"):
        h = signed(key, "GET", "/v1/zones", date)
        r = client.get(prefix + "/zones", params={"q": "name=z1", "limit": "5"}, headers=h)
        assert r.status_code == 200 and [z["name"] for z in r.json()["inventories"]] == ["z1"]
        # signing what the signature must not cover fails
        for wrong in ("/v1/zones?q=name=z1&limit=5", "/zstack/v1/zones", "/zones"):
            h = signed(key, "GET", "/v1/zones", date, sign_path=wrong)
            assert error(client.get(prefix + "/zones", params={"q": "name=z1", "limit": "5"},
                                    headers=h))["code"] == "ID.1000"


def test_access_key_on_an_async_api_and_a_path_with_uuid(client, key, admin):
    date = "Thu, 26 Nov 2026 18:00:00 Etc/UTC"
    r = client.post("/v1/zones", json={"params": {"name": "by-key"}}, headers=signed(key, "POST", "/v1/zones", date))
    assert r.status_code == 202, r.text
    zone = admin.wait(r.json()["location"]).json()["inventory"]
    path = f"/v1/zones/{zone['uuid']}"
    r = client.get("/zstack" + path, headers=signed(key, "GET", path, date))
    assert r.status_code == 200 and r.json()["inventories"][0]["name"] == "by-key"
    r = client.get("/zstack" + path, headers=signed(key, "PUT", path, date))  # method is signed
    assert error(r)["code"] == "ID.1000"


def test_bad_signature_unknown_key_and_disabled_shapes(client, key):
    date = "Thu, 26 Nov 2026 18:00:00 Etc/UTC"
    good = signed(key, "GET", "/v1/zones", date)
    for auth in (good["Authorization"][:-4] + "AAA=", f"ZStack {key[0]}:{'A' * 28}",
                 good["Authorization"].replace(key[0], "UnknownKeyId00000000"),
                 good["Authorization"].replace(key[0], "bad'key;--")):
        r = client.get("/zstack/v1/zones", headers={"Authorization": auth, "Date": date})
        assert error(r)["code"] == "ID.1000", auth
    # a signature made with another date than the one sent
    h = signed(key, "GET", "/v1/zones", "Thu, 26 Nov 2026 18:00:01 Etc/UTC")
    h["Date"] = date
    assert error(client.get("/zstack/v1/zones", headers=h))["code"] == "ID.1000"


@pytest.mark.one_backend  # the Date header's rule, read before the database (key lookups: every database)
@pytest.mark.parametrize("check, date, ok", [
    (check, "Thu, 26 Nov 2026 18:14:59 Etc/UTC", True) for check in (False, True)] + [
    (check, "Thu, 26 Nov 2026 17:45:01 Etc/UTC", True) for check in (False, True)] + [
    (check, "Thu, 26 Nov 2026 18:16:00 Etc/UTC", False) for check in (False, True)] + [
    (check, "Thu, 26 Nov 2026 17:44:00 Etc/UTC", False) for check in (False, True)] + [
    (check, "Thu, 26 Nov 2025 18:00:00 Etc/UTC", False) for check in (False, True)] + [
    # the right wall-clock time in the wrong zone: the label is not read by default; 8 hours off when it is
    (False, "Thu, 26 Nov 2026 18:00:00 Asia/Shanghai", True), (True, "Thu, 26 Nov 2026 18:00:00 Asia/Shanghai", False),
    # the right instant in another zone: 8 hours off for the wall clock; right when the label is read
    (False, "Fri, 27 Nov 2026 02:00:00 Asia/Shanghai", False), (True, "Fri, 27 Nov 2026 02:00:00 Asia/Shanghai", True),
])
def test_date_skew(keyed, check, date, ok):
    client, key = keyed(check_time_zone=check)
    r = client.get("/zstack/v1/zones", headers=signed(key, "GET", "/v1/zones", date))
    if ok:
        assert r.status_code == 200, r.text
    else:
        err = error(r)
        assert err["code"] == "ID.1000" and "15 minutes" in err["details"]


@pytest.mark.one_backend  # the Date header's rule, read before the database (key lookups: every database)
@pytest.mark.parametrize("check, date", [(check, date) for check in (False, True) for date in (
    "", "yesterday", "2026-11-26T18:00:00Z", "Thu, 26 Nov 2026 18:00:00", "Thu, 31 Nov 2026 18:00:00 GMT",
    "Thu, 26 Nov 2026 18:00:00 ../../etc/passwd", "Thu, 26 Nov 2026 18:00:00 GMT+08:00 extra")] + [
    # a label the server must read (checkTimeZone) and cannot
    (True, "Thu, 26 Nov 2026 18:00:00 Mars/Base"), (True, "Thu, 26 Nov 2026 18:00:00 GMT+99:00"),
    (True, "Thu, 26 Nov 2026 18:00:00 XYZ")])
def test_malformed_date_is_400(keyed, check, date):
    client, key = keyed(check_time_zone=check)
    h = signed(key, "GET", "/v1/zones", date or "x")
    if date:
        h["Date"] = date
    else:
        del h["Date"]
    r = client.get("/zstack/v1/zones", headers=h)
    assert r.status_code == 400, r.text


# ---- the official SDKs' Date headers ------------------------------------------------------------

def test_python_sdk_date_is_local_wall_time_labelled_cst(monkeypatch):
    assert python_sdk_date(T0, "Asia/Shanghai", monkeypatch) == "Fri, 27 Nov 2026 02:00:00 CST"
    assert python_sdk_date(T0, "Etc/UTC", monkeypatch) == "Thu, 26 Nov 2026 18:00:00 CST"
    assert java_sdk_date(T0, "Asia/Shanghai") == "Fri, 27 Nov 2026 02:00:00 Asia/Shanghai"
    assert java_sdk_date(T0, "GMT+08:00") == "Fri, 27 Nov 2026 02:00:00 GMT+08:00"


# (server's ZSLITE_TIMEZONE, ZSLITE_CHECK_TIME_ZONE, the client machine's zone, SDK, accepted)
SDK_CASES = [
    # client and server in one zone: both SDKs work, whatever the label says (ZStack's default)
    ("UTC", False, "Etc/UTC", "java", True), ("UTC", False, "Etc/UTC", "python", True),
    ("Asia/Shanghai", False, "Asia/Shanghai", "java", True), ("Asia/Shanghai", False, "GMT+08:00", "java", True),
    ("Asia/Shanghai", False, "Asia/Shanghai", "python", True),
    # client in another zone: its wall clock is hours off the server's
    ("UTC", False, "Asia/Shanghai", "java", False), ("UTC", False, "Asia/Shanghai", "python", False),
    ("Asia/Shanghai", False, "Etc/UTC", "java", False), ("Asia/Shanghai", False, "Etc/UTC", "python", False),
    # checkTimeZone: the Java SDK's zone id is read, so any zone works
    ("UTC", True, "Etc/UTC", "java", True), ("UTC", True, "Asia/Shanghai", "java", True),
    ("UTC", True, "GMT+08:00", "java", True), ("UTC", True, "America/New_York", "java", True),
    ("Asia/Shanghai", True, "Etc/UTC", "java", True), ("Asia/Shanghai", True, "Asia/Shanghai", "java", True),
    # ... and "CST" means China Standard Time on a server in China: the Python SDK there works
    ("Asia/Shanghai", True, "Asia/Shanghai", "python", True),
    # elsewhere CST is US Central (as in Java), which is not what the Python SDK's clock said
    ("UTC", True, "Etc/UTC", "python", False), ("UTC", True, "Asia/Shanghai", "python", False),
    ("Asia/Shanghai", True, "Etc/UTC", "python", False),
]


@pytest.mark.one_backend  # the Date header's rule, read before the database (key lookups: every database)
@pytest.mark.parametrize("server_zone, check, client_zone, sdk, accepted", SDK_CASES)
def test_official_sdk_date_headers(keyed, clock, monkeypatch, server_zone, check, client_zone, sdk, accepted):
    client, key = keyed(timezone=server_zone, check_time_zone=check)
    for drift in (0, 14 * 60):  # at the server's time, and 14 minutes ahead
        at = clock.now() + timedelta(seconds=drift)
        date = java_sdk_date(at, client_zone) if sdk == "java" else python_sdk_date(at, client_zone, monkeypatch)
        for method, path in (("GET", "/v1/zones"), ("POST", "/v1/zones")):
            body = {"params": {"name": "by-sdk"}} if method == "POST" else None
            r = client.request(method, "/zstack" + path, json=body, headers=signed(key, method, path, date))
            if accepted:
                assert r.status_code in (200, 202), (date, r.text)
            else:
                err = error(r)
                assert err["code"] == "ID.1000" and "15 minutes" in err["details"], (date, err)


# ---- permissions --------------------------------------------------------------------------------

def test_normal_account_calling_admin_only_apis_is_id_1002(client, admin):
    admin.ok("CreateAccount", name="alice", password=ApiClient.hash("pw"))
    alice = ApiClient(client)
    alice.login("alice", "pw")
    for name, params in (("CreateZone", {"name": "z"}), ("CreateAccount", {"name": "bob", "password": "x"})):
        err = alice.fail(name, "ID.1002", **params)
        assert "admin" in err["details"]
    assert admin.query("QueryZone") == []
    assert [a["name"] for a in admin.query("QueryAccount", sort="name")] == ["admin", "alice"]


def test_normal_account_access_key_is_that_account(client, admin, clock):
    admin.ok("CreateAccount", name="alice", password=ApiClient.hash("pw"))
    alice = ApiClient(client)
    alice.login("alice", "pw")
    inv = alice.ok("CreateAccessKey")["inventory"]
    key = (inv["AccessKeyID"], inv["AccessKeySecret"])
    date = "Thu, 26 Nov 2026 18:00:00 GMT"
    r = client.get("/zstack/v1/accounts", headers=signed(key, "GET", "/v1/accounts", date))
    assert [a["name"] for a in r.json()["inventories"]] == ["alice"]
    r = client.post("/zstack/v1/zones", json={"params": {"name": "z"}}, headers=signed(key, "POST", "/v1/zones", date))
    assert error(r)["code"] == "ID.1002"
