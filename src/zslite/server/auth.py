"""The Authorization header: "OAuth <session>" or "ZStack <accessKeyId>:<signature>" + Date."""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zslite import security
from zslite.errors import AuthenticationFailed, BadRequest, InvalidSession
from zslite.ids import UUID_RE
from zslite.services import accounts
from zslite.context import Caller

MAX_SKEW = timedelta(minutes=15)
_KEY_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")
_DATE = re.compile(r"^[A-Za-z]{3}, (\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([A-Za-z0-9_/+\-:]{1,64})$",
                   re.ASCII)
_OFFSET = re.compile(r"^(?:GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$", re.ASCII)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_UTC_LABELS = frozenset({"GMT", "UTC", "UT", "Z"})
# Zone abbreviations a Date may carry, as fixed offsets (the standard or summer time they name).
# The server's own zone comes first: "CST" is China Standard Time on a server in Asia/Shanghai (what
# the upstream Python SDK means there), US Central on one in America/Chicago, and this table's entry
# (US Central, as in Java) elsewhere. Java's SimpleDateFormat also tries its own zone's names first.
ABBREVIATIONS = {
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "EET": 2,
    "EEST": 3, "MSK": 3, "IST": 5.5, "HKT": 8, "SGT": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
}


def parse_http_date(value: str) -> tuple[datetime, str]:
    """'EEE, dd MMM yyyy HH:mm:ss <zone>' → (the wall-clock time as written, naive; the zone label)."""
    m = _DATE.match(value.strip())
    if not m:
        raise BadRequest(f"malformed Date header [{value}]: expected 'EEE, dd MMM yyyy HH:mm:ss <zone>'")
    day, mon, year, hh, mm, ss, zone = m.groups()
    if mon.lower() not in _MONTHS:
        raise BadRequest(f"malformed Date header [{value}]: unknown month")
    try:
        wall = datetime(int(year), _MONTHS.index(mon.lower()) + 1, int(day), int(hh), int(mm), int(ss))
    except ValueError:
        raise BadRequest(f"malformed Date header [{value}]") from None
    return wall, zone


def zone_of(label: str, wall: datetime, server_zone: str) -> tzinfo:
    """The zone a Date's label names (ZSLITE_CHECK_TIME_ZONE=true): GMT/UTC, an offset (GMT+08:00, +0800),
    an IANA id, the server zone's own abbreviation at that time, or a common abbreviation."""
    if label in _UTC_LABELS:
        return UTC
    if (o := _OFFSET.match(label)):
        sign = 1 if o.group(1) == "+" else -1
        try:
            return timezone(sign * timedelta(hours=int(o.group(2)), minutes=int(o.group(3) or 0)))
        except ValueError:  # an offset of a day or more
            raise BadRequest(f"malformed Date header: bad offset [{label}]") from None
    server = ZoneInfo(server_zone)
    if label.isalpha() and label in {wall.replace(tzinfo=server, fold=f).tzname() for f in (0, 1)}:
        return server
    if label in ABBREVIATIONS:
        return timezone(timedelta(hours=ABBREVIATIONS[label]), label)
    try:
        return ZoneInfo(label)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(f"malformed Date header: unknown time zone [{label}]") from None


def date_skew(value: str, settings, now: datetime) -> timedelta:
    """How far the Date header is from the server's clock (now: naive UTC). As ZStack (global config
    checkTimeZone, default false): the Date's wall-clock time against the server's wall clock in
    ZSLITE_TIMEZONE, its zone label not interpreted; with ZSLITE_CHECK_TIME_ZONE=true, the instants."""
    wall, label = parse_http_date(value)
    if settings.check_time_zone:
        try:
            instant = wall.replace(tzinfo=zone_of(label, wall, settings.timezone)).astimezone(UTC)
        except OverflowError:
            raise BadRequest(f"malformed Date header [{value}]: out of range") from None
        return abs(instant.replace(tzinfo=None) - now)
    server_wall = now.replace(tzinfo=UTC).astimezone(ZoneInfo(settings.timezone)).replace(tzinfo=None)
    return abs(wall - server_wall)


def signed_path(path: str) -> str:
    """The path as the signature covers it: '/v1' + the path without any context path."""
    for prefix in ("/zstack/v1", "/v1"):
        if path.startswith(prefix + "/") or path == prefix:
            return "/v1" + path[len(prefix):]
    return path


def authenticate(database, settings, clock, headers, method: str, path: str, cache=None) -> Caller:
    auth = headers.get("authorization")
    if not auth:
        raise BadRequest("missing the Authorization header: use 'OAuth <sessionUuid>' or "
                         "'ZStack <accessKeyId>:<signature>'")
    scheme, _, credential = auth.strip().partition(" ")
    credential = credential.strip()
    if scheme == "OAuth":
        if not credential:
            raise BadRequest("malformed Authorization header: no session uuid after OAuth")
        if not UUID_RE.match(credential):  # not a session uuid: no need to ask the database
            raise InvalidSession("the session is invalid or has expired; log in again")
        return accounts.caller_from_session(database, settings, clock, credential, cache)
    if scheme == "ZStack":
        key_id, sep, signature = credential.partition(":")
        if not sep or not key_id or not signature:
            raise BadRequest("malformed Authorization header: expected 'ZStack <accessKeyId>:<signature>'")
        if not _KEY_ID.match(key_id):
            raise AuthenticationFailed("access key is not found or disabled")
        date = headers.get("date")
        if not date:
            raise BadRequest("an access-key signature needs a Date header")
        if date_skew(date, settings, clock.now()) > MAX_SKEW:
            raise AuthenticationFailed(f"the Date header [{date}] is more than 15 minutes off the server's clock")
        caller, secret = accounts.caller_from_access_key(database, settings, key_id, cache)
        expected = security.sign(secret, method, date, signed_path(path))
        if not hmac.compare_digest(expected, signature):
            raise AuthenticationFailed(f"the signature of access key[{key_id}] does not match the request")
        return caller
    raise BadRequest(f"unsupported Authorization scheme [{scheme}]: use OAuth or ZStack")
