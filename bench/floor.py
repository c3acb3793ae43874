"""The floors: bare apps on the same framework, server and JSON library as zslite, answering the
cheapest authenticated GET's URL (a zone by uuid) without authentication or logging. What zslite costs
per request is measured against them, in the same run (issue 11).

- `bare`: a body of the same size as zslite's answer, no database at all.
- `row`: the zone's row read from zslite's database by one SQLAlchemy Core statement on a request
  thread, as zslite reads (the same engine settings: zslite.db.engine.Database's read engine, the same
  executor hop): what this stack costs to answer one row, before zslite does anything of its own.
- `row-loop`: the same statement run on the event loop, without the thread hop.
- `candidates`: the candidate call's own two statements (the VM's scope, the candidates with their
  refs; zslite.rules.candidates builds them), run on a request thread with the same hop, their rows
  sent as JSON: what this stack costs for the candidate call's database work, before zslite renders,
  authenticates or logs anything. Against `row`, it bounds the 10-candidate target (bench/report.py).

    python -m bench.floor --port 18300 --body-bytes 400
    python -m bench.floor --port 18301 --mode row --db-url sqlite:////tmp/x.db
"""

from __future__ import annotations

import argparse
import asyncio
from concurrent.futures import ThreadPoolExecutor

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zslite.server.serving import uvicorn_options


MODES = ("bare", "row", "row-loop", "candidates")


def app_for(body_bytes: int) -> Starlette:
    zone = {"uuid": "de700000000000000000000000000001", "name": "demo-zone", "description": "",
            "state": "Enabled", "type": "zstack", "isDefault": True,
            "createDate": "Nov 29, 2026 8:19:57 AM", "lastOpDate": "Nov 29, 2026 8:19:57 AM"}
    pad = max(0, body_bytes - len(orjson.dumps({"inventories": [zone]})))
    zone["description"] = "x" * pad
    body = {"inventories": [zone]}

    async def one(request: Request) -> Response:
        return Response(orjson.dumps(body), media_type="application/json; charset=utf-8")

    return Starlette(routes=[Route("/zstack/v1/zones/{uuid}", one, methods=["GET"])])


def row_app(db_url: str, on_loop: bool) -> Starlette:
    """One zone row by uuid through SQLAlchemy Core on zslite's read engine, as JSON."""
    from sqlalchemy import bindparam, select

    from zslite.config import load_settings
    from zslite.db.engine import Database
    from zslite.db.models import Zone

    database = Database(db_url)
    table = Zone.__table__
    stmt = select(table).where(table.c.uuid == bindparam("uuid"))
    threads = ThreadPoolExecutor(max_workers=load_settings(warn=False).request_threads)

    def read(uuid: str) -> bytes:
        with database.read_engine.connect() as conn:
            row = conn.execute(stmt, {"uuid": uuid}).first()
        zone = {str(k): v for k, v in row._mapping.items()} if row is not None else {}
        return orjson.dumps({"inventories": [zone]}, default=str)

    async def one(request: Request) -> Response:
        uuid = request.path_params["uuid"]
        if on_loop:
            body = read(uuid)
        else:
            body = await asyncio.get_running_loop().run_in_executor(threads, read, uuid)
        return Response(body, media_type="application/json; charset=utf-8")

    return Starlette(routes=[Route("/zstack/v1/zones/{uuid}", one, methods=["GET"])])


def candidates_app(db_url: str) -> Starlette:
    """The candidate call's two statements for a VM by uuid (as admin), rows as JSON, on a request thread."""
    from zslite.config import load_settings
    from zslite.context import SYSTEM
    from zslite.db.engine import Database
    from zslite.rules import candidates as rules

    database = Database(db_url)
    threads = ThreadPoolExecutor(max_workers=load_settings(warn=False).request_threads)
    built: dict = {}  # vm uuid → its candidate statement, built once (as zslite's are, per scope)

    def read(vm_uuid: str) -> bytes:
        with database.read_engine.connect() as conn:
            scope_rows = conn.execute(rules._scope_stmt(SYSTEM), {"vm_uuid": vm_uuid}).all()
            stmt = built.get(vm_uuid)
            if stmt is None:
                with database.read() as s:
                    stmt = built[vm_uuid] = rules.candidate_statement(rules.load_scope(s, SYSTEM, vm_uuid), SYSTEM,
                                                              inline=rules.inlines(database.backend))
            rows = conn.execute(stmt).all()
        return orjson.dumps({"scope": [tuple(r) for r in scope_rows], "inventories": [tuple(r) for r in rows]},
                            default=str)

    async def one(request: Request) -> Response:
        body = await asyncio.get_running_loop().run_in_executor(threads, read, request.path_params["uuid"])
        return Response(body, media_type="application/json; charset=utf-8")

    return Starlette(routes=[Route("/zstack/v1/vm-instances/{uuid}/image-candidates", one, methods=["GET"])])


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--body-bytes", type=int, default=400)
    p.add_argument("--mode", choices=MODES, default="bare")
    p.add_argument("--db-url", default=None)
    args = p.parse_args(argv)
    if args.mode == "bare":
        app = app_for(args.body_bytes)
    elif args.mode == "candidates":
        app = candidates_app(args.db_url)
    else:
        app = row_app(args.db_url, args.mode == "row-loop")
    uvicorn.run(app, host="127.0.0.1", port=args.port, **uvicorn_options())


if __name__ == "__main__":
    main()


class FloorProcess:
    """`python -m bench.floor` on a free port, for the bench run."""

    def __init__(self, body_bytes: int, log_dir, mode: str = "bare", db_url: str | None = None,
                 probe: str = "/zstack/v1/zones/x"):
        self.body_bytes = body_bytes
        self.log_dir = log_dir
        self.mode, self.db_url, self.probe = mode, db_url, probe
        self.proc = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "FloorProcess":
        import subprocess
        import sys
        import time

        import httpx

        from zslite.testing import free_port

        self.port = free_port()
        log = open(f"{self.log_dir}/floor-{self.mode}-{self.port}.log", "wb")
        args = [sys.executable, "-m", "bench.floor", "--port", str(self.port), "--body-bytes", str(self.body_bytes),
                "--mode", self.mode] + (["--db-url", self.db_url] if self.db_url else [])
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.base_url + self.probe, timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the floor app did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
