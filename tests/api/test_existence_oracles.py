"""Existence oracles (SPEC §6): a resource a caller may not see is indistinguishable from an unknown
uuid, in every API of the registry.

For every API that takes a resource uuid (a path parameter, or a field typed `Uuid` or a list of
them, found from the params models — so a new API is covered the day it is declared), a second
tenant (bob) calls it with the real uuid of each resource of the right kind he may not see (the
first tenant's, and admin's private ones), then with a random uuid; the full answers (HTTP status,
error code, description, details, opaque, with the uuid replaced by a placeholder) must be equal.
The other parameters are bob's own resources, so the call reaches the uuid under test; a call that
fails before reaching it is reported, not passed.

The test fails for an API taking a uuid whose kind it does not know, so adding an API forces the
test (and its author) to say what the uuid names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from pydantic import ValidationError

from tests import factories as f
from tests.conftest import new_account, test_settings, wipe
from tests.api.registry_values import GIB, is_list, kind_of, uuid_fields, value_for
from tests.support import ApiClient
from zslite.apispec import all_apis
from zslite.apispec import api as spec_of
from zslite.apispec.spec import ApiSpec
from zslite.context import ADMIN_ACCOUNT_UUID
from zslite.ids import new_uuid

# kinds with nothing a normal account may not see, and why
NOTHING_PRIVATE = {
    "zone": "every account reads zones (SPEC §6)",
    "cluster": "every account reads clusters (SPEC §6)",
    "instanceOffering": "every account reads instance offerings (SPEC §6)",
    "l3Network": "zslite has no L3 networks: their uuids are accepted and ignored",
}
# uuids the comparison does not apply to, and why
EXEMPT = {
    "session": "a session uuid is the session itself: naming one is holding it",
}
# fields the service accepts and does not use (a uuid it never looks at tells nothing), and why
IGNORED = {
    ("DeleteImage", "backupStorageUuids"): "an image is deleted from all its backup storages at once",
    ("RecoverImage", "backupStorageUuids"): "an image is recovered on all its backup storages at once",
    ("ExpungeImage", "backupStorageUuids"): "an image is expunged from all its backup storages at once",
}
# SPEC §6: a normal account may name infrastructure it cannot read where an API needs it
MAY_NAME_INFRASTRUCTURE = {("AddImage", "backupStorageUuids"), ("CreateVmInstance", "zoneUuid"),
                           ("CreateVmInstance", "clusterUuid"), ("CreateVmInstance", "hostUuid"),
                           ("CreateVmInstance", "primaryStorageUuidForRootVolume")}


@dataclass
class Real:
    label: str
    uuid: str
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    admin: ApiClient
    bob: ApiClient
    own: dict[str, Real]           # bob's own resource of each kind (or infrastructure he may name)
    private: dict[str, list[Real]]  # what bob may not see, by kind
    watched: list[tuple[str, str]]  # (API to read it as its owner, uuid) of the private resources


def build(api, database, as_account) -> World:
    alice, bob = as_account("alice"), as_account("bob")
    with database.write() as s:
        zone = f.zone(s)
        cluster = f.cluster(s, zone.uuid)
        host = f.host(s, cluster)
        ps = f.primary_storage(s, zone.uuid, cluster_uuids=[cluster.uuid])
        bs = f.backup_storage(s, zone_uuids=[zone.uuid])
        offering_uuid = f.uid()
        s.add(f.m.InstanceOffering(uuid=offering_uuid, name="io", cpu_num=1, memory_size=GIB, cpu_speed=0,
                                   sort_key=0, state="Enabled", type="UserVm", create_date=f.NOW,
                                   last_op_date=f.NOW))
        f.own(s, offering_uuid, "InstanceOfferingVO")
        images, vms, volumes = {}, {}, {}
        for who, account in (("alice", alice.account_uuid), ("admin", ADMIN_ACCOUNT_UUID), ("bob", bob.account_uuid)):
            image = f.image(s, account_uuid=account, backup_storage_uuids=[bs.uuid], name=f"{who}-image")
            vm = f.vm(s, cluster, host, ps, image=image, account_uuid=account, name=f"{who}-vm")
            images[who], vms[who], volumes[who] = image.uuid, vm.uuid, vm.root_volume_uuid
    tags, jobs = {}, {}
    for who, client in (("alice", alice), ("admin", api), ("bob", bob)):
        tags[who] = [client.ok(kind, resourceType="ImageVO", resourceUuid=images[who], tag=f"{who}::tag")["inventory"]
                     ["uuid"] for kind in ("CreateSystemTag", "CreateUserTag")]
        jobs[who] = client.request("PUT", f"/zstack/v1/images/{images[who]}/actions",
                                   json={"updateImage": {"description": "x"}}).json()["location"].rsplit("/", 1)[1]
    for who, client in (("alice", alice), ("admin", api), ("bob", bob)):
        assert client.wait(f"/zstack/v1/api-jobs/{jobs[who]}").status_code == 200
    plans = {who: client.ok("CreateImageChangePlan", imageUuid=images[who], vmInstanceUuids=[vms[who]],
                            dryRun=True)["inventory"]["uuid"]
             for who, client in (("alice", alice), ("admin", api), ("bob", bob))}

    def both(kind, uuids):
        return [Real(f"{who}'s {kind}", uuids[who]) for who in ("alice", "admin")]

    taggable = [Real(f"{who}'s {t}", u, {"resourceType": t}) for who in ("alice", "admin")
                for t, u in (("ImageVO", images[who]), ("VmInstanceVO", vms[who]), ("VolumeVO", volumes[who]))]
    taggable += [Real(f"admin's {t}", u, {"resourceType": t})
                 for t, u in (("HostVO", host.uuid), ("PrimaryStorageVO", ps.uuid), ("BackupStorageVO", bs.uuid))]
    private = {
        "image": both("image", images), "vm": both("vm", vms), "volume": both("volume", volumes),
        "tag": [Real(f"{who}'s tag", u) for who in ("alice", "admin") for u in tags[who]],
        "account": [Real("alice's account", alice.account_uuid), Real("admin's account", ADMIN_ACCOUNT_UUID)],
        "job": both("job", jobs), "plan": both("image change plan", plans),
        "host": [Real("admin's host", host.uuid)], "ps": [Real("admin's primary storage", ps.uuid)],
        "bs": [Real("admin's backup storage", bs.uuid)],
        "agent": [Real("admin's host", host.uuid), Real("admin's primary storage", ps.uuid),
                  Real("admin's backup storage", bs.uuid)],
        "shareable": both("image", images) + both("vm", vms),
        "taggable": taggable,
        # the management node serving the test (QueryManagementNode is admin-only)
        "managementNode": [Real("the management node", api.http.app.state.zs.node.uuid)],
        # a caller-chosen uuid that collides: whoever owns the resource, "already exists" (SPEC §6)
        "new": both("image", images) + both("vm", vms) + both("volume", volumes),
    }
    own = {"image": Real("bob's image", images["bob"]), "vm": Real("bob's vm", vms["bob"]),
           "volume": Real("bob's volume", volumes["bob"]), "tag": Real("bob's tag", tags["bob"][0]),
           "account": Real("bob's account", bob.account_uuid), "job": Real("bob's job", jobs["bob"]),
           "plan": Real("bob's image change plan", plans["bob"]),
           "host": Real("a host", host.uuid), "ps": Real("a primary storage", ps.uuid),
           "bs": Real("a backup storage", bs.uuid), "agent": Real("a host", host.uuid),
           "zone": Real("a zone", zone.uuid), "cluster": Real("a cluster", cluster.uuid),
           "instanceOffering": Real("an offering", offering_uuid), "l3Network": Real("an l3 network", new_uuid()),
           "shareable": Real("bob's image", images["bob"]),
           "taggable": Real("bob's image", images["bob"], {"resourceType": "ImageVO"})}
    watched = [("QueryImage", images[w]) for w in ("alice", "admin")] + \
              [("QueryVmInstance", vms[w]) for w in ("alice", "admin")] + \
              [("QueryVolume", volumes[w]) for w in ("alice", "admin")] + \
              [("QueryImageChangePlan", plans[w]) for w in ("alice", "admin")]
    return World(api, bob, own, private, watched)


def params_for(spec: ApiSpec, world: World, tested: str, value: Real) -> dict:
    """Valid parameters for bob: required fields, bob's own resource for every other uuid, `value` in `tested`."""
    fields = spec.params.model_fields
    data = {n: value_for(spec, n) for n, info in fields.items() if info.is_required() and n not in uuid_fields(spec)}
    for name in uuid_fields(spec):
        kind = kind_of(spec, name)
        real = value if name == tested else world.own.get(kind)
        if real is None:  # a creation's uuid (not named unless tested), a session
            continue
        data[name] = [real.uuid] if name in fields and is_list(fields[name].annotation) else real.uuid
        data.update(real.extra)
    try:
        spec.params.model_validate(data)
    except ValidationError as exc:
        pytest.fail(f"{spec.name}: the test cannot build valid parameters ({exc}); add the field to VALID in tests/api/registry_values.py")
    return data


