"""server/auth.py pieces: the Date header of access-key requests and the signed path."""

from __future__ import annotations

from datetime import datetime

import pytest

from zslite.errors import BadRequest
from zslite.server.auth import parse_http_date, signed_path

AT = datetime(2026, 11, 26, 18, 0, 0)


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
    "thu, 26 nov 2026 18:00:00 GMT",
])
def test_formats(value):
    assert parse_http_date(value) == AT


@pytest.mark.parametrize("value", [
    "", "yesterday", "2026-11-26T18:00:00Z", "Thu, 26 Nov 2026 18:00:00", "Thu, 26 Foo 2026 18:00:00 GMT",
    "Thu, 31 Nov 2026 18:00:00 GMT", "Thu, 26 Nov 2026 25:00:00 GMT", "Thu, 26 Nov 2026 18:00:00 Mars/Olympus",
    "Thu, 26 Nov 2026 18:00:00 GMT+99:00", "Thu, 26 Nov 2026 18:00:00 ../../etc/passwd",
])
def test_malformed_dates_are_bad_requests(value):
    with pytest.raises(BadRequest):
        parse_http_date(value)


@pytest.mark.parametrize("path, signed", [
    ("/zstack/v1/zones", "/v1/zones"),
    ("/v1/zones", "/v1/zones"),
    ("/zstack/v1/zones/abc/actions", "/v1/zones/abc/actions"),
    ("/v1", "/v1"),
])
def test_signed_path(path, signed):
    assert signed_path(path) == signed
