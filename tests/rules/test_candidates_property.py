"""Property tests: on random topologies, the rule engine (SQL list and explain) equals the reference
model, for every VM and every account; and a fleet plan's dry run gives every VM the verdict the model
gives (WillChange exactly when the image is a candidate and ChangeVmImage's checks pass; Refused with
ChangeVmImage's error and explain's reasons otherwise), on every database.

ZSLITE_HYPOTHESIS_EXAMPLES sets the number of examples: 200 by default on the first database (SQLite),
a quarter of that on each other one."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st, target

from tests import factories as f
from tests.conftest import selected_backends, wipe
from tests.rules import model as M
from zslite.apispec.candidates import GetImageCandidatesParams
from zslite.clock import Clock
from zslite.errors import InvalidArgument
from zslite.ids import new_uuid
from zslite.services.candidates import get_image_candidates
from zslite.context import ADMIN_ACCOUNT_UUID, Caller, Ctx

EXAMPLES = int(os.environ.get("ZSLITE_HYPOTHESIS_EXAMPLES", "200"))
ZONES = ("z0", "z1")
ACCOUNTS = (M.ADMIN, "a1", "a2")
NAMES = ("a", "A", "b", "B", "a ", "ab", "Ä", "_x", "%")

bs_st = st.fixed_dictionaries({
    "type": st.sampled_from(["ImageStoreBackupStorage", "SftpBackupStorage", "Ceph"]),
    "state": st.sampled_from(["Enabled"] * 4 + ["Disabled"]),
    "status": st.sampled_from(["Connected"] * 5 + ["Disconnected", "Connecting"]),
    "fsid": st.sampled_from(["f1", "f2"]),
    "zones": st.sampled_from([{"z0", "z1"}, {"z0", "z1"}, {"z0"}, {"z1"}, set()]),
})

image_st = st.fixed_dictionaries({
    "name": st.sampled_from(NAMES),
    "media_type": st.sampled_from(["RootVolumeTemplate"] * 5 + ["DataVolumeTemplate", "ISO"]),
    "state": st.sampled_from(["Enabled"] * 4 + ["Disabled"]),
    "status": st.sampled_from(["Ready"] * 8 + ["Downloading", "Error", "Deleted", "Creating"]),
    "system": st.sampled_from([False, False, False, True]),
    "arch": st.sampled_from(["x86_64"] * 4 + ["aarch64"]),
    "owner": st.sampled_from(ACCOUNTS),
    "shared_with": st.sets(st.sampled_from(ACCOUNTS[1:])),
    "public": st.booleans(),
    "refs": st.dictionaries(st.integers(0, 4), st.sampled_from(["Ready"] * 5 + ["Downloading", "Error"]),
                            max_size=3),
})

vm_st = st.fixed_dictionaries({
    "cluster": st.integers(0, 2),
    "ps_type": st.sampled_from(["LocalStorage", "NFS", "SharedMountPoint", "Ceph", "Ceph", None]),
    "ps_fsid": st.sampled_from(["f1", "f2"]),
    "owner": st.sampled_from(ACCOUNTS),
    # what ChangeVmImage's checks read (SPEC §5); the candidate rules ignore it
    "state": st.sampled_from(["Stopped"] * 4 + ["Running", "Running", "Paused"]),
    "type": st.sampled_from(["UserVm"] * 8 + ["ApplianceVm"]),
    "ps_state": st.sampled_from(["Enabled"] * 6 + ["Disabled", "Maintenance"]),
    "ps_status": st.sampled_from(["Connected"] * 6 + ["Disconnected"]),
})

host_st = st.sampled_from([("Enabled", "Connected")] * 4 + [("Disabled", "Connected"), ("Enabled", "Disconnected"),
                                                            ("Maintenance", "Connected")])

topology_st = st.fixed_dictionaries({
    # zone, architecture, the VMs' host, another host of the cluster (or none)
    "clusters": st.lists(st.tuples(st.sampled_from(ZONES), st.sampled_from(["x86_64"] * 3 + ["aarch64"]), host_st,
                                   st.one_of(st.none(), host_st)), min_size=3, max_size=3),
    "storages": st.lists(bs_st, min_size=1, max_size=5),
    "images": st.lists(image_st, max_size=8),
    "vms": st.lists(vm_st, min_size=1, max_size=3),
})


def build(database, topo):
    """Insert the topology; return the model's view of it plus callers."""
    wipe(database)
    with database.write() as s:
        from zslite.services.accounts import ensure_admin  # noqa: F401  (admin row needed for FKs)
        f.account(s, name="admin", uuid=ADMIN_ACCOUNT_UUID, type="SystemAdmin")
        accounts = {M.ADMIN: ADMIN_ACCOUNT_UUID}
        for name in ACCOUNTS[1:]:
            accounts[name] = f.account(s, name=name).uuid
        zones = {z: f.zone(s).uuid for z in ZONES}
        clusters = []
        ok = ("Enabled", "Connected")
        for zone_key, arch, (h_state, h_status), other in topo["clusters"]:
            c = f.cluster(s, zones[zone_key], architecture=arch)
            if other is not None:
                f.host(s, c, state=other[0], status=other[1])
            clusters.append((c, zone_key, arch, f.host(s, c, state=h_state, status=h_status),
                             (h_state, h_status) == ok, other == ok))
        storages: dict[str, M.BS] = {}
        bs_rows = []
        for b in topo["storages"]:
            row = f.backup_storage(s, type=b["type"], zone_uuids=[zones[z] for z in b["zones"]], state=b["state"],
                                   status=b["status"], fsid=b["fsid"])
            bs_rows.append(row)
            storages[row.uuid] = M.BS(row.uuid, row.name, b["type"], b["state"], b["status"],
                                      row.fsid, {zones[z] for z in b["zones"]})
        images = []
        for i in topo["images"]:
            row = f.image(s, account_uuid=accounts[i["owner"]], name=i["name"], media_type=i["media_type"],
                          state=i["state"], status=i["status"], system=i["system"], architecture=i["arch"])
            refs = []
            for idx, status in i["refs"].items():
                if idx < len(bs_rows):
                    f.image_ref(s, row.uuid, bs_rows[idx].uuid, status=status)
                    refs.append((bs_rows[idx].uuid, status))
            for who in i["shared_with"]:
                f.share(s, row.uuid, accounts[i["owner"]], receiver=accounts[who])
            if i["public"]:
                f.share(s, row.uuid, accounts[i["owner"]], public=True)
            images.append(M.Img(row.uuid, i["name"], i["media_type"], i["state"], i["status"], i["system"],
                                i["arch"], accounts[i["owner"]], {accounts[w] for w in i["shared_with"]},
                                i["public"], refs))
        vms = []
        for v in topo["vms"]:
            c, zone_key, arch, host, host_ok, other_ok = clusters[v["cluster"]]
            ps = f.primary_storage(s, c.zone_uuid, type=v["ps_type"] or "NFS", cluster_uuids=[c.uuid],
                                   fsid=v["ps_fsid"] if v["ps_type"] == "Ceph" else None, state=v["ps_state"],
                                   status=v["ps_status"])
            row = f.vm(s, c, host, ps, account_uuid=accounts[v["owner"]], with_root=v["ps_type"] is not None,
                       state=v["state"], type=v["type"])
            vms.append(M.VM(row.uuid, zones[zone_key], arch, v["ps_type"],
                            v["ps_fsid"] if v["ps_type"] == "Ceph" else None, accounts[v["owner"]], row.name,
                            v["state"], v["type"], v["ps_state"], v["ps_status"], host_ok, other_ok))
    return accounts, images, storages, vms


