"""Helpers every resource service uses: ownership, tags, visible lookups, state compare-and-set."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache

from sqlalchemy import bindparam, select, update

from zslite.db.models import AccountResourceRef, Tag
from zslite.db.records import records
from zslite.errors import OperationError, PermissionDenied, not_found
from zslite.rules.states import next_state
from zslite.context import Ctx


def add_owner(ctx: Ctx, resource_uuid: str, resource_type: str, account_uuid: str | None = None) -> None:
    ctx.db.add(AccountResourceRef(resource_uuid=resource_uuid, resource_type=resource_type,
                                  account_uuid=account_uuid or ctx.caller.account_uuid, create_date=ctx.now()))


def owner_of(ctx: Ctx, resource_uuid: str) -> str | None:
    return ctx.db.scalar(select(AccountResourceRef.account_uuid)
                         .where(AccountResourceRef.resource_uuid == resource_uuid))


def ownership_error(caller, owner: str | None, resource_uuid: str, what: str) -> PermissionDenied | None:
    """ID.1002 for a write by a caller (not admin) who sees the resource but does not own it."""
    if caller.is_admin or owner == caller.account_uuid:
        return None
    return PermissionDenied(f"account[uuid:{caller.account_uuid}] does not own {what}[uuid:{resource_uuid}]")


def require_owner(ctx: Ctx, resource_uuid: str, what: str) -> None:
    """A write on a resource the caller sees but does not own: ID.1002."""
    if ctx.caller.is_admin:
        return
    err = ownership_error(ctx.caller, owner_of(ctx, resource_uuid), resource_uuid, what)
    if err is not None:
        raise err


def add_tags(ctx: Ctx, resource_uuid: str, resource_type: str, system_tags, user_tags) -> None:
    now = ctx.now()
    for kind, tags in (("System", system_tags), ("User", user_tags)):
        for tag in tags or ():
            ctx.db.add(Tag(uuid=ctx.new_uuid(), kind=kind, resource_uuid=resource_uuid, resource_type=resource_type,
                           tag=tag, inherent=False, type=kind, create_date=now, last_op_date=now))


def get_visible(ctx: Ctx, model, uuid: str, field: str,
                visibility: Callable | None = None, *, for_update: bool = False):
    """Load a row the caller may see, or answer SYS.1007 not found (same answer as an unknown uuid)."""
    stmt = select(model).where(model.uuid == uuid)
    if visibility is not None:
        cond = visibility(ctx.caller, model)
        if cond is not None:
            stmt = stmt.where(cond)
    if for_update:
        stmt = stmt.with_for_update()
    row = ctx.db.scalar(stmt)
    if row is None:
        raise not_found(field, uuid)
    return row


def set_state(ctx: Ctx, model, row, kind: str, event: str, column: str = "state") -> None:
    """Apply a state event through the transition table, saved as compare-and-set."""
    current = getattr(row, column)
    target = next_state(kind, row.uuid, current, event)
    if target == current:
        return
    result = ctx.db.execute(update(model).where(model.uuid == row.uuid, getattr(model, column) == current)
                            .values({column: target, "last_op_date": ctx.now()}))
    if result.rowcount != 1:
        raise OperationError(f"{kind}[uuid:{row.uuid}] changed state concurrently; try again")
    ctx.db.refresh(row)


def count_rows(ctx: Ctx, model, *where) -> int:
    """SELECT count(*) FROM model WHERE ... (for "refused while it has dependants" checks)."""
    from sqlalchemy import func
    return ctx.db.scalar(select(func.count()).select_from(model).where(*where)) or 0


def forget_resource(ctx: Ctx, resource_uuid: str) -> None:
    """Delete the rows that hang off any resource: its tags, its owner and its sharing."""
    from sqlalchemy import delete

    from zslite.db.models import SharedResource
    ctx.db.execute(delete(Tag).where(Tag.resource_uuid == resource_uuid))
    ctx.db.execute(delete(SharedResource).where(SharedResource.resource_uuid == resource_uuid))
    ctx.db.execute(delete(AccountResourceRef).where(AccountResourceRef.resource_uuid == resource_uuid))


def ensure_new_uuid(ctx: Ctx, model, uuid: str) -> None:
    """A caller-chosen resourceUuid must not be taken (by this kind of resource or any owned one)."""
    if ctx.db.get(model, uuid) is not None or owner_of(ctx, uuid) is not None:
        raise OperationError(f"a resource with uuid[{uuid}] already exists")


def expire_loaded(ctx: Ctx, model, uuid: str) -> None:
    """After a bulk UPDATE, forget a loaded row's values so the next read sees the database."""
    row = ctx.db.identity_map.get(ctx.db.identity_key(model, uuid))
    if row is not None:
        ctx.db.expire(row)


def flush_or_conflict(ctx: Ctx, conflict) -> None:
    """Flush; a unique or primary key that a concurrent request took first becomes `conflict` (a ZStackError),
    not an internal error. The caller's transaction is rolled back by the job runner."""
    from sqlalchemy.exc import IntegrityError
    try:
        ctx.db.flush()
    except IntegrityError:
        raise conflict from None


@lru_cache(maxsize=64)
def _grouped_statement(key_col, what, order_by):
    columns = (key_col, what) if what is not None else tuple(key_col.class_.__table__.columns)
    return select(*columns).where(key_col.in_(bindparam("keys", expanding=True))).order_by(*order_by)


def grouped_by(db, key_col, keys, what=None, order_by=()) -> dict:
    """In ONE query: the rows (or the `what` column) whose key_col is in keys, grouped by key.
    The inventory loaders use it so that loading N resources costs the same as loading one. Rows
    are plain rows (attributes named as the columns), not ORM objects; the statement is built once."""
    out: dict = defaultdict(list)
    keys = list(dict.fromkeys(keys))
    if keys:
        db.flush()  # a plain statement does not autoflush: show it what this unit of work added
        stmt = _grouped_statement(key_col, what, tuple(order_by))
        result = db.connection().execute(stmt, {"keys": keys})
        if what is not None:
            for key, value in result.all():
                out[key].append(value)
        else:
            at = list(result.keys()).index(key_col.key)
            for row in records(result):
                out[row[at]].append(row)
    return out
