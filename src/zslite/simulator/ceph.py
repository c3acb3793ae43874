"""Ceph monitors, as ZStack's MonUri parses them, and the fsid the simulated cluster reports.

A monitor URL is ``sshUsername:sshPassword@hostname[:sshPort][/?monPort=<port>]``. The simulated
cluster's fsid is a stable hash of the SET of monitor hostnames, lower-cased; users, passwords and
ports do not count (the same monitors are the same cluster). A ``ceph::fsid::<fsid>`` system tag
overrides it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs

from zslite.errors import InvalidArgument
from zslite.systags import tag_value

DEFAULT_SSH_PORT = 22
DEFAULT_MON_PORT = 6789
FSID_TAG = "ceph::fsid::"
# a fixed namespace: the fsid of a set of monitors never changes between releases
_FSID_NAMESPACE = uuid.UUID("6f1c1f6e-6a0b-4d4e-9a53-7a3c2b1d0e5f")
_FORMAT = "sshUsername:sshPassword@hostname[:sshPort]/?monPort=port"


@dataclass(frozen=True)
class MonUri:
    hostname: str
    ssh_username: str
    ssh_password: str
    ssh_port: int = DEFAULT_SSH_PORT
    mon_port: int = DEFAULT_MON_PORT

    def inventory(self, mon_uuid: str) -> dict:
        """The stored and returned form: never the password."""
        return {"monUuid": mon_uuid, "hostname": self.hostname, "monAddr": self.hostname,
                "monPort": self.mon_port, "sshUsername": self.ssh_username, "sshPort": self.ssh_port,
                "status": "Connected"}


def _port(raw: str, what: str, url: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise InvalidArgument(f"invalid monUrl[{url}]: {what}[{raw}] is not a port number (1-65535)")
    return int(raw)


def parse_mon_url(url: str) -> MonUri:
    """Parse one monitor URL; the password may hold '@' and ':' (split at the last '@')."""
    creds, at, rest = url.rpartition("@")
    if not at or not creds:
        raise InvalidArgument(f"invalid monUrl[{url}], the format is {_FORMAT}")
    user, _, password = creds.partition(":")
    if not user:
        raise InvalidArgument(f"invalid monUrl[{url}]: sshUsername is missing; the format is {_FORMAT}")
    location, _, query = rest.partition("?")
    location = location.rstrip("/")
    if "/" in location:
        raise InvalidArgument(f"invalid monUrl[{url}], the format is {_FORMAT}")
    host, colon, ssh_port = location.partition(":")
    if not host or any(c.isspace() for c in host):
        raise InvalidArgument(f"invalid monUrl[{url}]: hostname is missing; the format is {_FORMAT}")
    mon_port = DEFAULT_MON_PORT
    if query:
        values = parse_qs(query, keep_blank_values=True)
        unknown = sorted(set(values) - {"monPort"})
        if unknown:
            raise InvalidArgument(f"invalid monUrl[{url}]: unknown option(s) {', '.join(unknown)}; "
                                  f"the format is {_FORMAT}")
        if "monPort" in values:
            mon_port = _port(values["monPort"][-1], "monPort", url)
    return MonUri(hostname=host, ssh_username=user, ssh_password=password,
                  ssh_port=_port(ssh_port, "sshPort", url) if colon else DEFAULT_SSH_PORT, mon_port=mon_port)


def parse_mon_urls(urls: list[str]) -> list[MonUri]:
    """Parse every URL; one monitor host may appear only once (case-insensitive)."""
    mons = [parse_mon_url(u) for u in urls]
    if not mons:
        raise InvalidArgument("monUrls must name at least one monitor")
    seen: set[str] = set()
    for mon in mons:
        key = mon.hostname.lower()
        if key in seen:
            raise InvalidArgument(f"duplicate monitor hostname[{mon.hostname}] in monUrls")
        seen.add(key)
    return mons


def fsid_of(hostnames) -> str:
    """The fsid the simulated cluster behind these monitors reports: same hostnames, same fsid."""
    key = ",".join(sorted({h.lower() for h in hostnames}))
    return str(uuid.uuid5(_FSID_NAMESPACE, key))


def cluster_fsid(mons: list[MonUri], system_tags) -> str:
    """The fsid of a new Ceph storage: the ceph::fsid:: tag if given, else the monitors' fsid."""
    value = tag_value(system_tags, FSID_TAG)
    if value is None:
        return fsid_of(m.hostname for m in mons)
    if not value or len(value) > 64:
        raise InvalidArgument(f"invalid system tag[{FSID_TAG}{value}]: the fsid must be 1 to 64 characters")
    return value
