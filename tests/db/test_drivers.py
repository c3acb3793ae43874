"""Which driver a database URL gets (db/engine.py): psycopg 3 for PostgreSQL; for MariaDB the C driver
mysqlclient when it is installed, PyMySQL otherwise — and an explicit driver in the URL is kept. Both
MariaDB drivers are exercised against the real server: the suite's own URLs take the preferred one,
and the test below runs the other through a unit of work, the migrations check and the session
settings zslite applies."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from zslite.db import engine as engine_mod
from zslite.db.engine import Database, normalize_url
from zslite.db.migrate import schema_at_head
from zslite.db.models import Zone


@pytest.mark.parametrize("url, driver", [
    ("postgresql://u@h/db", "postgresql+psycopg"), ("postgres://u@h/db", "postgresql+psycopg"),
    ("mysql+pymysql://u@h/db", "mysql+pymysql"), ("mysql+mysqldb://u@h/db", "mysql+mysqldb"),
    ("mariadb+pymysql://u@h/db", "mysql+pymysql"), ("sqlite:///x.db", "sqlite")])
def test_explicit_and_fixed_drivers(url, driver):
    assert make_url(normalize_url(url)).drivername == driver


@pytest.mark.parametrize("installed, driver", [(True, "mysql+mysqldb"), (False, "mysql+pymysql")])
def test_mariadb_takes_the_c_driver_when_it_is_installed(monkeypatch, installed, driver):
    monkeypatch.setattr(engine_mod, "mysql_driver", lambda: "mysqldb" if installed else "pymysql")
    for url in ("mysql://u@h/db", "mariadb://u@h/db"):
        assert make_url(normalize_url(url)).drivername == driver
    assert "charset=utf8mb4" in normalize_url("mysql://u@h/db")


def _other_driver(url: str) -> str:
    u = make_url(url)
    other = "pymysql" if u.drivername.endswith("mysqldb") else "mysqldb"
    return u.set(drivername=f"mysql+{other}").render_as_string(hide_password=False)


def test_every_driver_serves_a_unit_of_work(backend, db_url, database):
    """The backend's driver (and on MariaDB the other one too) writes, reads, sees the schema at its
    head, and on MariaDB runs with the session settings zslite gives it."""
    urls = [normalize_url(db_url)]
    if backend == "mariadb" and engine_mod.mysql_driver() == "mysqldb":  # PyMySQL, the fallback, is a dependency
        urls.append(_other_driver(urls[0]))
    for n, url in enumerate(urls):
        name = f"via {make_url(url).drivername}"
        db = Database(url)
        try:
            with db.write() as s:
                s.add(Zone(uuid=f"{n:032d}", name=name, description=None, state="Enabled", type="zstack",
                           is_default=False, create_date=_now(), last_op_date=_now()))
            with db.read() as s:
                assert s.scalar(select(Zone.name).where(Zone.uuid == f"{n:032d}")) == name
                assert schema_at_head(s.connection())
                if backend == "mariadb":
                    switch = s.connection().exec_driver_sql("SELECT @@optimizer_switch").scalar()
                    assert "exists_to_in=off" in switch
        finally:
            db.dispose()
    assert len(urls) == (2 if backend == "mariadb" and engine_mod.mysql_driver() == "mysqldb" else 1)


def _now():
    from zslite.clock import Clock
    return Clock().now()
