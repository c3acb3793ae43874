"""What the simulated agents report when a host, primary or backup storage is added.

Adding a host, primary or backup storage "connects" its agent at once: status Connected, with the
capacities below unless a creation system tag overrides them (capacity::cpu::<n>,
capacity::memory::<bytes>, capacity::total::<bytes>).
"""

from __future__ import annotations

from dataclasses import dataclass

from zslite.errors import InvalidArgument
from zslite.systags import tag_value

GIB = 1024**3
TIB = 1024**4
HOST_CPU = 64
HOST_MEMORY = 256 * GIB
STORAGE_TOTAL = 10 * TIB
CONNECTED = "Connected"
STATUSES = ("Connected", "Disconnected", "Connecting")

CPU_TAG = "capacity::cpu::"
MEMORY_TAG = "capacity::memory::"
TOTAL_TAG = "capacity::total::"


def _positive(tags, prefix: str, default: int) -> int:
    raw = tag_value(tags, prefix)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) <= 0 or int(raw) >= 2**63:
        raise InvalidArgument(f"invalid system tag[{prefix}{raw}]: expected {prefix}<positive integer>")
    return int(raw)


@dataclass(frozen=True)
class HostFacts:
    status: str
    cpu: int
    memory: int


def connect_host(system_tags) -> HostFacts:
    return HostFacts(CONNECTED, _positive(system_tags, CPU_TAG, HOST_CPU),
                     _positive(system_tags, MEMORY_TAG, HOST_MEMORY))


@dataclass(frozen=True)
class StorageFacts:
    status: str
    total: int


def connect_storage(system_tags) -> StorageFacts:
    return StorageFacts(CONNECTED, _positive(system_tags, TOTAL_TAG, STORAGE_TOTAL))