def answer(world: World, spec: ApiSpec, data: dict, uuid: str) -> tuple:
    status, body = world.bob.call(spec.name, **data)
    text = body if isinstance(body, str) else json.dumps(body, sort_keys=True)
    return status, text.replace(uuid, "<uuid>")


ADMIN_ONLY = "is for admin only"


def reached(spec: ApiSpec, status: int, text: str) -> bool:
    """The random uuid's answer shows the call got to it: it names it (not found), it succeeded, or
    the API is admin-only (nothing further is looked at for a normal account)."""
    return "<uuid>" in text or status == 200 or (spec.role == "admin" and ADMIN_ONLY in text)


APIS_WITH_UUIDS = [s.name for s in all_apis() if uuid_fields(s)]


def test_every_uuid_field_has_a_known_kind():
    unknown = [(s.name, n) for s in all_apis() for n in uuid_fields(s) if kind_of(s, n) is None]
    assert not unknown, (f"these APIs take uuids the oracle test does not know: {unknown}; say what each names "
                         "in FIELD_KINDS or PATH_KINDS of tests/api/registry_values.py")
    assert len(APIS_WITH_UUIDS) > 40


@pytest.fixture(scope="module")
def world(backend, _backends, tmp_path_factory):
    """One scene per database for every API of the module (building it is most of the work of a test).
    Bob's calls either fail, or succeed on his own resources or on a new uuid: the scene stays valid
    for the next API, and each test checks that nothing reached the others' resources."""
    from starlette.testclient import TestClient

    from zslite.server.app import create_app

    url = _backends.url(backend)
    database = _backends.databases[backend]
    wipe(database)
    app = create_app(test_settings(url, tmp_path_factory.mktemp("oracles")), database=database)
    with TestClient(app, base_url="http://testserver") as http:
        admin = ApiClient(http)
        admin.login("admin", "password")
        yield build(admin, database, lambda name: new_account(admin, name))


