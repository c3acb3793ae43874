"""Alembic, driven from code: the migrations ship inside the package."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def schema_at_head(connection: Connection) -> bool:
    """Whether the schema is at the head migration(s); raises when the database does not answer."""
    return set(MigrationContext.configure(connection).get_current_heads()) == head_revisions()


def schema_is_current(engine: Engine) -> bool:
    """True when the database answers and its schema is at the head migration(s): what a node needs to
    serve (IsReadyToGo). Never raises: an unreachable database is simply not current."""
    try:
        with engine.connect() as conn:
            return schema_at_head(conn)
    except Exception:  # noqa: BLE001 — any failure to read the revision means "not ready"
        return False
