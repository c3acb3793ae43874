"""Migrations: the tables the models describe are exactly what the migrations build (no drift),
and the migrations go down and up again, on every database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from zslite.db.base import Base
from zslite.db.migrate import alembic_config, downgrade, upgrade


def _diff(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = compare_metadata(ctx, Base.metadata)
    # server defaults and comments are not modelled; everything else must match
    return [d for d in diffs if not (isinstance(d, tuple) and d[0] in ("modify_default", "modify_comment"))]


def test_single_head():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, f"several migration heads: {script.get_heads()}"


def test_no_drift_between_models_and_migrations(database):
    assert _diff(database.engine) == []


def test_down_and_up_again(database):
    downgrade(database.engine, "base")
    with database.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == ()
    upgrade(database.engine)
    assert _diff(database.engine) == []
