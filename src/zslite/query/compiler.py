"""Conditions → SQLAlchemy. Values are always bound parameters. Unknown field → SYS.1007.

With a Binder, the values become named placeholders (bindparam "v0", "v1", … in the order the
conditions are read) and are collected apart: the statement then depends only on the query's shape
(fields, operators, sort, the caller's kind), so run.py builds it once per shape and reuses it."""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import (BigInteger, ColumnElement, Integer, SmallInteger, and_, bindparam, exists, func, not_, or_,
                        select)
from sqlalchemy.orm import aliased

from zslite.db.models import Tag
from zslite.errors import InvalidArgument
from zslite.query import resources
from zslite.query.parser import Condition
from zslite.query.resources import Computed, QueryResource
from zslite.wire.dates import parse_date

TAG_FIELDS = {"__systemTag__": "System", "__userTag__": "User"}
INT64 = (-(2**63), 2**63 - 1)
INT32 = (-(2**31), 2**31 - 1)
INT16 = (-(2**15), 2**15 - 1)


def _python_type(col) -> type:
    try:
        return col.type.python_type
    except (NotImplementedError, AttributeError):
        return str


def int_bounds(col) -> tuple[int, int]:
    """The integers a column can hold on every database: an INTEGER column is 32 bits on PostgreSQL and
    MariaDB, and a value beyond it, even only compared, is an error there."""
    kind = getattr(col, "type", None)
    if isinstance(kind, BigInteger) or not isinstance(kind, Integer):
        return INT64
    return INT16 if isinstance(kind, SmallInteger) else INT32


def convert(field: str, py: type, raw: str, tz: str, bounds: tuple[int, int] = INT64):
    if py is bool:
        low = raw.lower()
        if low in ("true", "false"):
            return low == "true"
        raise InvalidArgument(f"invalid value[{raw}] of field[{field}]: expected true or false")
    if py is int:
        try:
            value = int(raw)
        except ValueError:
            raise InvalidArgument(f"invalid value[{raw}] of field[{field}]: expected an integer") from None
        if not bounds[0] <= value <= bounds[1]:  # the column cannot hold it; comparing with it would fail
            raise InvalidArgument(f"invalid value[{raw}] of field[{field}]: out of range "
                                  f"[{bounds[0]}, {bounds[1]}]")
        return value
    if py is float:
        try:
            value = float(raw)
        except ValueError:
            raise InvalidArgument(f"invalid value[{raw}] of field[{field}]: expected a number") from None
        if not math.isfinite(value):
            raise InvalidArgument(f"invalid value[{raw}] of field[{field}]: expected a finite number")
        return value
    if py is datetime:
        try:
            return parse_date(raw, tz)
        except ValueError:
            raise InvalidArgument(f"invalid value[{raw}] of field[{field}]: expected a date") from None
    return raw


def apply_op(expr, op: str, values: list) -> ColumnElement[bool]:
    if op == "is null":
        return expr.is_(None)
    if op == "not null":
        return expr.is_not(None)
    if op == "?=":
        return expr.in_(values)
    if op == "!?=":
        return or_(expr.not_in(values), expr.is_(None))
    v = values[0]
    if op == "=":
        return expr == v
    if op == "!=":
        return or_(expr != v, expr.is_(None))
    if op == ">":
        return expr > v
    if op == "<":
        return expr < v
    if op == ">=":
        return expr >= v
    if op == "<=":
        return expr <= v
    # one escape character everywhere (PostgreSQL and MariaDB default to it, SQLite has none): \% \_ \\
    if op == "~=":
        return expr.like(v, escape="\\")
    if op == "!~=":
        return or_(not_(expr.like(v, escape="\\")), expr.is_(None))
    raise InvalidArgument(f"unknown operator [{op}]")


class Binder:
    """Values of one query, by placeholder name; placeholders stand for them in the statement."""

    def __init__(self):
        self.values: dict = {}
        self.literals: list = []  # values that are part of the statement (a Computed field that needs them)

    def __call__(self, op: str, values: list):
        """The placeholders to give apply_op in place of values (one expanding bindparam for a list)."""
        if op in ("is null", "not null"):
            return values
        name = f"v{len(self.values)}"
        if op in ("?=", "!?="):
            self.values[name] = values
            return bindparam(name, expanding=True)
        self.values[name] = values[0]
        return [bindparam(name)]


