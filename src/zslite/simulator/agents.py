"""What the simulated agents report, and the admin-only switch that drives their status.

Adding a host, primary or backup storage "connects" its agent at once: status Connected, with the
capacities below unless a creation system tag overrides them (capacity::cpu::<n>,
capacity::memory::<bytes>, capacity::total::<bytes>).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from zslite.db.models import BackupStorage, Host, PrimaryStorage
from zslite.errors import InvalidArgument, not_found
from zslite.services.common import tag_value
from zslite.services.context import Ctx

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


# ---- SetSimulatorResourceStatus ---------------------------------------------------------------

SIMULATED = ((Host, "host"), (PrimaryStorage, "primaryStorage"), (BackupStorage, "backupStorage"))


def set_status(ctx: Ctx, p):
    """Set the agent-side status of a host, primary or backup storage (admin only)."""
    from zslite.services import backup_storage, hosts, primary_storage
    loaders = {Host: hosts.inventory_of, PrimaryStorage: primary_storage.inventory_of,
               BackupStorage: backup_storage.inventory_of}
    for model, _kind in SIMULATED:
        row = ctx.db.get(model, p.uuid)
        if row is None:
            continue
        if row.status != p.status:
            ctx.db.execute(update(model).where(model.uuid == row.uuid)
                           .values(status=p.status, last_op_date=ctx.now())
                           .execution_options(synchronize_session=False))
            ctx.db.refresh(row)
        return loaders[model](ctx, row)
    raise not_found("uuid", p.uuid)
