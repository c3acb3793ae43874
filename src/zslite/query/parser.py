"""The q= grammar: <field><op><value>, "<field> is null", "<field> not null". Syntax errors → BadRequest (400)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from zslite.errors import BadRequest

# longest operators first, so "!?=" is not read as "!" + "?="
OPERATORS = ("!?=", "!~=", "?=", "~=", "!=", ">=", "<=", "=", ">", "<")
_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_NULL = re.compile(r"^(" + _FIELD.pattern + r") (is null|not null)$")


@dataclass(frozen=True)
class Condition:
    field: str       # dotted path, e.g. "backupStorageRefs.backupStorageUuid"
    op: str          # one of OPERATORS, or "is null" / "not null"
    value: str | None


def parse_condition(text: str) -> Condition:
    m = _NULL.match(text)
    if m:
        return Condition(m.group(1), m.group(2), None)
    f = _FIELD.match(text)
    if not f:
        raise BadRequest(f"invalid query condition [{text}]: it must start with a field name")
    rest = text[f.end():]
    for op in OPERATORS:
        if rest.startswith(op):
            return Condition(f.group(0), op, rest[len(op):])
    raise BadRequest(f"invalid query condition [{text}]: no operator after field [{f.group(0)}]"
                     f" (operators: {' '.join(OPERATORS)}, 'is null', 'not null'; no spaces around operators)")


def parse_sort(sort: str | None, sort_by: str | None, direction: str) -> tuple[str, bool] | None:
    """Return (field, descending) or None."""
    if sort:
        s = sort.strip()
        desc = s.startswith("-")
        name = s[1:] if s[:1] in "+-" else s
        if not _FIELD.fullmatch(name):
            raise BadRequest(f"invalid sort [{sort}]")
        return name, desc
    if sort_by:
        if not _FIELD.fullmatch(sort_by):
            raise BadRequest(f"invalid sortBy [{sort_by}]")
        return sort_by, direction == "desc"
    return None
