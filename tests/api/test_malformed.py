"""Malformed input for EVERY API in the registry, generated from all_apis() (APIs added later are
covered automatically): missing required fields, wrong types and enums, empty, oversized and NUL
strings, oversized lists, non-object bodies, bad JSON, wrong body keys. The answer is 400, or 503
SYS.1007 naming every bad field; never a 500 nor an internal error; and nothing is written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import orjson
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from zslite.apispec import all_apis
from zslite.apispec.spec import ApiSpec
from zslite.db.base import Base

WRONG_TYPES = ({"k": [1]}, [{"k": 1}], 1.5, True, "s", 10**20)
HUGE = 70_000


@dataclass
class Case:
    label: str
    body: bytes | None = None              # raw body (body APIs)
    params: dict | None = None             # query string (query APIs)
    bad_fields: set[str] = field(default_factory=set)   # must all be named; empty: 400 expected
    path_values: dict | None = None


def props(spec: ApiSpec) -> dict[str, dict]:
    schema = spec.params.model_json_schema()
    return {k: v for k, v in schema.get("properties", {}).items() if k not in spec.path_params}


def kinds(prop: dict) -> set[str]:
    alts = prop.get("anyOf", [prop])
    out = {a.get("type") for a in alts if "type" in a}
    if any("enum" in a or "const" in a for a in alts):
        out.add("enum")
    return out


def local_errors(spec: ApiSpec, data: dict, strict: bool) -> set[str]:
    """The fields the params model itself refuses, plus NUL-bearing ones (refused by the server)."""
    bad = {k for k, v in data.items() if "\\u0000" in orjson.dumps(v).decode()}
    try:
        spec.params.model_validate(data, strict=strict)
    except ValidationError as exc:
        bad |= {str(e["loc"][0]) for e in exc.errors()}
    return bad


def path_of(spec: ApiSpec, values: dict | None = None) -> str:
    values = values or {}
    return "/zstack/v1" + re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), "0" * 32), spec.path)


def body_cases(spec: ApiSpec) -> list[Case]:
    fields = props(spec)
    pp = {n: "0" * 32 for n in spec.path_params}
    key = spec.body_key

    def case(label, data):
        bad = local_errors(spec, {**data, **pp}, strict=True)
        return Case(label, orjson.dumps({key: data}), bad_fields=bad) if bad else None

    out = [Case(label, raw) for label, raw in (
        ("array body", b"[]"), ("string body", b'"x"'), ("number body", b"1"), ("null body", b"null"),
        ("truncated JSON", b'{"' + key.encode() + b'": {'), ("not UTF-8", b"\xff\xfe{}"), ("trailing junk", b"{}x"),
        ("deep nesting", b"[" * 5000 + b"]" * 5000), ("inner array", orjson.dumps({key: []})),
        ("inner string", orjson.dumps({key: "x"})), ("inner number", orjson.dumps({key: 7})),
    )]
    wrong = {}
    for name in fields:
        for candidate in WRONG_TYPES:
            if name in local_errors(spec, {**pp, name: candidate}, strict=True):
                wrong[name] = candidate
                break
    out.append(case("wrong types", wrong))
    enums = {n: "NotAValue__" for n, p in fields.items() if "enum" in kinds(p)}
    if enums:
        out.append(case("wrong enums", enums))
    strings = {n for n, p in fields.items() if "string" in kinds(p) and "enum" not in kinds(p)}
    lists = {n for n, p in fields.items() if "array" in kinds(p)}
    out.append(case("empty strings", {n: "" for n in strings}))
    out.append(case("NUL strings", {n: "a\x00b" for n in strings | lists} | {n: ["a\x00b"] for n in lists}))
    oversized = case("oversized", {n: "x" * HUGE for n in strings} | {n: ["x"] * 5000 for n in lists})
    if oversized:
        oversized.bad_fields |= strings | lists  # every string and list must be bounded
    out.append(oversized)
    out.append(case("missing required", {}))
    required = local_errors(spec, dict(pp), strict=True)
    if required:
        out.append(Case("inner null", orjson.dumps({key: None}), bad_fields=required))
    # a body key the URL does not know
    wrong_key = {"noSuchAction": {n: "x" for n in fields}}
    if local_errors(spec, dict(pp), strict=True) or len(siblings(spec)) > 1:
        out.append(Case("wrong body key", orjson.dumps(wrong_key),
                        bad_fields=set() if len(siblings(spec)) > 1 else local_errors(spec, dict(pp), True)))
    if spec.path_params:
        bad_path = {n: "not-a-uuid'--" for n in spec.path_params}
        bad = local_errors(spec, {**bad_path}, strict=True) & set(spec.path_params)
        if bad:
            valid_inner = {}
            out.append(Case("malformed path", orjson.dumps({key: valid_inner}), bad_fields=bad, path_values=bad_path))
    return [c for c in out if c is not None]


def siblings(spec: ApiSpec) -> list[ApiSpec]:
    shape = re.sub(r"{\w+}", "{}", spec.path)
    return [s for s in all_apis() if s.method == spec.method and re.sub(r"{\w+}", "{}", s.path) == shape]


def query_cases(spec: ApiSpec) -> list[Case]:
    fields = props(spec)
    pp = {n: "0" * 32 for n in spec.path_params}
    out = []

    def case(label, data):
        bad = local_errors(spec, {**data, **pp}, strict=False)
        if bad:
            out.append(Case(label, params=data, bad_fields=bad))

    scalars = {n for n, p in fields.items() if kinds(p) & {"integer", "number", "boolean", "enum"}}
    case("wrong types and enums", {n: "notAValue__" for n in scalars})
    strings = {n for n, p in fields.items() if "string" in kinds(p) and "enum" not in kinds(p)}
    lists = {n for n, p in fields.items() if "array" in kinds(p)}
    case("oversized", {n: "x" * 5000 for n in strings} | {n: ["x"] * 300 for n in lists})
    if out and out[-1].label == "oversized":
        out[-1].bad_fields |= strings | lists
    case("NUL strings", {n: "a\x00b" for n in strings} | {n: ["a\x00b"] for n in lists})
    case("missing required", {})
    if spec.path_params:
        bad_path = {n: "not-a-uuid'--" for n in spec.path_params}
        bad = local_errors(spec, bad_path, strict=False) & set(spec.path_params)
        if bad:
            out.append(Case("malformed path", params={}, bad_fields=bad, path_values=bad_path))
    return out


def cases_of(spec: ApiSpec) -> list[Case]:
    return body_cases(spec) if spec.body_key else query_cases(spec)


def counts(database) -> dict[str, int]:
    with database.read() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


@pytest.mark.parametrize("name", [s.name for s in all_apis()])
def test_malformed_input(api, database, name):
    spec = next(s for s in all_apis() if s.name == name)
    cases = cases_of(spec)
    assert cases, f"no malformed case could be generated for {name}"
    before = counts(database)
    problems = []
    for case in cases:
        path = path_of(spec, case.path_values)
        if spec.body_key:
            r = api.request(spec.method, path, content=case.body, headers={"Content-Type": "application/json"})
        else:
            r = api.request(spec.method, path, params=case.params)
        what = f"{name} [{case.label}] → {r.status_code} {r.text[:300]}"
        if r.status_code == 400:
            assert r.headers["content-type"].startswith("text/plain"), what
            continue
        if r.status_code != 503:
            problems.append(what)
            continue
        err = r.json()["error"]
        if err["code"] != "SYS.1007":
            problems.append(what)
            continue
        missing = [f for f in case.bad_fields if f"field[{f}" not in err["details"]]
        if missing:
            problems.append(f"{what}: fields not named: {missing}")
    assert not problems, "\n".join(problems)
    assert counts(database) == before, f"{name}: malformed input wrote something"
