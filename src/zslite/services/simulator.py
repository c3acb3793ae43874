"""SetSimulatorResourceStatus: the admin-only switch that drives what a simulated agent reports."""

from __future__ import annotations

from sqlalchemy import update

from zslite.context import Ctx
from zslite.db.models import BackupStorage, Host, PrimaryStorage
from zslite.errors import not_found
from zslite.services import backup_storage, hosts, primary_storage

LOADERS = ((Host, hosts.inventory_of), (PrimaryStorage, primary_storage.inventory_of),
           (BackupStorage, backup_storage.inventory_of))


def set_status(ctx: Ctx, p):
    """Set the agent-side status of a host, primary or backup storage (admin only)."""
    for model, inventory_of in LOADERS:
        row = ctx.db.get(model, p.uuid)
        if row is None:
            continue
        if row.status != p.status:
            ctx.db.execute(update(model).where(model.uuid == row.uuid)
                           .values(status=p.status, last_op_date=ctx.now())
                           .execution_options(synchronize_session=False))
            ctx.db.refresh(row)
        return inventory_of(ctx, row)
    raise not_found("uuid", p.uuid)
