"""query/parser.py: the q= grammar and sort parameters. Syntax errors are BadRequest (400)."""

from __future__ import annotations

import pytest

from zslite.errors import BadRequest
from zslite.query.parser import Condition, parse_condition, parse_sort


@pytest.mark.parametrize("text, cond", [
    ("name=zone1", Condition("name", "=", "zone1")),
    ("name!=zone1", Condition("name", "!=", "zone1")),
    ("cpuNum>2", Condition("cpuNum", ">", "2")),
    ("cpuNum<2", Condition("cpuNum", "<", "2")),
    ("cpuNum>=2", Condition("cpuNum", ">=", "2")),
    ("cpuNum<=2", Condition("cpuNum", "<=", "2")),
    ("name?=a,b", Condition("name", "?=", "a,b")),
    ("name!?=a,b", Condition("name", "!?=", "a,b")),
    ("name~=z%", Condition("name", "~=", "z%")),
    ("name!~=z_", Condition("name", "!~=", "z_")),
    ("description is null", Condition("description", "is null", None)),
    ("description not null", Condition("description", "not null", None)),
    ("zone.name=z", Condition("zone.name", "=", "z")),
    ("backupStorageRefs.backupStorageUuid=abc", Condition("backupStorageRefs.backupStorageUuid", "=", "abc")),
    ("__systemTag__=a::b", Condition("__systemTag__", "=", "a::b")),
    ("name=", Condition("name", "=", "")),
    ("name==x", Condition("name", "=", "=x")),            # the value is everything after the operator
    ("name=a b", Condition("name", "=", "a b")),
    ("name=' OR 1=1 --", Condition("name", "=", "' OR 1=1 --")),
    ("name=is null", Condition("name", "=", "is null")),
])
def test_conditions(text, cond):
    assert parse_condition(text) == cond


@pytest.mark.parametrize("text", [
    "", "=x", "name", "name =x", "1name=x", "na-me=x", "name is  null", "name isnull",
    "name.=x", ".name=x", "name~x", "name!x", " name=x", "name is null ", "名字=x",
])
def test_syntax_errors_are_bad_requests(text):
    with pytest.raises(BadRequest):
        parse_condition(text)


@pytest.mark.parametrize("args, expected", [
    (("name", None, "asc"), ("name", False)),
    (("+name", None, "asc"), ("name", False)),
    (("-name", None, "asc"), ("name", True)),
    ((None, "name", "asc"), ("name", False)),
    ((None, "name", "desc"), ("name", True)),
    (("-name", "uuid", "asc"), ("name", True)),  # sort wins over sortBy
    ((None, None, "desc"), None),
    (("", None, "asc"), None),
])
def test_sort(args, expected):
    assert parse_sort(*args) == expected


@pytest.mark.parametrize("args", [("+", None, "asc"), ("-", None, "asc"), ("na me", None, "asc"),
                                  ("--name", None, "asc"), (None, "name;drop", "asc")])
def test_bad_sort(args):
    with pytest.raises(BadRequest):
        parse_sort(*args)