def ask(database, caller: Caller, vm_uuid: str) -> dict:
    with database.read() as s:
        ctx = Ctx(db=s, caller=caller, settings=None, clock=Clock(), new_uuid=new_uuid)
        return get_image_candidates(ctx, GetImageCandidatesParams(vmInstanceUuid=vm_uuid, explain=True,
                                                                  replyWithCount=True))


def wire_reasons(entry: dict) -> dict:
    out: dict = {}
    for r in entry["reasons"]:
        if r["code"] == "NO_USABLE_BACKUP_STORAGE":
            out[r["code"]] = {b["uuid"]: sorted(b["codes"]) for b in r["backupStorages"]}
        else:
            out[r["code"]] = None
        assert r["message"], r
    return out


def examples(backend: str) -> int:
    """All the examples on the first database; a quarter of them on the others, which run the same
    topologies through their own SQL (collations, LIKE, NULLs) at a fraction of the suite's time."""
    return EXAMPLES if backend == selected_backends()[0] else max(1, EXAMPLES // 4)


def test_engine_equals_reference_model(database, backend):
    @hsettings(max_examples=examples(backend), deadline=None, suppress_health_check=list(HealthCheck))
    @given(topo=topology_st)
    def run(topo):
        engine_equals_reference_model(database, topo)
    run()


def engine_equals_reference_model(database, topo):
    accounts, images, storages, vms = build(database, topo)
    names = {v: k for k, v in accounts.items()}
    found = 0
    for vm in vms:
        for name, account_uuid in accounts.items():
            caller = Caller(account_uuid, name, name == M.ADMIN)
            model_account = M.ADMIN if name == M.ADMIN else account_uuid
            if name != M.ADMIN and vm.owner != account_uuid:
                try:
                    ask(database, caller, vm.uuid)
                except InvalidArgument as err:
                    assert f"resource[uuid:{vm.uuid}] not found" in err.details
                else:
                    raise AssertionError(f"{name} saw another account's VM {vm.uuid}")
                continue
            body = ask(database, caller, vm.uuid)
            expected, excluded = M.answer(vm, model_account, images, storages)
            found += len(expected)
            got = [i["uuid"] for i in body["inventories"]]
            assert got == expected, (names.get(account_uuid), vm, body)
            assert body["total"] == len(expected)
            for inv in body["inventories"]:
                image = next(i for i in images if i.uuid == inv["uuid"])
                assert sorted(r["backupStorageUuid"] for r in inv["backupStorageRefs"]) == sorted(
                    b for b, _ in image.refs)
            got_excluded = {e["uuid"]: wire_reasons(e) for e in body["excluded"]}
            assert got_excluded == excluded, (vm, got_excluded, excluded)
    target(float(found))  # steer generation towards topologies with many candidates


# ---- a fleet plan's dry run ------------------------------------------------------------------------

# ChangeVmImage's answer for each check of SPEC §5 (code, a fragment of its details)
CHECK_ERRORS = {
    "NOT_OWNER": ("ID.1002", "does not own"),
    "NOT_USER_VM": ("SYS.1007", "only a UserVm"),
    "NOT_STOPPED": ("SYS.1007", "when it's not stopped"),
    "NO_ROOT_VOLUME": ("SYS.1007", "has no root volume"),
    "PS_NOT_READY": ("SYS.1007", "of the root volume is"),
    "LAST_HOST": ("SYS.1007", "the last host"),
    "NO_HOST": ("SYS.1007", "no Enabled and Connected host"),
    "NOT_CANDIDATE": ("SYS.1007", "cannot be changed image to"),
}
assert set(CHECK_ERRORS) == set(M.CHECKS)


def dry_run(database, caller: Caller, image_uuid: str, stop_running: bool) -> dict:
    from zslite.apispec.plans import CreateImageChangePlanParams
    from zslite.config import Settings
    from zslite.services.plans import create_image_change_plan
    params = CreateImageChangePlanParams(imageUuid=image_uuid, conditions=["name~=%"], dryRun=True,
                                         stopRunningVms=stop_running)
    with database.write() as s:
        ctx = Ctx(db=s, caller=caller, settings=Settings(), clock=Clock(), new_uuid=new_uuid)
        return create_image_change_plan(ctx, params)


def test_dry_run_verdicts_equal_the_reference_model(database, backend):
    @hsettings(max_examples=examples(backend), deadline=None, suppress_health_check=list(HealthCheck))
    @given(topo=topology_st, picks=st.lists(st.integers(0, 7), min_size=3, max_size=3),
           stop_running=st.lists(st.booleans(), min_size=3, max_size=3))
    def run(topo, picks, stop_running):
        dry_run_verdicts_equal_the_reference_model(database, topo, picks, stop_running)
    run()


def dry_run_verdicts_equal_the_reference_model(database, topo, picks, stop_running):
    accounts, images, storages, vms = build(database, topo)
    changes = 0
    for (name, account_uuid), pick, stop in zip(accounts.items(), picks, stop_running):
        caller = Caller(account_uuid, name, name == M.ADMIN)
        model_account = M.ADMIN if name == M.ADMIN else account_uuid
        usable = [i for i in images if M.sees(model_account, i)]
        expected_vms = [v for v in vms if name == M.ADMIN or v.owner == account_uuid]
        if not usable or not expected_vms:
            continue
        image = usable[pick % len(usable)]
        plan = dry_run(database, caller, image.uuid, stop)
        expected = M.dry_run(vms, model_account, image, storages, stop)
        assert plan["state"] == "Planned"
        assert [v["vmInstanceUuid"] for v in plan["vms"]] == [e[0] for e in expected]
        explained = {vm.uuid: ask(database, caller, vm.uuid)["excluded"] for vm in expected_vms}
        for got, (vm_uuid, state, refusal, reasons) in zip(plan["vms"], expected):
            assert got["state"] == state, (got, refusal)
            if refusal is None:
                assert "error" not in got
                changes += 1
            else:
                code, fragment = CHECK_ERRORS[refusal]
                assert got["error"]["code"] == code and fragment in got["error"]["details"], (refusal, got)
            if reasons:  # the very codes and texts explain gives for this VM
                assert wire_reasons({"reasons": got["reasons"]}) == reasons
                entry = next(e for e in explained[vm_uuid] if e["uuid"] == image.uuid)
                assert got["reasons"] == entry["reasons"]
                if refusal == "NOT_CANDIDATE":
                    assert got["error"]["opaque"]["reasons"] == entry["reasons"]
            else:
                assert "reasons" not in got
                assert all(e["uuid"] != image.uuid for e in explained[vm_uuid])
    target(float(changes))  # steer generation towards plans with VMs that will change
