"""server/auth.py pieces: the Date header of access-key requests and the signed path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from zslite.errors import BadRequest
from zslite.server.auth import date_skew, parse_http_date, signed_path, zone_of

AT = datetime(2026, 11, 26, 18, 0, 0)  # UTC


def instant(value: str, server_zone: str = "UTC") -> datetime:
    wall, label = parse_http_date(value)
    return wall.replace(tzinfo=zone_of(label, wall, server_zone)).astimezone(UTC).replace(tzinfo=None)


@pytest.mark.parametrize("value", [
    "Thu, 26 Nov 2026 18:00:00 Etc/UTC",
    "Thu, 26 Nov 2026 18:00:00 GMT",
    "Thu, 26 Nov 2026 18:00:00 UTC",
    "Fri, 27 Nov 2026 02:00:00 Asia/Shanghai",
    "Fri, 27 Nov 2026 02:00:00 GMT+08:00",
    "Fri, 27 Nov 2026 02:00:00 GMT+0800",
    "Fri, 27 Nov 2026 02:00:00 +08:00",
    "Thu, 26 Nov 2026 13:00:00 America/New_York",
    "Thu, 26 Nov 2026 13:00:00 GMT-05:00",
    "Thu, 26 Nov 2026 13:00:00 EST",
    "Thu, 26 Nov 2026 10:00:00 PST",
    "Thu, 26 Nov 2026 12:00:00 CST",       # US Central, as in Java, on a server outside China
    "Fri, 27 Nov 2026 03:00:00 JST",
    "thu, 26 nov 2026 18:00:00 GMT",
])
def test_instants_when_the_label_is_read(value):
    assert instant(value) == AT


@pytest.mark.parametrize("server_zone, value", [
    ("Asia/Shanghai", "Fri, 27 Nov 2026 02:00:00 CST"),      # the server's own CST: China Standard Time
    ("America/Chicago", "Thu, 26 Nov 2026 12:00:00 CST"),
    ("America/Chicago", "Thu, 26 Nov 2026 13:00:00 CDT"),    # not Chicago's name in November: the table's
    ("Europe/London", "Thu, 26 Nov 2026 18:00:00 GMT"),
    ("Asia/Kolkata", "Thu, 26 Nov 2026 23:30:00 IST"),
])
def test_an_abbreviation_is_first_the_server_zones_own(server_zone, value):
    assert instant(value, server_zone) == AT


def test_the_wall_clock_rule_ignores_the_label():
    def skew(value, zone="UTC", check=False):
        return date_skew(value, SimpleNamespace(timezone=zone, check_time_zone=check), AT)

    assert skew("Thu, 26 Nov 2026 18:00:00 CST") == timedelta(0)
    assert skew("Thu, 26 Nov 2026 18:00:00 Anything/AtAll") == timedelta(0)
    assert skew("Fri, 27 Nov 2026 02:00:00 CST", "Asia/Shanghai") == timedelta(0)
    assert skew("Fri, 27 Nov 2026 02:00:00 Asia/Shanghai") == timedelta(hours=8)
    assert skew("Fri, 27 Nov 2026 02:00:00 Asia/Shanghai", check=True) == timedelta(0)
    assert skew("Thu, 26 Nov 2026 18:00:00 CST", check=True) == timedelta(hours=6)


@pytest.mark.parametrize("value", [
    "", "yesterday", "2026-11-26T18:00:00Z", "Thu, 26 Nov 2026 18:00:00", "Thu, 26 Foo 2026 18:00:00 GMT",
    "Thu, 31 Nov 2026 18:00:00 GMT", "Thu, 26 Nov 2026 25:00:00 GMT", "Thu, 26 Nov 2026 18:00:00 ../../etc/passwd",
    "Thu, 26 Nov 2026 1٨:00:00 GMT", "Thu, 26 Nov 2026 18:00:00 GMT extra",
])
def test_malformed_dates_are_bad_requests(value):
    with pytest.raises(BadRequest):
        parse_http_date(value)


@pytest.mark.parametrize("label", ["Mars/Olympus", "GMT+99:00", "XYZ", "Etc/Nowhere"])
def test_unknown_zones_are_bad_requests_when_read(label):
    with pytest.raises(BadRequest):
        zone_of(label, AT, "UTC")


@pytest.mark.parametrize("path, signed", [
    ("/zstack/v1/zones", "/v1/zones"),
    ("/v1/zones", "/v1/zones"),
    ("/zstack/v1/zones/abc/actions", "/v1/zones/abc/actions"),
    ("/v1", "/v1"),
])
def test_signed_path(path, signed):
    assert signed_path(path) == signed