@pytest.mark.parametrize("name", APIS_WITH_UUIDS)
def test_invisible_is_unknown(world, name):
    spec = spec_of(name)
    api = world.admin
    problems, compared = [], 0
    snapshot = {uuid: api.ok(query, uuid=uuid)["inventories"] for query, uuid in world.watched}
    for tested in uuid_fields(spec):
        kind = kind_of(spec, tested)
        assert kind is not None, f"{name}.{tested}: unknown kind (see test_every_uuid_field_has_a_known_kind)"
        if kind in EXEMPT or (name, tested) in MAY_NAME_INFRASTRUCTURE or (name, tested) in IGNORED:
            continue
        reals = world.private.get(kind)
        if reals is None:
            assert kind in NOTHING_PRIVATE, f"{name}.{tested}: no private resource of kind {kind} in the scene"
            continue
        assert reals, f"{name}.{tested}: the scene has no {kind} that bob may not see"
        for real in reals:
            random = Real("a random uuid", new_uuid(), real.extra)
            unknown = answer(world, spec, params_for(spec, world, tested, random), random.uuid)
            if kind == "new":
                # SPEC §6's one exception: a caller-chosen uuid that collides is "already exists", whoever owns it
                got = answer(world, spec, params_for(spec, world, tested, real), real.uuid)
                admin_only = spec.role == "admin" and ADMIN_ONLY in unknown[1]
                collides = got[0] == 503 and '"SYS.1006"' in got[1] and "already exists" in got[1]
                if not (got == unknown if admin_only else collides):
                    problems.append(f"{name}.{tested} = {real.label}: {got} (a random one: {unknown})")
                continue
            if not reached(spec, *unknown):
                problems.append(f"{name}.{tested}: the call with a random uuid stopped before looking at it: "
                                f"{unknown}; give the test a scene in which it gets there")
                continue
            got = answer(world, spec, params_for(spec, world, tested, real), real.uuid)
            compared += 1
            if got != unknown:
                problems.append(f"{name}.{tested} = {real.label}:\n    {got}\n  a random uuid:\n    {unknown}")
    assert not problems, "an invisible resource answers otherwise than an unknown one:\n" + "\n".join(problems)
    # nothing bob did reached the others' resources
    assert {uuid: api.ok(query, uuid=uuid)["inventories"] for query, uuid in world.watched} == snapshot
    if not any(kind_of(spec, n) in EXEMPT or kind_of(spec, n) in NOTHING_PRIVATE or (name, n) in MAY_NAME_INFRASTRUCTURE
               or (name, n) in IGNORED or kind_of(spec, n) == "new" for n in uuid_fields(spec)):
        assert compared, f"{name}: nothing was compared"
