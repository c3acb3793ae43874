"""The credential cache (services.accounts.CredentialCache): what a session or an access key resolves
to is kept at most 1 s in a node's memory (SPEC §9: a logout, an expiry, a disabled key or a deleted
account takes effect on every node within 1 s). Each test changes the database behind the node's
back, as another node would, and checks the cache is used (the old answer still comes within the
time to live) and then dropped (the new answer after it). Time is injected: a fixed wall clock and a
hand-moved monotonic clock for the cache."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete, update
from starlette.testclient import TestClient

from zslite import security
from zslite.clock import FixedClock
from zslite.db.models import AccessKey, Account, Session
from zslite.server.app import create_app
from zslite.services.accounts import CredentialCache
from tests.support import ApiClient

T0 = datetime(2026, 11, 29, 12, 0, 0)


class Ticks:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks():
    return Ticks()


@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def client(settings, database, clock, ticks):
    app = create_app(settings, database=database, clock=clock)
    app.state.zs.credentials = CredentialCache(1.0, monotonic=ticks)
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def tenant(client):
    admin = ApiClient(client)
    admin.login("admin", "password")
    account = admin.ok("CreateAccount", name="carol", password=ApiClient.hash("carol-pw"))["inventory"]
    carol = ApiClient(client)
    carol.login("carol", "carol-pw")
    carol.account_uuid = account["uuid"]
    return carol


def zones(api: ApiClient):
    return api.request("GET", "/zstack/v1/zones")


def code(r) -> str:
    assert r.status_code == 503, r.text
    return r.json()["error"]["code"]


def test_a_logout_through_this_node_takes_effect_at_once(tenant):
    assert zones(tenant).status_code == 200  # cached now
    session = tenant.session
    assert tenant.request("DELETE", f"/zstack/v1/accounts/sessions/{session}").status_code == 200
    assert code(zones(tenant)) == "ID.1001"


def test_a_logout_through_another_node_takes_effect_within_the_time_to_live(tenant, database, ticks):
    assert zones(tenant).status_code == 200
    with database.write() as s:  # another node's LogOut
        s.execute(delete(Session).where(Session.uuid == tenant.session))
    ticks.now += 0.99
    assert zones(tenant).status_code == 200  # still the cached answer: the cache is in use
    ticks.now += 0.02
    assert code(zones(tenant)) == "ID.1001"


def test_an_idle_expiry_is_never_hidden_by_the_cache(tenant, clock, settings):
    assert zones(tenant).status_code == 200
    clock.advance(settings.session_timeout + 1)  # the cache entry is young; the session is not
    assert code(zones(tenant)) == "ID.1001"


def test_uses_served_by_the_cache_still_keep_the_session_alive(tenant, clock, settings, ticks):
    for _ in range(4):  # idle periods of 90% of the timeout, each ended by a use
        clock.advance(settings.session_timeout * 0.9)
        ticks.now += 0.5
        assert zones(tenant).status_code == 200


def test_a_deleted_account_is_refused_within_the_time_to_live(tenant, database, ticks):
    assert zones(tenant).status_code == 200
    with database.write() as s:
        s.execute(delete(Session).where(Session.account_uuid == tenant.account_uuid))
        s.execute(delete(Account).where(Account.uuid == tenant.account_uuid))
    assert zones(tenant).status_code == 200  # cached
    ticks.now += 1.01
    assert code(zones(tenant)) == "ID.1001"


def _signed(client, key: dict, clock):
    date = clock.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    signature = security.sign(key["AccessKeySecret"], "GET", date, "/v1/zones")
    return client.get("/zstack/v1/zones", headers={"Authorization": f"ZStack {key['AccessKeyID']}:{signature}",
                                                    "Date": date})


@pytest.mark.parametrize("change", ["disable", "delete"])
def test_a_disabled_or_deleted_access_key_is_refused_within_the_time_to_live(client, tenant, database, clock,
                                                                            ticks, change):
    key = tenant.ok("CreateAccessKey")["inventory"]
    assert _signed(client, key, clock).status_code == 200
    with database.write() as s:
        rows = AccessKey.__table__
        if change == "disable":
            s.execute(update(rows).where(rows.c.key_id == key["AccessKeyID"]).values(state="Disabled"))
        else:
            s.execute(delete(rows).where(rows.c.key_id == key["AccessKeyID"]))
    assert _signed(client, key, clock).status_code == 200  # cached
    ticks.now += 1.01
    r = _signed(client, key, clock)
    assert code(r) == "ID.1000", r.text


def test_a_cache_of_zero_seconds_asks_the_database_every_time(settings, database, clock):
    app = create_app(settings.model_copy(update={"session_cache_seconds": 0}), database=database, clock=clock)
    with TestClient(app, base_url="http://testserver") as c:
        admin = ApiClient(c)
        admin.login("admin", "password")
        assert zones(admin).status_code == 200
        with database.write() as s:
            s.execute(delete(Session).where(Session.uuid == admin.session))
        assert code(zones(admin)) == "ID.1001"


def test_the_time_to_live_cannot_exceed_one_second():
    from pydantic import ValidationError

    from zslite.config import Settings
    with pytest.raises(ValidationError):
        Settings(session_cache_seconds=1.5)


def test_the_cache_stays_bounded(ticks):
    cache = CredentialCache(1.0, monotonic=ticks)
    for n in range(CredentialCache.MAX_ENTRIES + 50):
        cache.put(("session", n), n)
    assert len(cache._entries) <= CredentialCache.MAX_ENTRIES
    assert cache.get(("session", CredentialCache.MAX_ENTRIES + 49)) == CredentialCache.MAX_ENTRIES + 49
