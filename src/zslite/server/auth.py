"""The Authorization header: "OAuth <session>" or "ZStack <accessKeyId>:<signature>" + Date."""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zslite import security
from zslite.errors import AuthenticationFailed, BadRequest, InvalidSession
from zslite.ids import UUID_RE
from zslite.services import accounts
from zslite.context import Caller

MAX_SKEW = timedelta(minutes=15)
_KEY_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")
_DATE = re.compile(r"^[A-Za-z]{3}, (\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (\S+)$")
_OFFSET = re.compile(r"^(?:GMT|UTC)?([+-])(\d{1,2})(?::?(\d{2}))?$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def parse_http_date(value: str) -> datetime:
    """'EEE, dd MMM yyyy HH:mm:ss <zone>' with an IANA zone, GMT, or GMT+08:00 → naive UTC."""
    m = _DATE.match(value.strip())
    if not m:
        raise BadRequest(f"malformed Date header [{value}]: expected 'EEE, dd MMM yyyy HH:mm:ss <zone>'")
    day, mon, year, hh, mm, ss, zone = m.groups()
    if mon.lower() not in _MONTHS:
        raise BadRequest(f"malformed Date header [{value}]: unknown month")
    if zone in ("GMT", "UTC", "Z", "UT"):
        tz = UTC
    elif (o := _OFFSET.match(zone)):
        sign = 1 if o.group(1) == "+" else -1
        try:
            tz = timezone(sign * timedelta(hours=int(o.group(2)), minutes=int(o.group(3) or 0)))
        except ValueError:  # an offset of a day or more
            raise BadRequest(f"malformed Date header [{value}]: bad offset [{zone}]") from None
    else:
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadRequest(f"malformed Date header [{value}]: unknown time zone [{zone}]") from None
    try:
        local = datetime(int(year), _MONTHS.index(mon.lower()) + 1, int(day), int(hh), int(mm), int(ss), tzinfo=tz)
    except ValueError:
        raise BadRequest(f"malformed Date header [{value}]") from None
    return local.astimezone(UTC).replace(tzinfo=None)


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
        when = parse_http_date(date)
        if abs(clock.now() - when) > MAX_SKEW:
            raise AuthenticationFailed(f"the Date header [{date}] is more than 15 minutes off the server's clock")
        caller, secret = accounts.caller_from_access_key(database, settings, key_id, cache)
        expected = security.sign(secret, method, date, signed_path(path))
        if not hmac.compare_digest(expected, signature):
            raise AuthenticationFailed(f"the signature of access key[{key_id}] does not match the request")
        return caller
    raise BadRequest(f"unsupported Authorization scheme [{scheme}]: use OAuth or ZStack")
