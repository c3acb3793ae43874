"""Column types that behave the same on SQLite, PostgreSQL and MariaDB.

Strings compare and sort by code point everywhere: binary collation on MariaDB,
"C" collation on PostgreSQL (SQLite is binary by default).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Text
from sqlalchemy.dialects import mysql


def Str(length: int = 255):
    return (String(length)
            .with_variant(String(length, collation="C"), "postgresql")
            .with_variant(mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"))


def Uuid32():
    return Str(32)


def LongText():
    return Text().with_variant(mysql.MEDIUMTEXT(charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb")


Big = BigInteger().with_variant(Integer(), "sqlite")
Bool = Boolean()
Timestamp = DateTime()
