"""query/compiler.py over a test-only QueryResource (tags, with a relation to zones): relations,
unknown fields, value conversion, and values always bound, never spliced into SQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import mysql, postgresql, sqlite

from zslite.apispec import all_apis
from zslite.apispec.params import QueryParams
from zslite.clock import Clock
from zslite.db.models import Tag
from zslite.errors import InvalidArgument
from zslite.ids import new_uuid
from zslite.query import resources
from zslite.query.compiler import compile_condition, convert
from zslite.query.parser import parse_condition
from zslite.query.resources import Computed, QueryResource, Relation
from zslite.query.run import run_query
from zslite.context import ADMIN_ACCOUNT_UUID, SYSTEM, Ctx
from tests import factories as f

all_apis()  # registers the real resources (zone is the relation's target)
TEST_TAG = resources.register(QueryResource(
    name="test_tag", model=Tag, resource_type="TagVO",
    fields={"uuid": "uuid", "tag": "tag", "kind": "kind", "resourceUuid": "resource_uuid",
            "inherent": "inherent", "createDate": "create_date",
            "tagLength": Computed(lambda alias, op, values: alias.tag.in_(["x" * v for v in values]), int)},
    load=lambda db, rows: [{"uuid": t.uuid, "tag": t.tag} for t in rows],
    visibility=lambda caller, model: None,
    relations={"zone": Relation("zone", lambda outer, inner: inner.uuid == outer.resource_uuid)}))


def compiled(cond: str, dialect) -> tuple[str, dict]:
    stmt = select(Tag).where(compile_condition(TEST_TAG, Tag, parse_condition(cond)))
    c = stmt.compile(dialect=dialect)
    return str(c), c.params


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect(), mysql.dialect()])
@pytest.mark.parametrize("value", ["' OR 1=1 --", "x'); DROP TABLE tags; --", "$1$", "`bt`"])
def test_values_are_bound_never_spliced(dialect, value):
    for cond in (f"tag={value}", f"tag~={value}", f"tag?={value},b", f"zone.name={value}"):
        sql, params = compiled(cond, dialect)
        assert value not in sql and "DROP" not in sql and "OR 1=1" not in sql
        assert value in params.values() or [value, "b"] in params.values()


def test_unknown_fields_and_relations_are_named():
    for cond, named in (("nope=1", "nope"), ("zone.nope=1", "zone.nope"), ("nothing.name=1", "nothing"),
                        ("zone.name.deeper=1", "zone.name.deeper")):
        with pytest.raises(InvalidArgument) as exc:
            compiled(cond, sqlite.dialect())
        assert named in exc.value.details


@pytest.mark.parametrize("py, raw, value", [
    (int, "42", 42), (int, "-7", -7), (bool, "TRUE", True), (bool, "false", False), (float, "1.5", 1.5),
    (str, "' OR 1=1", "' OR 1=1"),
])
def test_convert(py, raw, value):
    assert convert("f", py, raw, "UTC") == value


@pytest.mark.parametrize("py, raw", [
    (int, "x"), (int, "1.5"), (int, str(2**63)), (int, str(-(2**63) - 1)), (bool, "yes"), (float, "nan"),
    (float, "inf"), (float, "abc"),
])
def test_convert_refuses(py, raw):
    with pytest.raises(InvalidArgument):
        convert("f", py, raw, "UTC")


def run(database, *conds, **params):
    with database.read() as s:
        ctx = Ctx(db=s, caller=SYSTEM, settings=None, clock=Clock(), new_uuid=new_uuid)
        ctx.settings = type("S", (), {"timezone": "UTC"})()
        return run_query(ctx, "test_tag", QueryParams(q=list(conds), **params))


def test_relations_and_computed_fields_on_the_database(database):
    with database.write() as s:
        f.account(s, name="admin", uuid=ADMIN_ACCOUNT_UUID)
        z1 = f.zone(s, name="zone1")
        z2 = f.zone(s, name="zone2", state="Disabled")
        for zone, tag in ((z1, "x"), (z1, "xxx"), (z2, "xx"), (None, "orphan")):
            s.add(Tag(uuid=f.uid(), kind="System", resource_uuid=zone.uuid if zone else f.uid(),
                      resource_type="ZoneVO", tag=tag, inherent=False, type="System", create_date=f.NOW,
                      last_op_date=f.NOW))

    def tags(*conds):
        return sorted(t["tag"] for t in run(database, *conds)["inventories"])

    assert tags("zone.name=zone1") == ["x", "xxx"]
    assert tags("zone.state=Disabled") == ["xx"]
    assert tags("zone.name~=zone%") == ["x", "xx", "xxx"]
    assert tags("zone.name?=zone2,none") == ["xx"]
    assert tags("zone.name=zone1", "tag!=x") == ["xxx"]
    assert tags("zone.name=' OR 1=1 --") == []
    assert tags("tagLength=2") == ["xx"]
    assert tags("tagLength=3") == ["xxx"]  # a Computed field that needs its values builds per value
    assert tags("tagLength?=1,3") == ["x", "xxx"]
    assert tags("zone.name=zone2") == ["xx"]  # the same shape as zone.name=zone1: other values, other rows
    assert tags("inherent=false", "tag~=o%") == ["orphan"]
    assert run(database, "zone.name=zone1", count=True) == {"total": 2}
    with pytest.raises(InvalidArgument):
        run(database, "tagLength=abc")
    with pytest.raises(InvalidArgument):
        run(database, sort="tagLength")  # computed fields do not sort


def test_every_pinned_relation_field_completes_a_unique_key_of_its_target():
    """Relation.one_per claims that a condition `field=value` leaves at most one target row per source row,
    and the compiler then joins instead of EXISTS: the target's table must have a unique key made of the
    columns its join reads and that field's column, or the join would repeat rows."""
    from sqlalchemy import UniqueConstraint, inspect
    from sqlalchemy.orm import aliased
    from sqlalchemy.sql import visitors

    import zslite.apispec  # noqa: F401  (registers every resource)

    checked = 0
    for res in resources.registered().values():
        for name, rel in res.relations.items():
            if not rel.one_per:
                continue
            target = resources.get(rel.target)
            inner = aliased(target.model)
            table = inspect(inner).selectable
            joined = {c.key for c in visitors.iterate(rel.join(res.model, inner)) if getattr(c, "table", None) is table}
            assert joined, (res.name, name)
            uniques = [{c.key for c in con.columns} for con in target.model.__table__.constraints
                       if isinstance(con, UniqueConstraint)]
            for field in rel.one_per:
                column = getattr(target.model, target.fields[field]).property.columns[0].key
                assert {column} | joined in uniques, (res.name, name, field, joined, uniques)
                checked += 1
    assert checked >= 1
