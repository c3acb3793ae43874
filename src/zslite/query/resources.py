"""Queryable resources: their fields, named relations, visibility and inventory loader.

Each API family declares its QueryResource next to its APIs and calls register(); the compiler
is generic over them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from zslite.context import Caller


@dataclass(frozen=True)
class Relation:
    target: str                                        # name of the target QueryResource
    join: Callable[[Any, Any], ColumnElement[bool]]    # (outer alias, inner alias) -> condition
    # target fields that, each pinned by `=`, leave at most one target row per source row (with the join's
    # columns they make a unique key): such a condition is compiled as a join, not EXISTS (compiler.py)
    one_per: tuple[str, ...] = ()


@dataclass(frozen=True)
class Computed:
    """A field that is not a column: build(alias, op, values) -> condition. values is a list.

    binds=True promises that build only hands values to SQL (compiler.apply_op), so they may be
    placeholders and the statement reused for other values; otherwise each value builds its own."""

    build: Callable[[Any, str, list], ColumnElement[bool]]
    python_type: type = str
    binds: bool = False


@dataclass(frozen=True)
class QueryResource:
    name: str
    model: Any
    fields: dict[str, str | Computed]                  # wire name -> model attribute name (or Computed)
    load: Callable[[Session, Sequence[Any]], list]     # rows -> inventories (fixed number of queries)
    visibility: Callable[[Caller, Any], ColumnElement[bool] | None]
    resource_type: str                                 # ZStack VO name, for tags ("ZoneVO")
    relations: dict[str, Relation] = field(default_factory=dict)
    output_fields: tuple[str, ...] = ()                # inventory-only fields accepted by fields=

    def all_output_fields(self) -> set[str]:
        return set(self.fields) | set(self.output_fields)


_REGISTRY: dict[str, QueryResource] = {}


def register(resource: QueryResource) -> QueryResource:
    _REGISTRY[resource.name] = resource
    return resource


def get(name: str) -> QueryResource:
    return _REGISTRY[name]


def registered() -> dict[str, QueryResource]:
    return dict(_REGISTRY)
