"""Many processes, many nodes (issue 10): the mixed load and the scaling figures.

- mixed(): 16 clients, each on its own keep-alive connection, for `seconds`, mixing reads (the
  10-candidate call, a zone by uuid, a page of QueryVmInstance, polls of their own jobs) and
  ChangeVmImage PUTs (which only have to accept a job: 202). Per request kind: p50/p99 as the
  client saw them, and errors (any unexpected status, and any accepted job that failed).
- scaling(): candidate-call throughput of `serve --workers 2` against `--workers 1`, and of two
  separate nodes against one (PostgreSQL), measured with wrk (C; its own CPU use is reported), in
  interleaved rounds so that both sides see the same machine noise.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from bench.measure import Server, exchange, summary_ms

TARGETS = {"accept_p99_ms": 50.0, "read_p99_ms": 100.0, "scaling_ratio": 1.6}
READS = ("candidates_10", "zone", "query_vms", "job_poll")


# ---- where the CPU goes ------------------------------------------------------------------------

DB_COMMANDS = {"postgresql": {"postgres"}, "mariadb": {"mariadbd", "mysqld"}, "sqlite": set()}
TICK = os.sysconf("SC_CLK_TCK")


def _procs() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command, CPU seconds so far) for every process, from /proc."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        out[int(entry.name)] = (int(rest[1]), comm, (int(rest[11]) + int(rest[12])) / TICK)
    return out


def _machine_busy() -> float:
    """CPU seconds the machine's cores spent busy (user, nice, system, irq, softirq) so far."""
    v = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (v[0] + v[1] + v[2] + v[5] + v[6]) / TICK


class CpuMeter:
    """Cores used over a window by the servers' process trees, the database server's processes (those
    that start inside the window count from zero) and the whole machine."""

    def __init__(self, server_pids: list[int], backend: str):
        self.roots, self.db_commands = set(server_pids), DB_COMMANDS.get(backend, set())

    def _read(self) -> tuple[float, dict[int, float], dict[int, float], float]:
        procs = _procs()
        tree = set(self.roots)
        for _ in range(3):  # children and grandchildren (serve --workers: supervisor, workers)
            tree |= {pid for pid, (ppid, _, _) in procs.items() if ppid in tree}
        return (time.perf_counter(), {p: procs[p][2] for p in tree if p in procs},
                {p: c for p, (_, comm, c) in procs.items() if comm in self.db_commands}, _machine_busy())

    def start(self) -> None:
        self.t0, self.server0, self.db0, self.busy0 = self._read()

    def stop(self) -> dict:
        t1, server1, db1, busy1 = self._read()
        wall = t1 - self.t0
        used = lambda before, after: sum(c - before.get(p, 0.0) for p, c in after.items())  # noqa: E731
        return {"server": used(self.server0, server1) / wall, "database": used(self.db0, db1) / wall,
                "machine_busy": (busy1 - self.busy0) / wall}


# ---- the mixed load ---------------------------------------------------------------------------

def _request(method: str, path: str, port: int, headers: dict, body: bytes = b"") -> bytes:
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: application/json"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    if body:
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def mixed(servers: list[Server], *, zone: str, probe_10_vm: str, vms: list[str], images: list[str],
          clients: int = 16, seconds: float = 20.0, write_share: float = 0.2, seed: int = 10) -> dict:
    """Each client owns a slice of `vms` (so its changes never wait behind another client's on the
    same VM) and alternates their image among `images` (candidates of every one of them)."""
    lat: dict[str, list[float]] = {k: [] for k in ("accept", *READS)}
    errors: dict[str, list[str]] = {k: [] for k in lat}
    jobs: list[str] = []

    async def client(n: int, stop_at: float) -> None:
        rnd = random.Random(seed * 1000 + n)
        server = servers[n % len(servers)]
        port, headers = server.port, server.headers
        mine = vms[n::clients]
        outstanding: list[str] = []
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        reads = {"candidates_10": _request("GET", f"/zstack/v1/vm-instances/{probe_10_vm}/image-candidates", port,
                                           headers),
                 "zone": _request("GET", f"/zstack/v1/zones/{zone}", port, headers),
                 "query_vms": _request("GET", "/zstack/v1/vm-instances?limit=20&q=state%3DStopped", port, headers)}
        turn = 0
        try:
            while time.perf_counter() < stop_at:
                turn += 1
                roll = rnd.random()
                if roll < write_share and mine:
                    kind = "accept"
                    vm = mine[turn % len(mine)]
                    body = json.dumps({"changeVmImage": {"imageUuid": images[turn % len(images)]}}).encode()
                    req, expect = _request("PUT", f"/zstack/v1/vm-instances/{vm}/actions", port, headers, body), 202
                elif roll < write_share + 0.15 and outstanding:
                    kind, expect = "job_poll", None
                    req = _request("GET", outstanding[0], port, headers)
                else:
                    kind, expect = rnd.choice(("candidates_10", "candidates_10", "zone", "query_vms")), 200
                    req = reads[kind]
                t0 = time.perf_counter()
                status, body = await exchange(reader, writer, req)
                lat[kind].append(time.perf_counter() - t0)
                if kind == "accept":
                    if status == 202:
                        location = re.search(rb'"location":"http://[^/]+(/[^"]+)"', body).group(1).decode()
                        outstanding.append(location)
                        jobs.append(location)
                    else:
                        errors[kind].append(f"{status} {body[:200]!r}")
                elif kind == "job_poll":
                    if status == 200:
                        outstanding.pop(0)
                    elif status != 202:
                        errors[kind].append(f"{status} {body[:200]!r}")
                        outstanding.pop(0)
                elif status != expect:
                    errors[kind].append(f"{status} {body[:200]!r}")
        finally:
            writer.close()

    async def main():
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(*[client(n, stop_at) for n in range(clients)])

    meter = CpuMeter([srv.process.proc.pid for srv in servers], servers[0].bdb.backend)
    meter.start()
    cpu0, t0 = time.process_time(), time.perf_counter()
    asyncio.run(main())
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    cores = meter.stop()
    failed_jobs = _settle(servers[0], jobs)
    out = {"clients": clients, "seconds": wall, "servers": len(servers), "write_share": write_share,
           "requests": sum(len(v) for v in lat.values()), "client_cpu_share": cpu / wall,
           "cores": cores,
           "jobs_accepted": len(jobs), "jobs_failed": len(failed_jobs), "failed_job_errors": failed_jobs[:5]}
    out["rps"] = out["requests"] / wall
    out["kinds"] = {k: {**summary_ms(v), "errors": len(errors[k]), "error_samples": errors[k][:3]}
                    for k, v in lat.items() if v}
    reads = [x for k in READS for x in lat[k]]
    out["reads"] = summary_ms(reads)
    out["errors"] = sum(len(e) for e in errors.values()) + len(failed_jobs)
    out["targets"] = {
        "accept_p99_ms": {"value": out["kinds"].get("accept", {}).get("p99"), "target": TARGETS["accept_p99_ms"]},
        "read_p99_ms": {"value": out["reads"]["p99"], "target": TARGETS["read_p99_ms"]},
        "errors": {"value": out["errors"], "target": 0}}
    for t in out["targets"].values():
        t["met"] = t["value"] is not None and t["value"] <= t["target"]
    return out


