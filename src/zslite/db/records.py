"""Result rows as read-only records (namedtuples) for the inventory loaders.

A loader reads every column of every row once (an image inventory reads 20 attributes, each of its
refs 9). An attribute of a SQLAlchemy Row costs ~370 ns here, one of a namedtuple ~25 ns: for a page
of 100 images and their 200 refs the records save about a millisecond (bench/notes.md). Records keep
the Row's attribute names (the column keys), its indexing and its unpacking."""

from __future__ import annotations

from collections import namedtuple
from functools import lru_cache


@lru_cache(maxsize=256)
def _record_type(keys: tuple[str, ...]):
    try:
        return namedtuple("Record", keys)
    except ValueError:  # a key that cannot be an attribute name: the rows stay rows
        return None


def records(result) -> list:
    """Every row of a Core result (fetched at once) as a record with the rows' attribute names."""
    record = _record_type(tuple(result.keys()))
    rows = result.all()
    return rows if record is None else list(map(record._make, rows))
