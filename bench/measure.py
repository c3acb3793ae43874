"""The measurements: the rule engine in-process, the driver floor, ZStack's plan, EXPLAIN plans,
a live `zslite serve` (uvicorn) under a Python load generator, ChangeVmImage jobs/s, QueryImage.

The load generator speaks HTTP/1.1 keep-alive on raw asyncio streams with pre-built requests: it
costs a few microseconds per request, so on a 2-core machine most of the CPU goes to the server.
Server-side latency comes from the server's own access log (time spent in the application,
from the request's arrival in the ASGI app to its last byte), the client-side one from the socket.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import and_, false, or_, select

from zslite.apispec.candidates import GetImageCandidatesParams
from zslite.clock import Clock
from zslite.db.engine import Database
from zslite.db.models import BackupStorage, BackupStorageZoneRef, Image, ImageBackupStorageRef
from zslite.ids import new_uuid
from zslite.rules import candidates as rules
from zslite.rules.compat import CEPH, PS_ACCEPTS
from zslite.services import candidates as svc
from zslite.context import SYSTEM, Ctx
from zslite.testing import ServerProcess
from zslite.wire import inventories as inv

from bench.dataset import ADMIN_PASSWORD, SECRET, BenchDb


# ---- statistics ----------------------------------------------------------------------------------

def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def summary_ms(values: list[float]) -> dict:
    """Seconds in, milliseconds out."""
    return {"n": len(values), "p50": pct(values, 50) * 1e3, "p99": pct(values, 99) * 1e3,
            "mean": statistics.fmean(values) * 1e3 if values else float("nan")}


def interleaved(fns: dict[str, Callable[[], object]], calls: int, rounds: int, warmup: int = 5,
                budget: float = 20.0) -> dict:
    """Run each fn `calls` times per round, the fns taking turns round by round (the machine is noisy:
    neighbours see the same noise); a fn stops its round early after `budget` seconds (at least 3 calls:
    ZStack's plan takes seconds on SQLite at 1M). Returns per fn: every round's summary, and the
    median of the rounds' p50 and p99."""
    samples: dict[str, list[list[float]]] = {k: [] for k in fns}
    for fn in fns.values():
        t_warm = time.perf_counter()
        for _ in range(warmup):
            fn()
            if time.perf_counter() - t_warm > budget / 4:
                break
    for _ in range(rounds):
        for name, fn in fns.items():
            lat: list[float] = []
            t_round = time.perf_counter()
            for _ in range(calls):
                t0 = time.perf_counter()
                fn()
                lat.append(time.perf_counter() - t0)
                if len(lat) >= 3 and t0 - t_round > budget:
                    break
            samples[name].append(lat)
    out = {}
    for name, rs in samples.items():
        per_round = [summary_ms(r) for r in rs]
        out[name] = {"rounds": per_round,
                     "p50": statistics.median(r["p50"] for r in per_round),
                     "p99": statistics.median(r["p99"] for r in per_round)}
    return out


# ---- in process: the rule engine, the driver floor, ZStack's plan --------------------------------

class InProcess:
    def __init__(self, bdb: BenchDb):
        self.bdb = bdb
        self.settings = bdb.settings()
        self.database = Database(bdb.url)
        self.clock = Clock()

    def close(self) -> None:
        self.database.dispose()

    def ctx(self, s) -> Ctx:
        return Ctx(db=s, caller=SYSTEM, settings=self.settings, clock=self.clock, new_uuid=new_uuid,
                   database=self.database)

    # the rule engine: exactly what the server runs for GET .../image-candidates, minus HTTP and JSON
    def candidates(self, vm_uuid: str) -> list[dict]:
        params = GetImageCandidatesParams.model_validate({"vmInstanceUuid": vm_uuid})
        with self.database.read() as s:
            return svc.get_image_candidates(self.ctx(s), params)["inventories"]

    # the peer: ZStack's plan on the same data and the same stack (SQLAlchemy ORM, same driver)
    def zstack_plan(self, vm_uuid: str) -> list[dict]:
        with self.database.read() as s:
            scope = rules.load_scope(s, SYSTEM, vm_uuid)
            images = s.scalars(zstack_stmt(scope)).all()
            out = []
            for image in images:  # refs: one query per image
                refs = s.scalars(select(ImageBackupStorageRef)
                                 .where(ImageBackupStorageRef.image_uuid == image.uuid)).all()
                out.append(inv.image(image, refs))
            return out

    # the floor: the engine's own SQL (the scope, the candidates with their refs), run by the driver,
    # rows fetched, nothing else
    def floor_sql(self, vm_uuid: str) -> list[str]:
        with self.database.read() as s:
            scope = rules.load_scope(s, SYSTEM, vm_uuid)
        return [self.literal(rules._scope_stmt(SYSTEM).params(vm_uuid=vm_uuid)), self.literal(candidate_stmt(scope))]

    def literal(self, stmt) -> str:
        return str(stmt.compile(dialect=self.database.engine.dialect, compile_kwargs={"literal_binds": True}))

    def driver_floor(self, sqls: list[str]) -> Callable[[], int]:
        raw = self.database.engine.raw_connection()
        cur = raw.cursor()
        sqlite = self.database.backend == "sqlite"

        def run() -> int:
            n = 0
            for sql in sqls:
                cur.execute(sql)
                n += len(cur.fetchall())
            if not sqlite:
                raw.rollback()  # end the read transaction, as the engine's session does
            return n
        run.close = raw.close  # type: ignore[attr-defined]
        return run

    def explain(self, sql: str) -> str:
        backend = self.database.backend
        raw = self.database.engine.raw_connection()
        try:
            cur = raw.cursor()
            if backend == "sqlite":
                cur.execute("EXPLAIN QUERY PLAN " + sql)
                rows = cur.fetchall()
                depth: dict[int, int] = {0: 0}
                lines = []
                for rid, parent, _, detail in rows:
                    depth[rid] = depth.get(parent, 0) + 1
                    lines.append("  " * (depth[rid] - 1) + detail)
                return "\n".join(lines)
            if backend == "postgresql":
                cur.execute("EXPLAIN (ANALYZE, COSTS OFF, BUFFERS OFF) " + sql)
                return "\n".join(r[0] for r in cur.fetchall())
            cur.execute("EXPLAIN " + sql)
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
            return "\n".join(["\t".join(cols)] + ["\t".join("" if v is None else str(v) for v in r) for r in rows])
        finally:
            raw.rollback()
            raw.close()


def candidate_stmt(scope):
    return rules.candidate_statement(scope, SYSTEM)


def excluded_stmt(scope):
    """The explain page's statement (the first EXPLAIN_LIMIT + 1 excluded images, as the server asks)."""
    return rules.excluded_statement(scope, SYSTEM, rules.EXPLAIN_LIMIT + 1)


def explain_paths(candidates_path: str) -> dict[str, str]:
    """explain=true as a ZStack-era client sends it (no limit: the first 1000 excluded images), and paged."""
    return {"explain=true": candidates_path + "?explain=true",
            "explain=true&limit=100&start=1000": candidates_path + "?explain=true&limit=100&start=1000"}


def zstack_stmt(scope):
    """ZStack's plan: one DISTINCT join of images, refs, backup storages and zone attachments, filtered
    on rules 1-5 and on the zone and the storage type (7a, 7b); no ref or storage state (7c)."""
    accepted = PS_ACCEPTS.get(scope.ps_type or "", frozenset())
    plain = sorted(t for t in accepted if t != CEPH)
    type_ok = [BackupStorage.type.in_(plain)] if plain else []
    if CEPH in accepted and scope.ps_fsid is not None:
        type_ok.append(and_(BackupStorage.type == CEPH, BackupStorage.fsid == scope.ps_fsid))
    return (select(Image).distinct()
            .join(ImageBackupStorageRef, ImageBackupStorageRef.image_uuid == Image.uuid)
            .join(BackupStorage, BackupStorage.uuid == ImageBackupStorageRef.backup_storage_uuid)
            .join(BackupStorageZoneRef, BackupStorageZoneRef.backup_storage_uuid == BackupStorage.uuid)
            .where(BackupStorageZoneRef.zone_uuid == scope.zone_uuid,
                   Image.media_type == rules.ROOT_TEMPLATE, Image.state == "Enabled", Image.status == "Ready",
                   Image.system == false(), Image.architecture == scope.architecture,
                   or_(*type_ok) if type_ok else false()))


# ---- a live server --------------------------------------------------------------------------------

ACCESS = re.compile(r" zslite\.access (\w+) (\S+) (\d+) ([\d.]+)ms$")


class Server:
    """`python -m zslite serve` on a bench database (zslite.testing's launcher), access log at INFO
    (for server-side times)."""

    def __init__(self, bdb: BenchDb, log_dir: Path, label: str, workers: int | None = None):
        self.bdb, self.log_dir, self.label = bdb, log_dir, label
        self.process = ServerProcess(bdb.url, log_dir=log_dir, node=f"bench-{label}", workers=workers, env={
            "ZSLITE_SECRET_KEY": SECRET, "ZSLITE_ADMIN_PASSWORD": ADMIN_PASSWORD, "ZSLITE_LOG_LEVEL": "INFO",
            "ZSLITE_SECRET_KEY_FILE": str(log_dir / f"{bdb.name}.key")})
        self.headers: dict[str, str] = {}

    def start(self) -> "Server":
        self.process.start()
        self.headers = self.process.login(password=ADMIN_PASSWORD)
        return self

    @property
    def port(self) -> int:
        return self.process.port

    @property
    def log(self) -> Path:
        return self.process.log

    @property
    def base_url(self) -> str:
        return self.process.base_url

    def stop(self) -> None:
        try:
            self.process.stop(20)
        finally:
            self.process.kill()

    def log_offset(self) -> int:
        return self.log.stat().st_size

    def server_times(self, since: int, path_part: str) -> list[float]:
        """Seconds the server spent per request whose path holds path_part, logged after `since`."""
        time.sleep(0.05)
        with open(self.log, "rb") as f:
            f.seek(since)
            text = f.read().decode("utf-8", "replace")
        out = []
        for line in text.splitlines():
            m = ACCESS.search(line)
            if m and path_part in m.group(2) and m.group(3) == "200":
                out.append(float(m.group(4)) / 1e3)
        return out

    def get(self, path: str) -> bytes:
        r = httpx.get(self.base_url + path, headers=self.headers, timeout=30)
        r.raise_for_status()
        return r.content


# ---- the load generator -----------------------------------------------------------------------------

def request_bytes(server: Server, path: str) -> bytes:
    head = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}", "Accept: application/json"]
    head += [f"{k}: {v}" for k, v in server.headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode()


async def exchange(reader, writer, req: bytes) -> tuple[int, bytes]:
    """One request on a keep-alive connection: (status, body)."""
    writer.write(req)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    low = head.lower()
    i = low.find(b"content-length:")
    n = int(low[i + 15:low.find(b"\r\n", i)]) if i >= 0 else 0
    return status, await reader.readexactly(n)


async def _connection(port: int, req: bytes, stop_at: float, limit: int | None, lat: list[float],
                      errors: list[int], sizes: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at and (limit is None or len(lat) < limit):
            t0 = time.perf_counter()
            status, body = await exchange(reader, writer, req)
            lat.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
            elif len(sizes) < 1:
                sizes.append(len(body))
    finally:
        writer.close()


def load(server: Server, path: str, *, concurrency: int, seconds: float | None = None,
         requests: int | None = None) -> dict:
    """`concurrency` keep-alive connections hammering one GET for `seconds` or `requests` in all,
    whichever comes first."""
    req = request_bytes(server, path)
    lat: list[float] = []
    errors: list[int] = []
    sizes: list[int] = []

    async def main():
        stop_at = time.perf_counter() + (seconds if seconds is not None else 3600)
        await asyncio.gather(*[_connection(server.port, req, stop_at, requests, lat, errors, sizes)
                               for _ in range(concurrency)])

    t0 = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} requests to {path} failed: statuses {sorted(set(errors))}")
    return {"requests": len(lat), "seconds": elapsed, "rps": len(lat) / elapsed, "bytes": sizes[0] if sizes else 0,
            **{f"client_{k}": v for k, v in summary_ms(lat).items() if k != "n"}}


def latency(server: Server, path: str, path_part: str, requests: int, seconds: float | None = None) -> dict:
    """One connection, one request at a time (`requests`, or fewer if `seconds` run out first):
    client- and server-side p50/p99."""
    since = server.log_offset()
    out = load(server, path, concurrency=1, requests=requests, seconds=seconds)
    srv = server.server_times(since, path_part)
    out.update({f"server_{k}": v for k, v in summary_ms(srv).items()})
    return out


def interleaved_http(runs: dict[str, Callable[[], dict]], rounds: int) -> dict:
    per: dict[str, list[dict]] = {k: [] for k in runs}
    for _ in range(rounds):
        for k, fn in runs.items():
            per[k].append(fn())
    out = {}
    for k, rs in per.items():
        keys = [x for x in rs[0] if isinstance(rs[0][x], (int, float))]
        out[k] = {"rounds": rs, **{x: statistics.median(r[x] for r in rs) for x in keys}}
    return out


# ---- ChangeVmImage jobs/s ------------------------------------------------------------------------

def change_image_jobs(server: Server, vm_uuids: list[str], image_uuids: list[str]) -> dict:
    """Submit one ChangeVmImage per VM at once, poll every job to the end; jobs/s = jobs / wall time."""
    async def main():
        async with httpx.AsyncClient(base_url=server.base_url, headers=server.headers, timeout=60,
                                     limits=httpx.Limits(max_connections=32)) as client:
            async def one(i, vm):
                r = await client.put(f"/zstack/v1/vm-instances/{vm}/actions",
                                     json={"changeVmImage": {"imageUuid": image_uuids[i % len(image_uuids)]}})
                if r.status_code != 202:
                    return r.status_code
                path = httpx.URL(r.json()["location"]).path
                while True:
                    r = await client.get(path)
                    if r.status_code != 202:
                        return r.status_code
                    await asyncio.sleep(0.01)
            return await asyncio.gather(*[one(i, vm) for i, vm in enumerate(vm_uuids)])

    t0 = time.perf_counter()
    statuses = asyncio.run(main())
    elapsed = time.perf_counter() - t0
    failed = [s for s in statuses if s != 200]
    return {"jobs": len(vm_uuids), "failed": len(failed), "seconds": elapsed, "jobs_per_s": len(vm_uuids) / elapsed}


# ---- QueryImage -----------------------------------------------------------------------------------------

def query_paths(bs_uuid: str) -> dict[str, str]:
    base = "/zstack/v1/images?limit=100&q="
    return {"name~=ubuntu-1234%": base + quote("name~=ubuntu-1234%", safe="=~"),
            "state=Enabled": base + quote("state=Enabled", safe="="),
            "backupStorageRefs.backupStorageUuid=": base + quote(f"backupStorageRefs.backupStorageUuid={bs_uuid}",
                                                                 safe="="),
            "all three": base + quote("name~=ubuntu-1%", safe="=~") + "&q=" + quote("state=Enabled", safe="=")
            + "&q=" + quote(f"backupStorageRefs.backupStorageUuid={bs_uuid}", safe="=")}