def _settle(server: Server, locations: list[str], timeout: float = 300) -> list[str]:
    """Wait for every accepted job to end; return the errors of those that failed."""
    import httpx
    failed = []
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        for loc in locations:
            while True:
                r = c.get(loc)
                if r.status_code != 202 or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            if r.status_code != 200:
                failed.append(f"{r.status_code} {r.text[:200]}")
    return failed


# ---- scaling, with wrk ------------------------------------------------------------------------

def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def wrk(urls: list[str], headers: dict, *, connections: int, seconds: float) -> dict:
    """One wrk process per URL (1 thread, `connections` each) at the same time; summed req/s, and the
    CPU the wrk processes used (a share of one core)."""
    procs = []
    t0 = time.perf_counter()
    for url in urls:
        cmd = ["wrk", "-t1", f"-c{connections}", f"-d{int(round(seconds))}s", "--latency"]
        for k, v in headers.items():
            cmd += ["-H", f"{k}: {v}"]
        procs.append(subprocess.Popen(cmd + [url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    rps, non2xx, cpu, p50, p99 = 0.0, 0, 0.0, [], []
    for p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        out = p.stdout.read()
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            raise RuntimeError(f"wrk failed: {out}")
        rps += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
        non2xx += int(m.group(1)) if m else 0
        p50.append(_wrk_ms(out, "50%"))
        p99.append(_wrk_ms(out, "99%"))
        cpu += usage.ru_utime + usage.ru_stime
    wall = time.perf_counter() - t0
    return {"rps": rps, "non2xx": non2xx, "client_cpu_share": cpu / wall, "seconds": wall,
            "client_p50": max(p50), "client_p99": max(p99)}


def _wrk_ms(out: str, pct: str) -> float:
    """A latency percentile of wrk's --latency table, in ms."""
    m = re.search(rf"^\s+{re.escape(pct)}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def compare(runs: dict, rounds: int) -> dict:
    """Interleave the runs `rounds` times; median req/s of each."""
    per = {k: [] for k in runs}
    for _ in range(rounds):
        for k, fn in runs.items():
            per[k].append(fn())
    return {k: {"rounds": rs, "rps": statistics.median(r["rps"] for r in rs),
                "client_cpu_share": statistics.median(r["client_cpu_share"] for r in rs),
                "client_p50": statistics.median(r["client_p50"] for r in rs),
                "client_p99": statistics.median(r["client_p99"] for r in rs),
                "non2xx": sum(r["non2xx"] for r in rs)} for k, rs in per.items()}


def scaling(bdb, log_dir: Path, path: str, *, seconds: float, rounds: int, two_nodes: bool) -> dict:
    """--workers 2 vs 1 on one port; and, when two_nodes, two separate nodes vs one."""
    one = Server(bdb, log_dir, f"{bdb.backend}-w1", workers=1).start()
    two = Server(bdb, log_dir, f"{bdb.backend}-w2", workers=2).start()
    servers = [one, two]
    try:
        runs = {"workers_1": lambda: wrk([one.base_url + path], one.headers, connections=8, seconds=seconds),
                "workers_2": lambda: wrk([two.base_url + path], two.headers, connections=8, seconds=seconds)}
        if two_nodes:
            other = Server(bdb, log_dir, f"{bdb.backend}-n2", workers=1).start()
            servers.append(other)
            # the same two wrk processes (4 connections each) against one node, then against two
            runs["one_node"] = lambda: wrk([one.base_url + path] * 2, one.headers, connections=4, seconds=seconds)
            runs["two_nodes"] = lambda: wrk([one.base_url + path, other.base_url + path], one.headers,
                                            connections=4, seconds=seconds)
        out = compare(runs, rounds)
    finally:
        for s in servers:
            s.stop()
    out["workers_ratio"] = out["workers_2"]["rps"] / out["workers_1"]["rps"]
    out["targets"] = {"workers_ratio": {"value": out["workers_ratio"], "target": TARGETS["scaling_ratio"],
                                        "met": out["workers_ratio"] >= TARGETS["scaling_ratio"]}}
    if two_nodes:
        out["nodes_ratio"] = out["two_nodes"]["rps"] / out["one_node"]["rps"]
    return out
