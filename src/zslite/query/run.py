"""Run a Query* API: parse, compile, page, load inventories, apply fields=."""

from __future__ import annotations

from sqlalchemy import select

from zslite.apispec.params import QueryParams
from zslite.errors import InvalidArgument
from zslite.query import resources
from zslite.query.compiler import compile_condition, count_of, sort_column
from zslite.query.parser import Condition, parse_condition, parse_sort
from zslite.context import Ctx


def build_select(ctx: Ctx, res, conditions: list[Condition]):
    """The page's statement. It selects the table's columns, not the ORM entity: the loaders read
    attributes only (named as the columns), and plain rows cost less than ORM objects."""
    model = res.model
    stmt = select(*model.__table__.columns)
    vis = res.visibility(ctx.caller, model)
    if vis is not None:
        stmt = stmt.where(vis)
    for cond in conditions:
        stmt = stmt.where(compile_condition(res, model, cond, tz=ctx.settings.timezone, caller=ctx.caller))
    return stmt


def run_query(ctx: Ctx, resource_name: str, p: QueryParams) -> dict:
    res = resources.get(resource_name)
    conditions = [parse_condition(q) for q in p.q]
    if p.uuid is not None:
        conditions.append(Condition("uuid", "=", p.uuid))
    if p.fields:
        unknown = [f for f in p.fields if f not in res.all_output_fields()]
        if unknown:
            raise InvalidArgument(f"unknown field[{', '.join(unknown)}] in fields for query on {res.name}")
    stmt = build_select(ctx, res, conditions)
    if p.count:
        return {"total": ctx.db.scalar(count_of(stmt))}
    sort = parse_sort(p.sort, p.sortBy, p.sortDirection)
    if sort:
        col = sort_column(res, res.model, sort[0])
        stmt = stmt.order_by(col.desc() if sort[1] else col.asc(), res.model.uuid)
    else:
        stmt = stmt.order_by(res.model.uuid)
    total = ctx.db.scalar(count_of(stmt)) if p.replyWithCount else None
    rows = ctx.db.connection().execute(stmt.offset(p.start).limit(p.limit)).all() if p.limit else []
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
