"""The simulated Ceph fsid and monitor-URL parsing (no database)."""

from __future__ import annotations

import pytest

from zslite.errors import InvalidArgument
from zslite.simulator.ceph import cluster_fsid, fsid_of, parse_mon_url, parse_mon_urls

A = ["root:pw1@mon1.example:22/?monPort=6789", "root:pw2@mon2.example"]
SAME = [
    ["root:pw2@mon2.example", "root:pw1@mon1.example"],                       # order
    ["root:pw1@MON1.Example", "root:pw2@Mon2.EXAMPLE"],                       # case
    ["admin:other@mon1.example", "ceph:secret@mon2.example"],                 # credentials
    ["root:pw@mon1.example:2222/?monPort=7000", "root:pw@mon2.example:23"],   # ports
]


def fsid(urls, tags=None):
    return cluster_fsid(parse_mon_urls(urls), tags)


@pytest.mark.parametrize("urls", SAME)
def test_same_monitors_same_fsid(urls):
    assert fsid(urls) == fsid(A)


def test_different_monitors_different_fsid():
    assert fsid(["root:pw@mon1.example"]) != fsid(A)
    assert fsid(A + ["root:pw@mon3.example"]) != fsid(A)


def test_fsid_is_stable_and_uuid_shaped():
    value = fsid_of(["mon1.example", "mon2.example"])
    assert value == fsid(A) == fsid_of(["MON2.example", "mon1.EXAMPLE", "mon1.example"])
    assert len(value) == 36 and value.count("-") == 4
    assert value == "248d05a6-1f4c-5550-87fe-0da81d23b470"  # pinned: a release must not move existing clusters' fsids


def test_tag_overrides_fsid():
    assert fsid(A, ["other::tag", "ceph::fsid::0a0b"]) == "0a0b"
    with pytest.raises(InvalidArgument):
        fsid(A, ["ceph::fsid::"])


def test_parse_mon_url():
    mon = parse_mon_url("user:p@ss:w@rd@host.example:2200/?monPort=6800")
    assert (mon.ssh_username, mon.ssh_password, mon.hostname, mon.ssh_port, mon.mon_port) == (
        "user", "p@ss:w@rd", "host.example", 2200, 6800)
    mon = parse_mon_url("root:pw@10.0.0.1")
    assert (mon.hostname, mon.ssh_port, mon.mon_port) == ("10.0.0.1", 22, 6789)
    inv = mon.inventory("m" * 32)
    assert "pw" not in str(inv.values()) and inv["hostname"] == "10.0.0.1" and inv["monUuid"] == "m" * 32


@pytest.mark.parametrize("bad", ["host-only", "@host", ":pw@host", "root:pw@", "root:pw@host:0",
                                 "root:pw@host:http", "root:pw@host/?monPort=99999", "root:pw@host/?pool=x",
                                 "root:pw@host/path"])
def test_bad_mon_urls(bad):
    with pytest.raises(InvalidArgument) as exc:
        parse_mon_url(bad)
    assert bad in exc.value.details


def test_duplicate_and_empty_monitor_lists():
    with pytest.raises(InvalidArgument, match="duplicate"):
        parse_mon_urls(["a:b@mon1", "c:d@MON1:23"])
    with pytest.raises(InvalidArgument):
        parse_mon_urls([])