def _values(cond: Condition, field: str, py: type, tz: str, bounds: tuple[int, int] = INT64) -> list:
    if cond.value is None:
        return []
    if cond.op in ("?=", "!?="):
        raws = cond.value.split(",")
    else:
        raws = [cond.value]
    if cond.op in ("~=", "!~=") and py is not str:
        raise InvalidArgument(f"operator [{cond.op}] needs a text field, field[{field}] is not")
    if cond.op in ("~=", "!~=") and (len(cond.value) - len(cond.value.rstrip("\\"))) % 2:
        raise InvalidArgument(f"invalid pattern[{cond.value}] of field[{field}]: it ends with a lone escape \\")
    return [convert(field, py, r, tz, bounds) for r in raws]


def _literal(op: str, values: list):
    return values


def compile_condition(res: QueryResource, alias, cond: Condition, path: list[str] | None = None,
                      tz: str = "UTC", caller=None, binder=None, sql: bool = True) -> ColumnElement[bool] | None:
    """A condition on res (as alias). Through a relation, the target's visibility for caller applies
    too: a condition cannot reach what the caller may not see. With a binder, values become
    placeholders; with sql=False only the field is checked and the values converted (into the binder)."""
    parts = path if path is not None else cond.field.split(".")
    head = parts[0]
    bind = binder or _literal
    if len(parts) == 1:
        if head in TAG_FIELDS:
            values = bind(cond.op, _values(cond, head, str, tz))
            if not sql:
                return None
            inner = aliased(Tag)
            return exists().where(inner.resource_uuid == alias.uuid, inner.kind == TAG_FIELDS[head],
                                  apply_op(inner.tag, cond.op, values))
        spec = res.fields.get(head)
        if spec is None:
            raise InvalidArgument(f"unknown field[{cond.field}] for query on {res.name}; "
                                  f"queryable fields: {', '.join(sorted(res.fields))}")
        if isinstance(spec, Computed):
            values = _values(cond, cond.field, spec.python_type, tz)
            if spec.binds:
                values = bind(cond.op, values)
            elif binder is not None:
                binder.literals.append(tuple(values))
            return spec.build(alias, cond.op, values) if sql else None
        col = getattr(res.model if alias is None else alias, spec)
        values = bind(cond.op, _values(cond, cond.field, _python_type(col), tz, int_bounds(col)))
        return apply_op(col, cond.op, values) if sql else None
    rel = res.relations.get(head)
    if rel is None:
        raise InvalidArgument(f"unknown field[{cond.field}] for query on {res.name}: [{head}] is neither a field"
                              f" nor a relation (relations: {', '.join(sorted(res.relations)) or 'none'})")
    target = resources.get(rel.target)
    if not sql:
        return compile_condition(target, None, cond, parts[1:], tz, caller, binder, sql=False)
    _, match = _through(rel, alias, cond, parts[1:], tz, caller, binder)
    return exists().where(*match)


def _through(rel, alias, cond: Condition, rest: list[str], tz: str, caller, binder):
    """A row of rel's target (a new alias) and what it must meet to match cond from a row of alias: the
    relation's join, the condition on the target, and the target's visibility for caller."""
    target = resources.get(rel.target)
    inner = aliased(target.model)
    inner_cond = compile_condition(target, inner, cond, rest, tz, caller, binder)
    vis = target.visibility(caller, inner) if caller is not None else None
    return inner, [rel.join(alias, inner), inner_cond, *([vis] if vis is not None else [])]


def one_row_join(res: QueryResource, alias, cond: Condition, tz: str = "UTC", caller=None, binder=None):
    """A relation condition that pins a unique key of its target (Relation.one_per, with `=`) as an inner
    join: (inner alias, on clause), or None for any other condition. It keeps the rows EXISTS keeps, each
    once (run.build_select uses it on MariaDB). Values go to the binder in the order compile_condition
    would take them."""
    head, _, rest = cond.field.partition(".")
    rel = res.relations.get(head)
    if rel is None or cond.op != "=" or rest not in rel.one_per:
        return None
    inner, match = _through(rel, alias, cond, [rest], tz, caller, binder)
    return inner, and_(*match)


def sort_column(res: QueryResource, alias, field: str):
    spec = res.fields.get(field)
    if spec is None or isinstance(spec, Computed):
        raise InvalidArgument(f"unknown field[{field}] to sort {res.name} by; sortable fields: "
                              f"{', '.join(sorted(k for k, v in res.fields.items() if not isinstance(v, Computed)))}")
    return getattr(alias, spec)


def count_of(stmt):
    return select(func.count()).select_from(stmt.order_by(None).subquery())
