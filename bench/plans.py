"""Issue 13: a fleet image change plan over 1,000 VMs (--quick: 200) on each database.

A throwaway database per backend, loaded in bulk: one zone, one x86_64 cluster with 4 hosts, one NFS
primary storage, one image-store backup storage, two images A and B (each a candidate for every VM), and
the fleet: N Stopped VMs on A with their root volumes, plus 50 other images in the catalog. Measured:

- in-process, the dry run's statements (a before_cursor_execute listener): for 1 VM and for the whole
  fleet — the same fixed count, not one explain per image per VM;
- through a live `zslite serve` (ZSLITE_PLAN_WORKERS=32, so that one node can hold 32 VMs at once):
  the dry run (POST to the job's result), then real runs with maxConcurrency 1, 8 and 32 (POST to the
  plan's end: wall time, VM changes per second), then the same N changes as single ChangeVmImage jobs,
  all submitted at once (bench/measure.change_image_jobs), for comparison.
Every run switches the whole fleet between A and B, so each selection (imageUuid=<current>) is all of it.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from sqlalchemy import event

from bench import dataset as ds
from bench import measure as ms

COUNT_SQL_SKIP = ("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")
CONCURRENCY = (1, 8, 32)
GIB = 1024**3


def _u(n: int, k: int) -> str:
    return f"{k:08x}{n:024x}"


def load_fleet(database, n_vms: int) -> dict:
    now, admin = ds.NOW, ds.ADMIN_ACCOUNT_UUID
    zone, cluster, ps, bs = _u(1, 1), _u(1, 2), _u(1, 3), _u(1, 4)
    hosts = [_u(h, 5) for h in range(4)]
    image_a, image_b = _u(1, 6), _u(2, 6)
    owners = [(zone, "ZoneVO", admin, now), (cluster, "ClusterVO", admin, now), (ps, "PrimaryStorageVO", admin, now),
              (bs, "BackupStorageVO", admin, now)] + [(h, "HostVO", admin, now) for h in hosts]
    images = [ds._image_row(image_a, "CentOS-7", "RootVolumeTemplate", "Enabled", "Ready", False, "x86_64"),
              ds._image_row(image_b, "Rocky-9", "RootVolumeTemplate", "Enabled", "Ready", False, "x86_64")]
    images += [ds._image_row(_u(i, 7), f"other-{i}", "RootVolumeTemplate", "Enabled", "Ready", False, "x86_64")
               for i in range(50)]
    refs = [ds._ref_row(i[0], bs) for i in images]
    owners += [(i[0], "ImageVO", admin, now) for i in images]
    vms, vols = [], []
    for n in range(n_vms):
        vm, vol = _u(n, 8), _u(n, 9)
        vms.append((vm, f"fleet-{n:05d}", None, zone, cluster, image_a, None, hosts[n % 4], None, vol, "Linux",
                    "Linux", "x86_64", None, "UserVm", "KVM", GIB, 1, 0, None, "Stopped", now, now))
        vols.append((vol, f"ROOT-for-fleet-{n}", None, ps, vm, None, image_a, f"/ps/{vol}.qcow2", "Root", "qcow2",
                     GIB, GIB, 0, "Enabled", "Ready", False, None, now, now))
        owners += [(vm, "VmInstanceVO", admin, now), (vol, "VolumeVO", admin, now)]
    capacity = ds.PIB
    tables = [
        ("zones", ("uuid", "name", "description", "state", "type", "is_default", "create_date", "last_op_date"),
         [(zone, "fleet-zone", None, "Enabled", "zstack", True, now, now)]),
        ("clusters", ("uuid", "name", "description", "state", "hypervisor_type", "zone_uuid", "type", "architecture",
                      "create_date", "last_op_date"),
         [(cluster, "fleet-cluster", None, "Enabled", "KVM", zone, "zstack", "x86_64", now, now)]),
        ("hosts", ("uuid", "name", "description", "zone_uuid", "cluster_uuid", "management_ip", "hypervisor_type",
                   "state", "status", "architecture", "username", "ssh_port", "total_cpu_capacity",
                   "available_cpu_capacity", "cpu_sockets", "cpu_num", "total_memory_capacity",
                   "available_memory_capacity", "create_date", "last_op_date"),
         [(h, f"host-{i}", None, zone, cluster, f"10.9.0.{i + 1}", "KVM", "Enabled", "Connected", "x86_64", "root",
           22, 4096, 4096, 2, 64, 2 * ds.PIB, 2 * ds.PIB, now, now) for i, h in enumerate(hosts)]),
        ("primary_storages", ("uuid", "name", "description", "zone_uuid", "url", "type", "state", "status",
                              "mount_path", "total_capacity", "available_capacity", "total_physical_capacity",
                              "available_physical_capacity", "fsid", "mons", "pools", "create_date", "last_op_date"),
         [(ps, "fleet-nfs", None, zone, "/ps", "NFS", "Enabled", "Connected", None, capacity,
           capacity - n_vms * GIB, capacity, capacity, None, None, None, now, now)]),
        ("primary_storage_cluster_refs", ("primary_storage_uuid", "cluster_uuid"), [(ps, cluster)]),
        ("backup_storages", ("uuid", "name", "description", "url", "type", "state", "status", "total_capacity",
                             "available_capacity", "hostname", "username", "ssh_port", "fsid", "pool_name", "mons",
                             "create_date", "last_op_date"),
         [(bs, "fleet-store", None, "/bs", "ImageStoreBackupStorage", "Enabled", "Connected", capacity, capacity,
           "bs.local", "root", 22, None, None, None, now, now)]),
        ("backup_storage_zone_refs", ("backup_storage_uuid", "zone_uuid"), [(bs, zone)]),
        ("images", ds.IMAGE_COLS, images),
        ("image_backup_storage_refs", ds.REF_COLS, refs),
        ("vm_instances", ("uuid", "name", "description", "zone_uuid", "cluster_uuid", "image_uuid", "host_uuid",
                          "last_host_uuid", "instance_offering_uuid", "root_volume_uuid", "platform", "guest_os_type",
                          "architecture", "default_l3_network_uuid", "type", "hypervisor_type", "memory_size",
                          "cpu_num", "cpu_speed", "allocator_strategy", "state", "create_date", "last_op_date"), vms),
        ("volumes", ("uuid", "name", "description", "primary_storage_uuid", "vm_instance_uuid", "disk_offering_uuid",
                     "root_image_uuid", "install_path", "type", "format", "size", "actual_size", "device_id",
                     "state", "status", "is_shareable", "host_uuid", "create_date", "last_op_date"), vols),
        ("account_resource_refs", ds.OWNER_COLS, owners),
    ]
    loader = ds.Loader(database)
    try:
        for table, cols, rows in tables:
            loader.insert(table, cols, rows)
    finally:
        loader.close()
    ds.analyze(database)
    return {"images": (image_a, image_b), "vms": [v[0] for v in vms]}


def dry_run_statements(bdb: ds.BenchDb, image: str, current: str, one_vm: str) -> dict:
    """The dry run's statements in-process, for one VM and for the whole fleet."""
    from zslite.apispec.plans import CreateImageChangePlanParams
    from zslite.services.plans import create_image_change_plan

    inproc = ms.InProcess(bdb)
    out = {}
    try:
        for label, selection in (("one", {"vmInstanceUuids": [one_vm]}),
                                 ("fleet", {"conditions": [f"imageUuid={current}"]})):
            seen: list[str] = []

            def before(conn, cursor, statement, parameters, context, executemany, seen=seen):
                seen.append(statement)

            params = CreateImageChangePlanParams(imageUuid=image, dryRun=True, **selection)
            event.listen(inproc.database.engine, "before_cursor_execute", before)
            t0 = time.perf_counter()
            try:
                with inproc.database.write() as s:
                    plan = create_image_change_plan(inproc.ctx(s), params)
            finally:
                event.remove(inproc.database.engine, "before_cursor_execute", before)
            out[label] = {"vms": plan["total"], "seconds": time.perf_counter() - t0,
                          "statements": len([q for q in seen if not q.strip().upper().startswith(COUNT_SQL_SKIP)])}
    finally:
        inproc.close()
    return out


