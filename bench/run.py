"""`python -m bench.run [--quick] [--backends sqlite,postgresql,mariadb] [--sizes 1000,...,1000000]`

Per database, in one run: two throwaway databases with the same scene, a 1k-image one and one that
grows through the sizes; at each size the 1k and the large catalog are measured in turn (the
machine is noisy: both see the same noise), in-process and through a live server. At the largest
size: throughput against the HTTP floor, ChangeVmImage jobs/s, QueryImage. Results go to
bench/results/ (JSON per database, Markdown summary, PNG plot).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench import dataset as ds
from bench import measure as ms
from bench import nodes as nd
from bench import plans as pl
from bench import report

RESULTS = Path(__file__).parent / "results"


def machine() -> dict:
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in open("/proc/meminfo") if x.startswith("MemTotal")) * 1024
    except (OSError, StopIteration):
        mem = 0
    import os
    return {"nproc": os.cpu_count(), "cpu": model or platform.processor(), "memory_gib": round(mem / 1024**3, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def db_version(bdb: ds.BenchDb) -> str:
    from sqlalchemy import create_engine, text

    from zslite.db.engine import normalize_url
    if bdb.backend == "sqlite":
        import sqlite3
        return "SQLite " + sqlite3.sqlite_version
    eng = create_engine(normalize_url(bdb.url))  # the driver zslite would use (PyMySQL without mysqlclient)
    try:
        with eng.connect() as c:
            return c.execute(text("SELECT version()")).scalar()
    finally:
        eng.dispose()


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run_backend(backend: str, cfg: argparse.Namespace, log_dir: Path) -> dict:
    t_start = time.perf_counter()
    scene = ds.build_scene(cfg.vms)
    small = ds.create_database(backend, "small")
    big = ds.create_database(backend, "big")
    out: dict = {"backend": backend, "version": db_version(big), "vms": cfg.vms, "sizes": [],
                 "probe": {"candidates": ds.PROBE_100, "small": ds.PROBE_10}}
    servers: list[ms.Server] = []
    inprocs: list[ms.InProcess] = []
    try:
        sdb = ms.InProcess(small)
        inprocs.append(sdb)
        small_cat = ds.Catalog(sdb.database, scene)
        small_cat.load_scene()
        small_cat.grow_to(cfg.sizes[0])
        log(f"{backend}: 1k catalog ready ({small_cat.images} images)")
        loader_db = ms.InProcess(big)
        cat = ds.Catalog(loader_db.database, scene)
        cat.load_scene()
        loader_db.close()
        srv_small = ms.Server(small, log_dir, f"{backend}-small").start()
        servers.append(srv_small)
        p100, p10 = scene.probe_100_vm, scene.probe_10_vm
        path100 = f"/zstack/v1/vm-instances/{p100}/image-candidates"
        path10 = f"/zstack/v1/vm-instances/{p10}/image-candidates"
        zone_path = f"/zstack/v1/zones/{scene.zones[0]}"
        want = [i["uuid"] for i in sdb.candidates(p100)]
        assert len(want) == ds.PROBE_100, f"1k catalog: probe answers {len(want)} images"

        if "nodes" in cfg.sections:
            out["nodes"] = run_nodes(backend, small, scene, cfg, log_dir)
        for size in (cfg.sizes if "candidates" in cfg.sections else ()):
            db = ms.InProcess(big)
            cat.database = db.database
            load_s = cat.grow_to(size)
            log(f"{backend}: {cat.images} images, {cat.refs} refs loaded (+{load_s:.1f}s)")
            srv = ms.Server(big, log_dir, f"{backend}-big").start()
            servers.append(srv)
            got = [i["uuid"] for i in db.candidates(p100)]
            assert got == want, f"{size}: the probe's answer changed with the catalog"
            assert len(db.candidates(p10)) == ds.PROBE_10
            assert len(srv.get(path100)) > 0
            peer_n = len(db.zstack_plan(p100))
            floor = db.driver_floor(db.floor_sql(p100))
            row: dict = {"size": cat.images, "refs": cat.refs, "load_seconds": load_s, "zstack_answer": peer_n}
            row["inprocess"] = ms.interleaved(
                {"engine_1k": lambda: sdb.candidates(p100), "engine": lambda: db.candidates(p100),
                 "floor": floor}, cfg.calls, cfg.rounds)
            row["inprocess"].update(ms.interleaved({"zstack": lambda: db.zstack_plan(p100)},
                                                   max(5, cfg.calls // 4), cfg.rounds))
            floor.close()
            row["http"] = ms.interleaved_http(
                {"candidates_1k": lambda: ms.latency(srv_small, path100, "image-candidates", cfg.http_requests),
                 "candidates": lambda: ms.latency(srv, path100, "image-candidates", cfg.http_requests)},
                cfg.rounds)
            row["explain"] = {"candidates": db.explain(db.literal(ms.candidate_stmt(
                _scope(db, p100))))}
            ip, h = row["inprocess"], row["http"]
            log(f"{backend} {cat.images}: engine p50 {ip['engine']['p50']:.2f} ms (1k {ip['engine_1k']['p50']:.2f}),"
                f" floor {ip['floor']['p50']:.2f}, zstack {ip['zstack']['p50']:.2f} ({peer_n} images);"
                f" http server p50/p99 {h['candidates']['server_p50']:.2f}/{h['candidates']['server_p99']:.2f} ms")

            if size == cfg.sizes[-1]:
                row["explain"]["zstack"] = db.explain(db.literal(ms.zstack_stmt(_scope(db, p100))))
                row["explain"]["excluded"] = db.explain(db.literal(ms.excluded_stmt(_scope(db, p100))))
                # explain=true on the whole catalog: a bounded page of the excluded images, not all of them
                row["explain_call"] = {
                    name: ms.interleaved_http({"e": lambda p=p: ms.latency(srv, p, "image-candidates",
                                                                           cfg.query_requests, seconds=20)},
                                              cfg.rounds_load)["e"]
                    for name, p in ms.explain_paths(path100).items()}
                e = row["explain_call"]["explain=true"]
                log(f"{backend}: explain=true server p50/p99 {e['server_p50']:.1f}/{e['server_p99']:.1f} ms,"
                    f" {e['bytes'] / 1e6:.2f} MB")
                row["throughput"] = throughput(srv, log_dir, zone_path, path10, path100, cfg)
                t = row["throughput"]
                log(f"{backend}: req/s ({t['tool']}) floor {t['floor']['rps']:.0f} (one row on a request thread"
                    f" {t['floor_row']['rps']:.0f}, on the event loop {t['floor_row_loop']['rps']:.0f}),"
                    f" GET zone {t['zone']['rps']:.0f}"
                    f" ({t['zone']['rps'] / t['floor']['rps']:.0%} of the floor), 10 candidates "
                    f"{t['candidates_10']['rps']:.0f} ({t['candidates_10']['rps'] / t['zone']['rps']:.0%} of GET zone),"
                    f" 100 candidates {t['candidates_100']['rps']:.0f}; the candidate call's statements alone"
                    f" {t['floor_candidates_10']['rps']:.0f}")
                jobs = []
                vms = scene.change_vms
                for r in range(cfg.rounds_load):
                    batch = vms[r * cfg.jobs:(r + 1) * cfg.jobs]
                    jobs.append(ms.change_image_jobs(srv, batch, scene.probe_100_images[r:]))
                row["change_vm_image"] = {"rounds": jobs,
                                          "jobs_per_s": statistics.median(j["jobs_per_s"] for j in jobs),
                                          "failed": sum(j["failed"] for j in jobs)}
                log(f"{backend}: ChangeVmImage {row['change_vm_image']['jobs_per_s']:.1f} jobs/s")
                row["query_image"] = {
                    name: ms.interleaved_http({"q": lambda p=p: ms.latency(srv, p, "/images", cfg.query_requests,
                                                                           seconds=10)}, cfg.rounds_load)["q"]
                    for name, p in ms.query_paths(scene.bulk_bs_query).items()}
            out["sizes"].append(row)
            srv.stop()
            servers.remove(srv)
            db.close()
    finally:
        for s in servers:
            s.stop()
        for p in inprocs:
            p.close()
        for b in (small, big):
            try:
                b.drop()
            except Exception as exc:  # a leftover database is harmless: names are unique
                log(f"could not drop {b.name}: {exc}")
    out["seconds"] = time.perf_counter() - t_start
    return out


def throughput(srv: ms.Server, log_dir: Path, zone_path: str, path10: str, path100: str,
               cfg: argparse.Namespace) -> dict:
    """Issue 11: requests/s of the bare floor app (same uvicorn, Starlette and orjson, a body of the same
    size, no auth, database or logging), zslite's cheapest authenticated GET (a zone by uuid) and the
    candidate call, interleaved, medians of the rounds. wrk when installed (its own CPU is noted),
    else the asyncio load generator."""
    from bench.floor import FloorProcess

    floor = FloorProcess(len(srv.get(zone_path)), log_dir).start()
    # the floors with the database: one SQLAlchemy statement for the zone's row, on a request thread and
    # on the event loop (what this stack costs for one row, before zslite's own work)
    rows = {name: FloorProcess(0, log_dir, mode, srv.bdb.url, zone_path)
            for name, mode in (("floor_row", "row"), ("floor_row_loop", "row-loop"))}
    # and the candidate call's own two statements, rows as JSON, on a request thread: with floor_row, what
    # the 10-candidate call must cost more than GET zone in this stack (the bound in bench/report.py)
    rows["floor_candidates_10"] = FloorProcess(0, log_dir, "candidates", srv.bdb.url, path10)
    try:
        for f in rows.values():
            f.start()
        if nd.wrk_available():
            def hit(base, path):
                return lambda: nd.wrk([base + path], srv.headers, connections=cfg.concurrency,
                                      seconds=cfg.load_seconds + 2)
            runs = {"floor": hit(floor.base_url, "/zstack/v1/zones/x"),
                    **{name: hit(f.base_url, f.probe) for name, f in rows.items()},
                    "zone": hit(srv.base_url, zone_path),
                    "candidates_10": hit(srv.base_url, path10), "candidates_100": hit(srv.base_url, path100)}
            out = nd.compare(runs, max(3, cfg.rounds_load))
            out["tool"] = "wrk"
        else:
            class Floor:
                port, headers = floor.port, {}
            runs = {"floor": lambda: ms.load(Floor, "/zstack/v1/zones/x", concurrency=cfg.concurrency,
                                             seconds=cfg.load_seconds)}
            for name, f in rows.items():
                class Row:
                    port, headers = f.port, {}
                runs[name] = lambda r=Row, p=f.probe: ms.load(r, p, concurrency=cfg.concurrency,
                                                                  seconds=cfg.load_seconds)
            runs.update({k: (lambda p=p: ms.load(srv, p, concurrency=cfg.concurrency, seconds=cfg.load_seconds))
                         for k, p in (("zone", zone_path), ("candidates_10", path10), ("candidates_100", path100))})
            out = ms.interleaved_http(runs, max(3, cfg.rounds_load))
            out["tool"] = "asyncio"
    finally:
        floor.stop()
        for f in rows.values():
            f.stop()
    return out


def run_nodes(backend: str, bdb: ds.BenchDb, scene: ds.Scene, cfg: argparse.Namespace, log_dir: Path) -> dict:
    """Issue 10: the mixed load (16 clients, reads and ChangeVmImage) on one node, on `--workers 2`
    and (PostgreSQL and MariaDB) on two separate nodes; then the scaling figures."""
    out: dict = {"mixed": {}}
    path10 = f"/zstack/v1/vm-instances/{scene.probe_10_vm}/image-candidates"
    layouts = {"workers_1": [1], "workers_2": [2]}
    if backend != "sqlite":
        layouts["two_nodes"] = [1, 1]
    for name, workers in layouts.items():
        servers = [ms.Server(bdb, log_dir, f"{backend}-mixed-{name}-{i}", workers=w).start()
                   for i, w in enumerate(workers)]
        try:
            out["mixed"][name] = nd.mixed(servers, zone=scene.zones[0], probe_10_vm=scene.probe_10_vm,
                                          vms=scene.change_vms, images=scene.probe_100_images[:2],
                                          clients=cfg.mixed_clients, seconds=cfg.mixed_seconds)
        finally:
            for srv in servers:
                srv.stop()
        m = out["mixed"][name]
        log(f"{backend} mixed {name}: {m['rps']:.0f} req/s, 202 p50/p99 {m['kinds']['accept']['p50']:.1f}/"
            f"{m['kinds']['accept']['p99']:.1f} ms, reads p50/p99 {m['reads']['p50']:.1f}/{m['reads']['p99']:.1f} ms,"
            f" {m['errors']} errors; cores: server {m['cores']['server']:.2f}, database {m['cores']['database']:.2f},"
            f" client {m['client_cpu_share']:.2f}, machine busy {m['cores']['machine_busy']:.2f}")
    if nd.wrk_available():
        out["scaling"] = nd.scaling(bdb, log_dir, path10, seconds=cfg.load_seconds + 2, rounds=cfg.rounds_load,
                                    two_nodes=backend == "postgresql")
        sc = out["scaling"]
        log(f"{backend} scaling: --workers 1 {sc['workers_1']['rps']:.0f} req/s, --workers 2 "
            f"{sc['workers_2']['rps']:.0f} req/s (x{sc['workers_ratio']:.2f}, wrk CPU "
            f"{sc['workers_2']['client_cpu_share']:.0%})"
            + (f"; 1 node {sc['one_node']['rps']:.0f}, 2 nodes {sc['two_nodes']['rps']:.0f} (x{sc['nodes_ratio']:.2f})"
               if "nodes_ratio" in sc else ""))
    else:
        out["scaling"] = {"skipped": "wrk is not installed (make bench installs it with apt-get)"}
        log(f"{backend} scaling: skipped, wrk is not installed")
    return out


def _scope(db: ms.InProcess, vm_uuid: str):
    from zslite.rules import candidates as rules
    from zslite.context import SYSTEM
    with db.database.read() as s:
        return rules.load_scope(s, SYSTEM, vm_uuid)


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="1k and 5k images, 1000 VMs, few repeats (under two minutes)")
    p.add_argument("--backends", default=",".join(ds.BACKENDS))
    p.add_argument("--sizes", help="catalog sizes, comma-separated (default 1000,10000,100000,1000000)")
    p.add_argument("--vms", type=int)
    p.add_argument("--rounds", type=int, help="repeats of each measurement (the median is reported)")
    p.add_argument("--calls", type=int, help="in-process calls per round")
    p.add_argument("--out", default=str(RESULTS))
    p.add_argument("--sections", default="candidates,nodes,plans",
                   help="what to measure: candidates (the catalog sizes), nodes (mixed load, scaling), plans (a fleet"
                        " image change plan over 1,000 VMs)")
    cfg = p.parse_args(argv)
    quick = cfg.quick
    cfg.sizes = [int(x) for x in (cfg.sizes or ("1000,5000" if quick else "1000,10000,100000,1000000")).split(",")]
    cfg.backends = [b.strip() for b in cfg.backends.split(",") if b.strip()]
    cfg.vms = cfg.vms or (1000 if quick else 10000)
    cfg.rounds = cfg.rounds or (2 if quick else 3)
    cfg.calls = cfg.calls or (15 if quick else 60)
    cfg.http_requests = 25 if quick else 100
    cfg.rounds_load = 1 if quick else 3
    cfg.load_seconds = 1.0 if quick else 3.0
    cfg.concurrency = 8
    cfg.jobs = 10 if quick else 40
    cfg.query_requests = 5 if quick else 30
    cfg.mixed_clients = 16
    cfg.mixed_seconds = 5.0 if quick else 20.0
    cfg.sections = {x.strip() for x in cfg.sections.split(",") if x.strip()}
    return cfg


def main(argv=None) -> int:
    cfg = parse(argv)
    out_dir = Path(cfg.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    log_dir = Path(tempfile.mkdtemp(prefix="zslite-bench-logs-"))
    t0 = time.perf_counter()
    run = {"stamp": stamp, "machine": machine(), "quick": cfg.quick, "config": {
        k: getattr(cfg, k) for k in ("sizes", "vms", "rounds", "calls", "http_requests", "rounds_load",
                                     "load_seconds", "concurrency", "jobs", "query_requests", "mixed_clients",
                                     "mixed_seconds")}, "sections": sorted(cfg.sections),
        "results": {}}
    log(f"bench: {cfg.backends}, sizes {cfg.sizes}, {cfg.vms} VMs; server logs in {log_dir}")
    for backend in cfg.backends:
        with ds.server_settings(backend) as server_note:
            if server_note:
                log(f"{backend}: {server_note}")
            if cfg.sections & {"candidates", "nodes"}:
                res = run_backend(backend, cfg, log_dir)
            else:
                res = {"backend": backend, "version": "", "sizes": [], "seconds": 0.0}
            if "plans" in cfg.sections:  # its own database (a fleet, no catalog)
                t_plans = time.perf_counter()
                res["plans"] = pl.run(backend, cfg, log_dir, log, version=db_version)
                res["version"] = res["version"] or res["plans"]["version"]
                res["seconds"] += time.perf_counter() - t_plans
        res["server_settings"] = server_note
        res.update(stamp=stamp, quick=cfg.quick, machine=run["machine"], config=run["config"])
        run["results"][backend] = res
        (out_dir / f"{stamp}-{backend}.json").write_text(json.dumps(res, indent=1))
        log(f"{backend}: done in {res['seconds']:.0f}s")
    run["seconds"] = time.perf_counter() - t0
    for backend, res in run["results"].items():
        res["run_seconds"] = run["seconds"]
        (out_dir / f"{stamp}-{backend}.json").write_text(json.dumps(res, indent=1))
    paths = report.write(run, out_dir)
    log(f"bench: {run['seconds']:.0f}s; wrote {', '.join(str(p) for p in paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
