"""db/check.py and schema_is_current: what startup and readiness read from the database."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from zslite.config import ConfigError
from zslite.db.check import mask, parse, probe
from zslite.db.migrate import downgrade, schema_is_current, upgrade
from zslite.testing import free_port


def test_schema_is_current_on_a_migrated_database(database):
    assert schema_is_current(database.engine) is True


def test_schema_is_not_current_on_an_empty_or_older_or_unreachable_database(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/empty.db")
    assert schema_is_current(engine) is False      # no alembic_version at all
    upgrade(engine, "0001")
    assert schema_is_current(engine) is False      # behind the head
    upgrade(engine)
    assert schema_is_current(engine) is True
    downgrade(engine, "0001")
    assert schema_is_current(engine) is False
    engine.dispose()
    away = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    assert schema_is_current(away) is False        # never raises


def test_probe_accepts_the_test_database(db_url):
    assert probe(db_url).get_backend_name() in ("sqlite", "postgresql", "mysql")


@pytest.mark.parametrize("url, words", [
    ("", "empty"),
    ("nonsense", "cannot parse [nonsense]"),
    ("oracle+nodriver://h/db", "unknown database kind"),
    ("mysql://root@127.0.0.1", "names no database"),
])
def test_parse_names_the_problem(url, words):
    with pytest.raises(ConfigError) as err:
        parse(url)
    assert err.value.setting == "ZSLITE_DB_URL" and words in str(err.value) and err.value.exit_code == 2


def test_passwords_never_show():
    assert mask("postgresql://zs:p@ss:w0rd@db.example/zslite") == "postgresql://zs:***@db.example/zslite"
    assert mask("mysql://root@h/db") == "mysql://root@h/db"
    with pytest.raises(ConfigError) as err:
        probe(f"postgresql://zs:hunter2@127.0.0.1:{free_port()}/zslite")
    assert "hunter2" not in str(err.value) and err.value.exit_code == 4
