"""Access-key Date headers of ZStack's official SDKs through a real `zslite serve`, configured by its
environment: ZSLITE_TIMEZONE (the server's wall clock) and ZSLITE_CHECK_TIME_ZONE (SPEC §2)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support import java_sdk_date, python_sdk_date
from zslite import security
from zslite.testing import poll


def call(server, key, date: str):
    key_id, secret = key
    with server.client() as c:
        return c.get("/zstack/v1/zones", headers={
            "Authorization": f"ZStack {key_id}:{security.sign(secret, 'GET', date, '/v1/zones')}", "date": date})


def test_sdk_dates_against_a_server_in_shanghai(live, monkeypatch):
    server = live("node-tz", ZSLITE_TIMEZONE="Asia/Shanghai")
    with server.client() as c:
        r = c.post("/zstack/v1/accesskeys", json={"params": {}}, headers=server.login(c))
        inv = poll(c, r.json()["location"]).json()["inventory"]
    key = (inv["AccessKeyID"], inv["AccessKeySecret"])

    def dates():
        now = datetime.now(UTC).replace(tzinfo=None)
        return {"python in Shanghai": python_sdk_date(now, "Asia/Shanghai", monkeypatch),
                "java in Shanghai": java_sdk_date(now, "Asia/Shanghai"),
                "java in UTC": java_sdk_date(now, "Etc/UTC"),
                "python in UTC": python_sdk_date(now, "Etc/UTC", monkeypatch)}

    # ZStack's default: the wall clocks are compared; a client in the server's zone works, whatever its label
    got = {who: call(server, key, date).status_code for who, date in dates().items()}
    assert got == {"python in Shanghai": 200, "java in Shanghai": 200, "java in UTC": 503, "python in UTC": 503}

    # checkTimeZone: the instants are compared; CST is the server's own zone's (China Standard Time)
    server.stop()
    server.start(ZSLITE_CHECK_TIME_ZONE="true")
    got = {who: call(server, key, date).status_code for who, date in dates().items()}
    assert got == {"python in Shanghai": 200, "java in Shanghai": 200, "java in UTC": 200, "python in UTC": 503}
    assert call(server, key, java_sdk_date(datetime.now(UTC).replace(tzinfo=None), "Etc/UTC")
                .replace("Etc/UTC", "Mars/Base")).status_code == 400
