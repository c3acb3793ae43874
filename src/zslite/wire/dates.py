"""ZStack's timestamp format: "Jan 6, 2017 3:51:16 AM" (Java's DateFormat MEDIUM, en_US)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UTC_NAMES = frozenset({"UTC", "Etc/UTC"})
_ZSTACK_RE = re.compile(r"^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$")


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def format_date(value: datetime | None, tz: str = "UTC") -> str | None:
    """Render a naive-UTC datetime in the server's time zone."""
    if value is None:
        return None
    # stored values are naive UTC: in UTC (the default) there is nothing to convert, and the time-zone
    # round trip was most of the cost of a date (bench/notes.md)
    local = value if tz in _UTC_NAMES else value.replace(tzinfo=UTC).astimezone(zone(tz))
    hour = local.hour % 12 or 12
    ampm = "AM" if local.hour < 12 else "PM"
    return f"{MONTHS[local.month - 1]} {local.day}, {local.year} {hour}:{local.minute:02d}:{local.second:02d} {ampm}"


def parse_date(value: str, tz: str = "UTC") -> datetime:
    """Accept ISO-8601 (with or without zone) or ZStack's own format; return naive UTC."""
    value = value.strip()
    m = _ZSTACK_RE.match(value)
    if m:
        mon, day, year, hour, minute, second, ampm = m.groups()
        if mon not in MONTHS:
            raise ValueError(f"unknown month {mon!r}")
        if not 1 <= int(hour) <= 12:
            raise ValueError(f"hour {hour} out of 1..12 in a 12-hour time")
        h = int(hour) % 12 + (12 if ampm == "PM" else 0)
        local = datetime(int(year), MONTHS.index(mon) + 1, int(day), h, int(minute), int(second), tzinfo=zone(tz))
        return _to_utc(local)
    parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(tz))
    return _to_utc(parsed)


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00: before year 1 in UTC
        raise ValueError(f"date {value.isoformat()} is out of range") from None
