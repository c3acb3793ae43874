"""Run a Query* API: parse, compile, page, load inventories, apply fields=.

A query's statement depends only on its shape — the resource, each condition's field and operator,
the sort, and whether the caller is admin — never on the values: those (the condition values, the
page, the caller's account) are bound parameters. Statements are built once per shape and kept
(least recently used shapes go first), which saves building and hashing a statement per request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import bindparam, select

from zslite.apispec.params import QueryParams
from zslite.context import SYSTEM, Caller, Ctx
from zslite.db.records import records
from zslite.errors import InvalidArgument
from zslite.query import resources
from zslite.query.compiler import Binder, compile_condition, count_of, one_row_join, sort_column
from zslite.query.parser import Condition, parse_condition, parse_sort

# a normal caller's account, as it appears in the visibility filters of a cached statement
CALLER_ACCOUNT = "caller_account"
SHAPES_KEPT = 512


class _Shapes:
    """Built statements by query shape, least recently used first out."""

    def __init__(self, size: int = SHAPES_KEPT):
        self.size = size
        self._built: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._built.get(key)
            if found is not None:
                self._built.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        with self._lock:
            self._built[key] = value
            if len(self._built) > self.size:
                self._built.popitem(last=False)


SHAPES = _Shapes()


def _placeholder_caller(caller: Caller) -> Caller:
    if caller.is_admin:
        return SYSTEM
    return Caller(account_uuid=bindparam(CALLER_ACCOUNT), account_name="", is_admin=False)  # type: ignore[arg-type]


def build_select(res, conditions: list[Condition], caller: Caller, tz: str, dialect: str = ""):
    """The page's statement (values as placeholders). It selects the table's columns, not the ORM
    entity: the loaders read attributes only (named as the columns), and rows cost less than objects.

    On MariaDB (dialect "mysql"), a relation condition that pins a unique key of its target is an inner
    join in the table's order (compiler.one_row_join, STRAIGHT_JOIN), not EXISTS: MariaDB runs EXISTS
    as a subquery per row, the join as an index lookup. SQLite, left to order the join itself, starts
    from the relation's side (QueryImage with three conditions at 1M images: 6-9 → 66 ms), and
    PostgreSQL plans both alike: they keep EXISTS (bench/notes.md)."""
    model = res.model
    stmt = select(*model.__table__.columns)
    caller = _placeholder_caller(caller)
    vis = res.visibility(caller, model)
    if vis is not None:
        stmt = stmt.where(vis)
    binder = Binder()
    joins = False
    for cond in conditions:
        joined = one_row_join(res, model, cond, tz=tz, caller=caller, binder=binder) if dialect == "mysql" else None
        if joined is None:
            stmt = stmt.where(compile_condition(res, model, cond, tz=tz, caller=caller, binder=binder))
        else:
            stmt, joins = stmt.join(*joined), True
    # the queried table first, read in the page's order as with EXISTS
    return stmt.prefix_with("STRAIGHT_JOIN") if joins else stmt


def page_of(res, stmt, order: list, filtered: bool):
    """The page of a filtered query in two steps: the uuids of the page first (filtered, sorted and
    paged where only the indexes' narrow entries are read, when they cover the conditions), then the
    rows of those uuids alone. In one step, each row that passes the filters is read whole before the
    sort and the limit throw most of them away (6,000 wide rows for a page of 100 at 1M images), and
    MariaDB walks the whole table in uuid order instead of the name index (bench/notes.md). A query
    that filters nothing, or names a uuid, reads no more rows than its page: one step."""
    model = res.model
    if not filtered:
        return stmt.order_by(*order).offset(bindparam("page_start")).limit(bindparam("page_limit"))
    uuids = (stmt.with_only_columns(model.uuid).order_by(*order)
             .offset(bindparam("page_start")).limit(bindparam("page_limit")).subquery("page"))
    return (select(*model.__table__.columns).join_from(model, uuids, model.uuid == uuids.c.uuid)
            .order_by(*order))


def _statements(res, conditions: list[Condition], sort, caller: Caller, tz: str, literals: tuple, dialect: str):
    key = (res.name, tuple((c.field, c.op) for c in conditions), sort, caller.is_admin, literals, dialect)
    built = SHAPES.get(key)
    if built is None:
        stmt = build_select(res, conditions, caller, tz, dialect)
        order = [res.model.uuid]
        if sort:
            col = sort_column(res, res.model, sort[0])
            order.insert(0, col.desc() if sort[1] else col.asc())
        by_uuid = any(c.field == "uuid" and c.op == "=" for c in conditions)  # one row at most
        filtered = not by_uuid and stmt.whereclause is not None  # conditions or the caller's visibility
        built = (page_of(res, stmt, order, filtered), count_of(stmt))
        SHAPES.put(key, built)
    return built


def run_query(ctx: Ctx, resource_name: str, p: QueryParams) -> dict:
    res = resources.get(resource_name)
    conditions = [parse_condition(q) for q in p.q]
    if p.uuid is not None:
        conditions.append(Condition("uuid", "=", p.uuid))
    if p.fields:
        unknown = [f for f in p.fields if f not in res.all_output_fields()]
        if unknown:
            raise InvalidArgument(f"unknown field[{', '.join(unknown)}] in fields for query on {res.name}")
    # check the fields and convert the values (errors name them); the statement comes from its shape
    binder = Binder()
    tz = ctx.settings.timezone
    for cond in conditions:
        compile_condition(res, None, cond, tz=tz, caller=ctx.caller, binder=binder, sql=False)
    sort = parse_sort(p.sort, p.sortBy, p.sortDirection)
    if sort:
        sort_column(res, res.model, sort[0])
    page, count = _statements(res, conditions, sort, ctx.caller, tz, tuple(binder.literals),
                              ctx.db.get_bind().dialect.name)
    values = binder.values
    if not ctx.caller.is_admin:
        values[CALLER_ACCOUNT] = ctx.caller.account_uuid
    conn = ctx.db.connection()
    if p.count:
        return {"total": conn.execute(count, values).scalar()}
    total = conn.execute(count, values).scalar() if p.replyWithCount else None
    rows = records(conn.execute(page, {**values, "page_start": p.start, "page_limit": p.limit})) if p.limit else []
    inventories = res.load(ctx.db, rows)
    if p.fields:
        keep = set(p.fields)
        for inv in inventories:
            for k in [k for k in inv if k not in keep]:
                del inv[k]
    body: dict = {"inventories": inventories}
    if total is not None:
        body["total"] = total
    return body
