"""Test fixtures. Every test that uses a database runs once per backend: SQLite, PostgreSQL and
MariaDB (ZSLITE_TEST_DBS=sqlite,postgresql,mariadb narrows it). Each backend gets its own uniquely
named database, created and migrated once per run (through Alembic, as in production) and dropped
at the end; tables are emptied before each test."""

from __future__ import annotations

import os
import shutil
import secrets
import tempfile
import warnings

import pytest
from sqlalchemy import create_engine, text

from zslite.clock import FixedClock  # noqa: F401  (re-exported for tests)
from zslite.config import Settings
from zslite.db.base import Base
from zslite.db.engine import Database, normalize_url
from zslite.db.migrate import upgrade

warnings.filterwarnings("ignore", category=DeprecationWarning)

PG_ADMIN = os.environ.get("ZSLITE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
MY_ADMIN = os.environ.get("ZSLITE_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")
ALL_BACKENDS = ("sqlite", "postgresql", "mariadb")


def selected_backends() -> list[str]:
    raw = os.environ.get("ZSLITE_TEST_DBS", ",".join(ALL_BACKENDS))
    chosen = [b.strip() for b in raw.split(",") if b.strip()]
    unknown = set(chosen) - set(ALL_BACKENDS)
    if unknown:
        raise pytest.UsageError(f"unknown ZSLITE_TEST_DBS backend(s): {sorted(unknown)}")
    return chosen


def pytest_configure(config):
    config.addinivalue_line("markers", "one_backend: run on the first selected database only (tests of the "
                                       "HTTP layer, whose databases other tests cover)")


def in_turn(values, cases: list[tuple]) -> list[tuple]:
    """(value, *case) for each case, the values taken in turn: for a test too slow to run every case
    with every value (each value still meets some of the cases)."""
    return [(values[i % len(values)], *case) for i, case in enumerate(cases)]


def on_each_database_in_turn(cases: list[tuple]) -> list[tuple]:
    """in_turn over the selected databases. Use with
    @pytest.mark.parametrize("backend, …", on_each_database_in_turn(cases))."""
    return in_turn(selected_backends(), cases)


def pytest_generate_tests(metafunc):
    chosen = any("backend" in str(mark.args[0]) for mark in metafunc.definition.iter_markers("parametrize"))
    if "backend" in metafunc.fixturenames and not chosen:
        backends = selected_backends()
        if metafunc.definition.get_closest_marker("one_backend"):
            backends = backends[:1]
        metafunc.parametrize("backend", backends, scope="session")


class _Backends:
    """Creates each backend's database on first use and drops it at the end of the run."""

    def __init__(self):
        self.urls: dict[str, str] = {}
        self.databases: dict[str, Database] = {}
        self.cleanups: list = []
        self.tmp = tempfile.mkdtemp(prefix="zslite-test-")

    def url(self, backend: str) -> str:
        if backend in self.urls:
            return self.urls[backend]
        name = f"zslite_t_{os.getpid()}_{secrets.token_hex(3)}"
        if backend == "sqlite":
            url = f"sqlite:///{self.tmp}/{name}.db"
        elif backend == "postgresql":
            admin = create_engine(normalize_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name

            def drop(admin=admin, name=name):
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
            self.cleanups.append(drop)
        else:
            admin = create_engine(normalize_url(MY_ADMIN))
            with admin.connect() as c:
                c.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
            url = MY_ADMIN.rsplit("/", 1)[0] + "/" + name

            def drop(admin=admin, name=name):
                with admin.connect() as c:
                    c.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                admin.dispose()
            self.cleanups.append(drop)
        db = Database(url)
        upgrade(db.engine)
        self.urls[backend] = url
        self.databases[backend] = db
        return url

    def close(self):
        for db in self.databases.values():
            db.dispose()
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception as exc:  # a leftover database is harmless: names are unique
                print(f"could not drop a test database: {exc}")
        shutil.rmtree(self.tmp, ignore_errors=True)  # the SQLite database and its lock files


@pytest.fixture(scope="session")
def _backends():
    b = _Backends()
    yield b
    b.close()


@pytest.fixture
def db_url(backend, _backends) -> str:
    return _backends.url(backend)


def wipe(database: Database) -> None:
    with database.write() as s:
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(table.delete())


@pytest.fixture
def database(db_url, _backends) -> Database:
    db = _backends.databases[_backends_key(_backends, db_url)]
    wipe(db)
    return db


def _backends_key(b: _Backends, url: str) -> str:
    return next(k for k, v in b.urls.items() if v == url)


def test_settings(db_url: str, directory) -> Settings:
    return Settings(db_url=db_url, secret_key="test-master-key", migrate_on_start=False, password_hash_n=2**10,
                    log_level="WARNING", job_workers=4, secret_key_file=str(directory / "zslite.key"))


test_settings.__test__ = False  # a helper, not a test


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return test_settings(db_url, tmp_path)


@pytest.fixture
def app(settings, database):
    from zslite.server.app import create_app
    return create_app(settings, database=database)


@pytest.fixture
def http(app):
    """Starlette's TestClient over the real ASGI app (lifespan included)."""
    from starlette.testclient import TestClient
    with TestClient(app, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def api(http):
    from tests.support import ApiClient
    client = ApiClient(http)
    client.login("admin", "password")
    return client


@pytest.fixture
def as_account(api):
    """Make a normal account and return an ApiClient logged in as it: as_account("alice")."""
    return lambda name, password="pw-x": new_account(api, name, password)


def new_account(api, name: str, password: str = "pw-x"):
    """A normal account made by admin (api), and an ApiClient logged in as it."""
    from tests.support import ApiClient

    account = api.ok("CreateAccount", name=name, password=ApiClient.hash(password))["inventory"]
    other = ApiClient(api.http)
    other.login(name, password)
    other.account_uuid = account["uuid"]
    return other


@pytest.fixture
def arrived(monkeypatch):
    """What the server parsed from each request, before validation (the route's data for the params model)."""
    from zslite.server import routes

    seen: list[dict] = []
    real = routes.validate

    def spy(spec, data, strict):
        seen.append({"api": spec.name, **data})
        return real(spec, data, strict)

    monkeypatch.setattr(routes, "validate", spy)
    return seen