def _post_plan(client: httpx.Client, params: dict) -> dict:
    r = client.post("/zstack/v1/image-change-plans", json={"params": params})
    assert r.status_code == 202, r.text
    path = httpx.URL(r.json()["location"]).path
    while (r := client.get(path)).status_code == 202:
        time.sleep(0.01)
    assert r.status_code == 200, r.text
    return r.json()["inventory"]


def run_plan(server: ms.Server, image: str, current: str, **params) -> dict:
    """POST a plan over the fleet and wait for its end (a count query, which loads no inventory)."""
    with httpx.Client(base_url=server.base_url, headers=server.headers, timeout=120) as c:
        t0 = time.perf_counter()
        plan = _post_plan(c, {"imageUuid": image, "conditions": [f"imageUuid={current}"], **params})
        accepted = time.perf_counter() - t0
        if not params.get("dryRun"):
            q = [("q", f"uuid={plan['uuid']}"), ("q", "state=Running"), ("count", "true")]
            while c.get("/zstack/v1/image-change-plans", params=q).json()["total"]:
                time.sleep(0.05)
        wall = time.perf_counter() - t0
        plan = c.get(f"/zstack/v1/image-change-plans/{plan['uuid']}",
                     params={"fields": "uuid,state,total,succeeded,failed,refused"}).json()["inventories"][0]
    return {"state": plan["state"], "vms": plan["total"], "succeeded": plan["succeeded"], "failed": plan["failed"],
            "refused": plan["refused"], "job_seconds": accepted, "seconds": wall,
            "changes_per_s": plan["succeeded"] / wall if wall else 0.0}


