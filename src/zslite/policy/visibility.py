"""What a caller may see, as SQL filters (so invisible resources are simply absent).

Three kinds of resource:
- PUBLIC_READ (zones, clusters, instance offerings): every account reads them;
- ADMIN_ONLY (hosts, primary and backup storage, accounts' internals): normal accounts see none;
- OWNED (images, VMs, volumes, ...): the owner, the accounts it is shared with, everyone if public.
Admin sees everything.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from zslite.db.models import AccountResourceRef, SharedResource
from zslite.context import Caller


def owned_by(caller: Caller, uuid_col) -> ColumnElement[bool]:
    return exists(select(AccountResourceRef.resource_uuid).where(
        AccountResourceRef.resource_uuid == uuid_col, AccountResourceRef.account_uuid == caller.account_uuid))


def shared_with(caller: Caller, uuid_col) -> ColumnElement[bool]:
    return or_(
        exists(select(SharedResource.id).where(SharedResource.resource_uuid == uuid_col,
                                               SharedResource.receiver_account_uuid == caller.account_uuid)),
        exists(select(SharedResource.id).where(SharedResource.resource_uuid == uuid_col,
                                               SharedResource.to_public == true())),
    )


def owned_filter(caller: Caller, uuid_col) -> ColumnElement[bool] | None:
    """None means no filter (admin)."""
    if caller.is_admin:
        return None
    return or_(owned_by(caller, uuid_col), shared_with(caller, uuid_col))


def admin_only_filter(caller: Caller, uuid_col) -> ColumnElement[bool] | None:
    return None if caller.is_admin else false()


def public_filter(caller: Caller, uuid_col) -> ColumnElement[bool] | None:
    return None
