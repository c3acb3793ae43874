"""wire/dates.py: ZStack's "Jan 6, 2017 3:51:16 AM" output and lenient input."""

from __future__ import annotations

from datetime import datetime

import pytest

from zslite.wire.dates import format_date, parse_date


@pytest.mark.parametrize("utc, tz, text", [
    (datetime(2017, 1, 6, 3, 51, 16), "UTC", "Jan 6, 2017 3:51:16 AM"),
    (datetime(2017, 1, 6, 0, 0, 0), "UTC", "Jan 6, 2017 12:00:00 AM"),      # midnight is 12 AM
    (datetime(2017, 1, 6, 0, 59, 59), "UTC", "Jan 6, 2017 12:59:59 AM"),
    (datetime(2017, 1, 6, 12, 0, 0), "UTC", "Jan 6, 2017 12:00:00 PM"),     # noon is 12 PM
    (datetime(2017, 1, 6, 11, 59, 59), "UTC", "Jan 6, 2017 11:59:59 AM"),
    (datetime(2017, 1, 6, 13, 5, 9), "UTC", "Jan 6, 2017 1:05:09 PM"),
    (datetime(2017, 12, 31, 23, 59, 59), "UTC", "Dec 31, 2017 11:59:59 PM"),
    (datetime(2017, 1, 6, 3, 51, 16), "Asia/Shanghai", "Jan 6, 2017 11:51:16 AM"),
    (datetime(2017, 1, 6, 20, 0, 0), "Asia/Shanghai", "Jan 7, 2017 4:00:00 AM"),   # crosses the date
    (datetime(2017, 7, 1, 12, 0, 0), "America/New_York", "Jul 1, 2017 8:00:00 AM"),  # summer time
    (datetime(2017, 1, 1, 12, 0, 0), "America/New_York", "Jan 1, 2017 7:00:00 AM"),
])
def test_format_and_parse_back(utc, tz, text):
    assert format_date(utc, tz) == text
    assert parse_date(text, tz) == utc


def test_format_none_is_none():
    assert format_date(None) is None


@pytest.mark.parametrize("text, utc", [
    ("2017-01-06T03:51:16Z", datetime(2017, 1, 6, 3, 51, 16)),
    ("2017-01-06T03:51:16+00:00", datetime(2017, 1, 6, 3, 51, 16)),
    ("2017-01-06T11:51:16+08:00", datetime(2017, 1, 6, 3, 51, 16)),
    ("2017-01-06T03:51:16.789Z", datetime(2017, 1, 6, 3, 51, 16)),
    ("2017-01-06", datetime(2017, 1, 6)),
    ("  2017-01-06T03:51:16Z ", datetime(2017, 1, 6, 3, 51, 16)),
])
def test_iso_input(text, utc):
    assert parse_date(text) == utc


def test_zone_less_iso_input_is_in_the_server_zone():
    assert parse_date("2017-01-06T11:51:16", "Asia/Shanghai") == datetime(2017, 1, 6, 3, 51, 16)
    assert parse_date("2017-01-06T11:51:16") == datetime(2017, 1, 6, 11, 51, 16)


@pytest.mark.parametrize("text", [
    "", "yesterday", "Foo 6, 2017 3:51:16 AM", "Jan 6, 2017 13:51:16 PM", "Jan 6, 2017 0:51:16 AM",
    "Jan 32, 2017 3:51:16 AM", "2017-13-01", "0001-01-01T00:00:00+01:00", "2017-01-06T03:51:16Zjunk",
])
def test_bad_input_raises_value_error(text):
    with pytest.raises(ValueError):
        parse_date(text)