def run(backend: str, cfg, log_dir: Path, log=print, version=lambda bdb: "") -> dict:
    n = 200 if cfg.quick else 1000
    bdb = ds.create_database(backend, "plans")
    server = None
    try:
        db = ms.InProcess(bdb)
        try:
            fleet = load_fleet(db.database, n)
        finally:
            db.close()
        a, b = fleet["images"]
        out: dict = {"vms": n, "version": version(bdb), "statements": dry_run_statements(bdb, b, a, fleet["vms"][0])}
        st = out["statements"]
        log(f"{backend} plans: dry run statements {st['one']['statements']} for 1 VM, {st['fleet']['statements']} "
            f"for {n} VMs ({st['fleet']['seconds'] * 1e3:.0f} ms in-process)")
        server = ms.Server(bdb, log_dir, f"{backend}-plans")
        server.process.env.update({"ZSLITE_PLAN_WORKERS": "32", "ZSLITE_LOG_LEVEL": "WARNING"})
        server.start()
        out["dry_run"] = run_plan(server, b, a, dryRun=True)
        log(f"{backend} plans: dry run over {n} VMs {out['dry_run']['seconds']:.2f} s")
        current, target = a, b
        out["runs"] = {}
        for mc in CONCURRENCY:
            res = run_plan(server, target, current, maxConcurrency=mc)
            assert res["succeeded"] == n, res
            out["runs"][str(mc)] = res
            log(f"{backend} plans: maxConcurrency {mc}: {res['seconds']:.1f} s, {res['changes_per_s']:.1f} VM "
                "changes/s")
            current, target = target, current
        t0 = time.perf_counter()
        jobs = ms.change_image_jobs(server, fleet["vms"], [target])
        out["single_jobs"] = {**jobs, "wall": time.perf_counter() - t0}
        log(f"{backend} plans: {n} single ChangeVmImage jobs {jobs['jobs_per_s']:.1f} jobs/s ({jobs['failed']} "
            "failed)")
    finally:
        if server is not None:
            server.stop()
        bdb.drop()
    return out


def tables(run: dict) -> list[str]:
    """The plans section of the summary."""
    rows = [(b, r["plans"]) for b, r in run["results"].items() if r.get("plans")]
    if not rows:
        return []
    lines = ["", "## Fleet image change plans (issue 13)", "",
             "One plan over the whole fleet (`conditions: imageUuid=<current>`), a live `zslite serve` with 32 plan"
             " workers. Wall time from the POST to the plan's end; changes/s against the same changes as single"
             " ChangeVmImage jobs submitted at once. Dry-run statements: in-process, for 1 VM and for the fleet.",
             "", "| database | VMs | dry run s | dry-run statements (1 VM / fleet) | maxConcurrency 1 s (changes/s) |"
             " 8 | 32 | single ChangeVmImage jobs/s |", "|---|---|---|---|---|---|---|---|"]
    for backend, p in rows:
        runs = p["runs"]
        cells = [f"{runs[str(mc)]['seconds']:.1f} ({runs[str(mc)]['changes_per_s']:.1f})" for mc in CONCURRENCY]
        lines.append(f"| {backend} | {p['vms']} | {p['dry_run']['seconds']:.2f} |"
                     f" {p['statements']['one']['statements']} / {p['statements']['fleet']['statements']} |"
                     f" {' | '.join(cells)} | {p['single_jobs']['jobs_per_s']:.1f} |")
    return lines
