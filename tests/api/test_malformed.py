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

from tests import factories as f
from tests.api.registry_values import int_fields, is_list, kind_of, uuid_fields, value_for
from zslite.apispec import all_apis
from zslite.apispec.spec import ApiSpec
from zslite.db.base import Base
from zslite.db.models import Job

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


@pytest.mark.one_backend  # refused before the database (values that reach it: test_integer_boundaries, every database)
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


# ---- integer bounds ---------------------------------------------------------------------------------

def boundaries(low: int | None, high: int | None) -> list[tuple[int, bool]]:
    """(value, in range) at and around the declared bounds, and far beyond what any column holds (a side
    without a bound, which test_registry_bounds refuses, takes the extremes as in range)."""
    values = {2**63, -(2**63) - 1, 10**30, -(10**30), -1, 0}
    values |= {low - 1, low} if low is not None else set()
    values |= {high, high + 1} if high is not None else set()
    return [(v, (low is None or low <= v) and (high is None or v <= high)) for v in sorted(values)]


def admin_scene(api, database) -> dict[str, dict]:
    """One real resource of every kind, so that calls with in-range values reach the database."""
    with database.write() as s:
        zone = f.zone(s)
        cluster = f.cluster(s, zone.uuid)
        host = f.host(s, cluster)
        ps = f.primary_storage(s, zone.uuid, cluster_uuids=[cluster.uuid])
        bs = f.backup_storage(s, zone_uuids=[zone.uuid])
        image = f.image(s, backup_storage_uuids=[bs.uuid])
        vm = f.vm(s, cluster, host, ps, image=image)
        own = {"zone": zone.uuid, "cluster": cluster.uuid, "host": host.uuid, "ps": ps.uuid, "bs": bs.uuid,
               "agent": host.uuid, "image": image.uuid, "vm": vm.uuid, "volume": vm.root_volume_uuid,
               "shareable": image.uuid, "taggable": image.uuid, "account": api.account_uuid,
               "session": api.session}
    own["instanceOffering"] = api.ok("CreateInstanceOffering", name="io", cpuNum=1, memorySize=1024**3)["inventory"]["uuid"]
    own["tag"] = api.ok("CreateUserTag", resourceType="ImageVO", resourceUuid=image.uuid, tag="t")["inventory"]["uuid"]
    status, _ = api.call("UpdateImage", uuid=image.uuid, description="d")
    assert status == 200
    with database.read() as s:
        own["job"] = s.scalars(select(Job.uuid)).first()
    return own


def valid_params(spec: ApiSpec, own: dict) -> dict:
    data = {n: value_for(spec, n) for n, info in spec.params.model_fields.items()
            if info.is_required() and n not in uuid_fields(spec)}
    for name in uuid_fields(spec):
        kind = kind_of(spec, name)
        if kind in own:
            info = spec.params.model_fields.get(name)
            data[name] = [own[kind]] if info is not None and is_list(info.annotation) else own[kind]
            if kind == "taggable":
                data["resourceType"] = "ImageVO"
    spec.params.model_validate(data)  # the test's own values are valid: only the integer under test is not
    return data


INT_APIS = [s.name for s in all_apis() if int_fields(s)]


@pytest.mark.parametrize("name", INT_APIS)
def test_integer_boundaries(api, database, name):
    """Every integer parameter at min-1, min, max, max+1, 2**63, 10**30 and negatives, the rest of the
    call valid and naming real resources: in range, never an internal error nor a complaint about that
    field; out of range, SYS.1007 naming it and nothing written."""
    spec = next(s for s in all_apis() if s.name == name)
    own = admin_scene(api, database)
    problems = []
    for field_name, (low, high) in int_fields(spec).items():
        for value, in_range in boundaries(low, high):
            data = {**valid_params(spec, own), field_name: value}
            before = counts(database)
            status, body = api.call(name, **data)
            what = f"{name}.{field_name}={value} → {status} {str(body)[:300]}"
            error = body.get("error") if isinstance(body, dict) else None
            if status not in (200, 503) or (error and error["code"] == "SYS.1000"):
                problems.append(what)
            elif in_range and error and f"field[{field_name}]" in error["details"]:
                problems.append(f"{what}: refused although in range")
            elif not in_range:
                if not (error and error["code"] == "SYS.1007" and f"field[{field_name}]" in error["details"]):
                    problems.append(f"{what}: not refused as SYS.1007 naming the field")
                elif counts(database) != before:
                    problems.append(f"{what}: wrote something")
    assert not problems, "\n".join(problems)
