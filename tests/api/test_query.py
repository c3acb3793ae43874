"""The query engine through QueryZone / QueryAccount (SPEC §2 Query API)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from zslite.db.base import Base
from zslite.db.models import Tag
from tests import factories as f


@pytest.fixture
def zones(api, database):
    """Delta < alpha < beta < gamma in code-point order."""
    with database.write() as s:
        rows = [
            f.zone(s, name="alpha", description="first", is_default=True, create_date=datetime(2026, 1, 1)),
            f.zone(s, name="beta", description=None, state="Disabled", create_date=datetime(2026, 1, 2)),
            f.zone(s, name="gamma", description="third 100%", create_date=datetime(2026, 1, 3)),
            f.zone(s, name="Delta", description="x_y", create_date=datetime(2026, 1, 4, 12, 30)),
        ]
        by_name = {z.name: z.uuid for z in rows}
        s.add(Tag(uuid=f.uid(), kind="System", resource_uuid=by_name["alpha"], resource_type="ZoneVO", tag="a::b",
                  inherent=False, type="System", create_date=f.NOW, last_op_date=f.NOW))
        s.add(Tag(uuid=f.uid(), kind="User", resource_uuid=by_name["beta"], resource_type="ZoneVO", tag="u1",
                  inherent=False, type="User", create_date=f.NOW, last_op_date=f.NOW))
    return by_name


def names(api, *conds, **params) -> list[str]:
    return [z["name"] for z in api.query("QueryZone", *conds, sort="name", **params)]


def counts(database) -> dict[str, int]:
    with database.read() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


@pytest.mark.parametrize("cond, expected", [
    ("name=alpha", ["alpha"]),
    ("name!=alpha", ["Delta", "beta", "gamma"]),
    ("description!=first", ["Delta", "beta", "gamma"]),        # null is "not equal" too
    ("name>beta", ["gamma"]),
    ("name<alpha", ["Delta"]),
    ("name>=beta", ["beta", "gamma"]),
    ("name<=alpha", ["Delta", "alpha"]),
    ("name?=alpha,gamma,nope", ["alpha", "gamma"]),
    ("name!?=alpha,gamma", ["Delta", "beta"]),
    ("description!?=first", ["Delta", "beta", "gamma"]),
    ("name~=%a", ["Delta", "alpha", "beta", "gamma"]),
    ("name~=_e%", ["Delta", "beta"]),
    ("name~=d%", []),                                          # LIKE is case-sensitive on every database
    ("name~=D%", ["Delta"]),
    ("name!~=%mm%", ["Delta", "alpha", "beta"]),
    ("description~=%100\\%", ["gamma"]),                       # \% is a literal %
    ("description~=x\\_y", ["Delta"]),
    ("description~=x\\_%", ["Delta"]),
    ("description!~=%\\%", ["Delta", "alpha", "beta"]),
    ("description is null", ["beta"]),
    ("description not null", ["Delta", "alpha", "gamma"]),
    ("isDefault=true", ["alpha"]),
    ("isDefault=false", ["Delta", "beta", "gamma"]),
    ("state=Disabled", ["beta"]),
    ("createDate>2026-01-02T00:00:00Z", ["Delta", "gamma"]),
    ("createDate>=2026-01-02T00:00:00Z", ["Delta", "beta", "gamma"]),
    ("createDate<Jan 2, 2026 12:00:00 AM", ["alpha"]),
    ("createDate<=Jan 2, 2026 12:00:00 AM", ["alpha", "beta"]),
    ("createDate=Jan 4, 2026 12:30:00 PM", ["Delta"]),
    ("createDate=2026-01-04T20:30:00+08:00", ["Delta"]),
    ("__systemTag__=a::b", ["alpha"]),
    ("__systemTag__~=a::%", ["alpha"]),
    ("__userTag__=u1", ["beta"]),
    ("__userTag__=a::b", []),
    ("__systemTag__!=a::b", []),  # zones having a system tag other than a::b: none
])
def test_operators(api, zones, cond, expected):
    assert names(api, cond) == expected


def test_conditions_are_anded_and_plus_is_a_space(api, zones):
    assert names(api, "state=Enabled", "name~=%a") == ["Delta", "alpha", "gamma"]
    r = api.request("GET", "/zstack/v1/zones?q=description=third+100%25&q=state=Enabled")
    assert [z["name"] for z in r.json()["inventories"]] == ["gamma"]


def test_paging_count_sort_fields(api, zones):
    assert names(api, limit=2) == ["Delta", "alpha"]
    assert names(api, start=1, limit=2) == ["alpha", "beta"]
    assert names(api, start=10) == []
    assert names(api, limit=0) == []
    assert api.ok("QueryZone", count=True) == {"total": 4, "schema": {}}
    assert api.ok("QueryZone", q=["state=Enabled"], count="true")["total"] == 3
    body = api.ok("QueryZone", replyWithCount=True, limit=1, sort="name")
    assert body["total"] == 4 and [z["name"] for z in body["inventories"]] == ["Delta"]
    assert "total" not in api.ok("QueryZone")
    q = lambda **p: [z["name"] for z in api.query("QueryZone", **p)]  # noqa: E731
    assert q(sort="+name") == q(sort="name") == ["Delta", "alpha", "beta", "gamma"]
    assert q(sort="-name") == ["gamma", "beta", "alpha", "Delta"]
    assert q(sortBy="name", sortDirection="desc") == ["gamma", "beta", "alpha", "Delta"]
    assert q(sortBy="createDate") == ["alpha", "beta", "gamma", "Delta"]
    assert q(sort="-createDate", limit=1) == ["Delta"]
    invs = api.query("QueryZone", fields="name,uuid", sort="name")
    assert invs[0] == {"name": "Delta", "uuid": zones["Delta"]}
    invs = api.query("QueryZone", fields=["name", "state"], sort="name")
    assert invs[1] == {"name": "alpha", "state": "Enabled"}
    assert names(api, groupBy="name", filterName="x") == ["Delta", "alpha", "beta", "gamma"]


def test_default_limit_is_1000(api, database):
    with database.write() as s:
        s.execute(f.m.Zone.__table__.insert(), [
            {"uuid": f.uid(), "name": f"z{i:04d}", "state": "Enabled", "type": "zstack", "is_default": False,
             "create_date": f.NOW, "last_op_date": f.NOW} for i in range(1001)])
    assert len(api.query("QueryZone")) == 1000
    assert api.ok("QueryZone", replyWithCount=True, limit=5)["total"] == 1001
    assert len(api.query("QueryZone", limit=1001)) == 1001


def test_query_by_uuid_path(api, zones):
    r = api.request("GET", f"/zstack/v1/zones/{zones['beta']}")
    assert r.status_code == 200 and [z["name"] for z in r.json()["inventories"]] == ["beta"]
    r = api.request("GET", f"/v1/zones/{'0' * 32}")
    assert r.status_code == 200 and r.json()["inventories"] == []


@pytest.mark.one_backend  # refused before the database: the HTTP layer's rule
@pytest.mark.parametrize("params, field", [
    ({"q": ["bogus=1"]}, "bogus"),
    ({"q": ["name=a", "nosuch~=x"]}, "nosuch"),
    ({"q": ["zone.name=x"]}, "zone.name"),
    ({"q": ["bogus is null"]}, "bogus"),
    ({"sort": "bogus"}, "bogus"),
    ({"sortBy": "nosort"}, "nosort"),
    ({"fields": "name,bogusfield"}, "bogusfield"),
    ({"q": ["isDefault=yes"]}, "isDefault"),
    ({"q": ["createDate>tomorrow"]}, "createDate"),
    ({"q": ["createDate>0001-01-01T00:00:00+01:00"]}, "createDate"),
    ({"q": ["isDefault~=t%"]}, "isDefault"),
    ({"q": ["name~=abc\\"]}, "name"),
    ({"limit": -1}, "limit"),
    ({"limit": "abc"}, "limit"),
    ({"start": -1}, "start"),
    ({"start": 10**30}, "start"),
    ({"sortDirection": "sideways"}, "sortDirection"),
    ({"count": "maybe"}, "count"),
])
def test_invalid_query_is_sys_1007_naming_the_field(api, zones, params, field):
    err = api.fail("QueryZone", "SYS.1007", **params)
    assert field in err["details"], err


@pytest.mark.one_backend  # refused before the database: the HTTP layer's rule
@pytest.mark.parametrize("cond", ["name", "=x", "name =x", "name is", "1x=2", "name isnull", "na-me=x", "",
                                  "name.=x"])
def test_unparseable_condition_is_400(api, zones, cond):
    r = api.request("GET", "/zstack/v1/zones", params={"q": cond})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain"), r.text


@pytest.mark.one_backend  # refused before the database: the HTTP layer's rule
@pytest.mark.parametrize("sort", ["+", "-", "--name", "na me"])
def test_unparseable_sort_is_400(api, zones, sort):
    assert api.request("GET", "/zstack/v1/zones", params={"sort": sort}).status_code == 400


HOSTILE = ["'", "''", '"', "\\", "\\'", "%", "_", ";", "' OR 1=1 --", "'; DROP TABLE zones; --", "a' OR 'a'='a",
           "1; SELECT * FROM accounts", "$1", "?", ":name", "%s", "{0}", "区域🚀zoné", "\u202e\u0000x",
           "x" * 4000, "\x00", "a\x00b", "é" * 255, "NULL", "null", "\r\n", "\t", "\\%", "\ud7ff"]


def test_hostile_values_change_nothing_and_never_500(api, zones, database):
    before = counts(database)
    for value in HOSTILE:
        for op in ("=", "!=", "?=", "!?=", "~=", "!~=", ">", "<"):
            r = api.request("GET", "/zstack/v1/zones", params={"q": f"name{op}{value}"})
            assert r.status_code in (200, 503), (op, value, r.status_code, r.text)
            if r.status_code == 503:
                assert r.json()["error"]["code"] == "SYS.1007", (op, value, r.text)
                assert "\x00" in value or value.endswith("\\"), (op, value, r.text)
            elif op == "=":
                assert r.json()["inventories"] == [], value
            elif op in ("!=", "!?="):
                assert len(r.json()["inventories"]) == 4, (op, value)
        for param in ("sort", "sortBy", "fields", "groupBy", "filterName", "limit", "start"):
            r = api.request("GET", "/zstack/v1/zones", params={param: value})
            assert r.status_code in (200, 400, 503), (param, value, r.status_code)
            if r.status_code == 503:
                assert r.json()["error"]["code"] == "SYS.1007"
    r = api.request("GET", "/zstack/v1/zones", params={"q": "name=" + "x" * 10_000})
    assert r.status_code == 503 and r.json()["error"]["code"] == "SYS.1007"
    r = api.request("GET", "/zstack/v1/zones", params={"q": ["name=a"] * 100})
    assert r.status_code == 503 and r.json()["error"]["code"] == "SYS.1007"
    assert counts(database) == before
    assert names(api) == ["Delta", "alpha", "beta", "gamma"]


@pytest.mark.parametrize("value", ["' OR 1=1 --", "%", "_", "a;b", "区域🚀zoné", "50%_off\\x", "O'Brien \"q\""])
def test_hostile_names_are_found_exactly(api, zones, value):
    uuid = api.ok("CreateZone", name=value)["inventory"]["uuid"]
    assert [z["uuid"] for z in api.query("QueryZone", f"name={value}")] == [uuid]
    assert [z["uuid"] for z in api.query("QueryZone", f"name?={value},alpha", sort="name")][-1:] != []
    assert api.query("QueryZone", f"uuid={uuid}")[0]["name"] == value


def test_visibility(api, zones, as_account):
    alice = as_account("alice")
    as_account("bob")
    assert names(alice) == ["Delta", "alpha", "beta", "gamma"]  # zones are public to read
    assert [a["name"] for a in alice.query("QueryAccount")] == ["alice"]
    assert alice.query("QueryAccount", "name=bob") == []
    assert alice.query("QueryAccount", "name!=alice") == []
    assert alice.ok("QueryAccount", replyWithCount=True)["total"] == 1
    assert sorted(a["name"] for a in api.query("QueryAccount")) == ["admin", "alice", "bob"]


def test_query_replies_carry_the_schema_map(api, zones):
    body = api.ok("QueryZone", sort="name", limit=2)
    assert body["schema"] == {"inventories[0]": "org.zstack.header.zone.ZoneInventory",
                              "inventories[1]": "org.zstack.header.zone.ZoneInventory"}
    assert api.ok("QueryZone", q=["name=none"])["schema"] == {}


def test_relations_do_not_reach_what_the_caller_may_not_see(api, as_account, database):
    """A normal account cannot probe hosts through its own VM's relation, nor others' images."""
    from tests import factories as f
    alice = as_account("alice")
    with database.write() as s:
        zone = f.zone(s)
        cluster = f.cluster(s, zone.uuid)
        host = f.host(s, cluster, name="secret-host")
        ps = f.primary_storage(s, zone.uuid, cluster_uuids=[cluster.uuid])
        private = f.image(s, name="admin-private")
        vm = f.vm(s, cluster, host, ps, image=private, account_uuid=alice.account_uuid)
    assert [v["uuid"] for v in api.query("QueryVmInstance", "host.name=secret-host")] == [vm.uuid]
    assert alice.query("QueryVmInstance", "host.name=secret-host") == []
    assert [v["uuid"] for v in alice.query("QueryVmInstance", "zone.uuid=" + zone.uuid)] == [vm.uuid]
    assert alice.query("QueryVmInstance", "image.name=admin-private") == []
    assert [v["uuid"] for v in api.query("QueryVmInstance", "image.name=admin-private")] == [vm.uuid]


def test_one_statement_per_shape_serves_every_caller_and_value(api, as_account, database):
    """Statements are kept per query shape (query/run.py): the values, the page and the caller's account
    are bound at each call, so two tenants asking the same question see each their own answer."""
    from tests import factories as f
    alice, bob = as_account("alice"), as_account("bob")
    with database.write() as s:
        mine = {who.account_uuid: [f.image(s, name=f"{name}-{n}", account_uuid=who.account_uuid).uuid
                                   for n in range(3)] for who, name in ((alice, "a"), (bob, "b"))}
    for who in (alice, bob, alice):
        got = who.query("QueryImage", "name~=%-1", sort="name")
        assert [i["uuid"] for i in got] == [mine[who.account_uuid][1]]
        page = who.ok("QueryImage", q=["name~=%"], sort="name", start=1, limit=1, replyWithCount=True)
        assert page["total"] == 3 and [i["uuid"] for i in page["inventories"]] == [mine[who.account_uuid][1]]
    assert {i["uuid"] for i in api.query("QueryImage", "name~=%-1")} == {mine[alice.account_uuid][1],
                                                                        mine[bob.account_uuid][1]}
    assert [i["name"] for i in alice.query("QueryImage", "name=a-2")] == ["a-2"]
    assert alice.query("QueryImage", "name=b-2") == []  # the same shape: bob's image stays his


def test_filtered_pages_are_slices_of_the_sorted_matches(api, as_account, database):
    """A filtered query pages its uuids first and reads their rows after (query/run.page_of): every page,
    in each sort, for admin and for a tenant, is the slice of all matching rows sorted (uuid breaks ties)."""
    import random

    alice = as_account("alice")
    rng = random.Random(11)
    with database.write() as s:
        bs = f.backup_storage(s)
        rows = []  # (uuid, name, state, owner, has a ref on bs)
        for n in range(40):
            owner = alice.account_uuid if n % 3 else None
            on_bs = rng.random() < 0.7
            image = f.image(s, account_uuid=owner, name=rng.choice("abc") + str(rng.randrange(3)),
                            state=rng.choice(["Enabled", "Disabled"]), backup_storage_uuids=[bs.uuid] if on_bs else ())
            rows.append((image.uuid, image.name, image.state, owner, on_bs))
    conditions = ["name~=%", "state=Enabled", f"backupStorageRefs.backupStorageUuid={bs.uuid}"]
    for who, mine in ((api, lambda r: True), (alice, lambda r: r[3] == alice.account_uuid)):
        matching = sorted((r for r in rows if mine(r) and r[2] == "Enabled" and r[4]), key=lambda r: r[0])
        assert len(matching) > 6
        # Python's sorts are stable: by uuid first, then by name keeps uuid order within a name
        for sort, ordered in ((None, matching), ("name", sorted(matching, key=lambda r: r[1])),
                              ("-name", sorted(matching, key=lambda r: r[1], reverse=True))):
            for start, limit in ((0, 100), (0, 3), (2, 4), (len(matching) - 1, 5), (len(matching), 5)):
                page = who.query("QueryImage", *conditions, start=start, limit=limit, **({"sort": sort} if sort else {}))
                assert [i["uuid"] for i in page] == [r[0] for r in ordered[start:start + limit]], (sort, start, limit)
                assert all(i["state"] == "Enabled" and i["backupStorageRefs"] for i in page)


def integer_fields() -> list[tuple[str, str, tuple[int, int]]]:
    """(Query API, field, the values its column holds) for every integer column any Query API filters on."""
    from zslite.apispec import all_apis
    from zslite.query import resources
    from zslite.query.compiler import Computed, int_bounds

    out = []
    for spec in all_apis():
        if spec.query is None:
            continue
        res = resources.get(spec.query)
        for wire, attr in sorted(res.fields.items()):
            if isinstance(attr, Computed):
                continue
            col = getattr(res.model, attr)
            if getattr(col.type, "python_type", None) is int:
                out.append((spec.name, wire, int_bounds(col)))
    return out


INTEGER_FIELDS = integer_fields()


def test_every_query_resource_has_integer_fields_to_check():
    assert {api for api, _, _ in INTEGER_FIELDS} >= {"QueryHost", "QueryVmInstance", "QueryInstanceOffering",
                                                      "QueryImage", "QueryVolume", "QueryImageChangePlan"}


def test_condition_values_beyond_a_column_are_sys_1007_on_every_database(api):
    """A value an integer column cannot hold is refused before the database, for every integer field of
    every Query API (PostgreSQL refuses even to compare a 32-bit column with a value beyond it)."""
    for name, field, (low, high) in INTEGER_FIELDS:
        for cond in (f"{field}={high}", f"{field}<{low}", f"{field}?={low},{high}"):
            status, body = api.call(name, q=cond)
            assert status == 200, (name, cond, body)
        for cond in (f"{field}={high + 1}", f"{field}>{low - 1}", f"{field}!={2**63}", f"{field}?=1,{high + 1}"):
            err = api.fail(name, "SYS.1007", q=cond)
            assert field in err["details"] and "out of range" in err["details"], (name, cond, err)
