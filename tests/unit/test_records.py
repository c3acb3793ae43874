"""db/records.py: result rows as namedtuples for the loaders, and the SQLite memory map (db/engine.py)."""

from sqlalchemy import text

from zslite.db.engine import SQLITE_MMAP_BYTES, Database
from zslite.db.records import records


def _records_of(tmp_path, sql: str) -> list:
    db = Database(f"sqlite:///{tmp_path}/r.db")
    try:
        with db.engine.connect() as c:
            return records(c.execute(text(sql)))
    finally:
        db.dispose()


def test_records_keep_the_rows_names_order_and_values(tmp_path):
    got = _records_of(tmp_path, "SELECT 1 AS id, 'a' AS name UNION ALL SELECT 2, NULL ORDER BY 1")
    assert [(r.id, r.name) for r in got] == [(1, "a"), (2, None)]
    assert [tuple(r) for r in got] == [(1, "a"), (2, None)]
    first_id, first_name = got[0]
    assert (first_id, first_name, got[1][0]) == (1, "a", 2)


def test_a_key_that_is_no_attribute_name_leaves_the_rows_as_they_are(tmp_path):
    got = _records_of(tmp_path, 'SELECT 1 AS "two words", 2 AS "class"')
    assert tuple(got[0]) == (1, 2) and got[0]._mapping["two words"] == 1  # a Row, not a record


def test_sqlite_files_are_read_through_a_memory_map(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/m.db")
    try:
        with db.read_engine.connect() as c:
            mapped = c.exec_driver_sql("PRAGMA mmap_size").scalar()
        assert mapped > 0 and mapped <= SQLITE_MMAP_BYTES  # SQLite caps it at its build's maximum
    finally:
        db.dispose()


def test_mariadb_dates_parse_as_mysqlclient_parses_them():
    """db/engine.mysqldb_conversions: DATETIME and TIMESTAMP through datetime.fromisoformat give what
    mysqlclient's own parser gives, for every shape MariaDB sends (and the zero date stays None)."""
    import pytest

    converters = pytest.importorskip("MySQLdb.converters")  # without mysqlclient zslite uses PyMySQL
    from MySQLdb.constants import FIELD_TYPE

    from zslite.db.engine import mysqldb_conversions

    conv = mysqldb_conversions()
    samples = ["2026-11-29 08:19:57", "2026-11-29 08:19:57.123456", "2026-11-29 08:19:57.5", "1970-01-01 00:00:00",
               "9999-12-31 23:59:59.999999", "0000-00-00 00:00:00", "2026-02-30 00:00:00", "2026-11-29"]
    for field in (FIELD_TYPE.DATETIME, FIELD_TYPE.TIMESTAMP):
        assert conv[field] is not converters.conversions[field]
        for text in samples:
            assert conv[field](text) == converters.DateTime_or_None(text), text
