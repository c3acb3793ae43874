"""The floor: a bare app on the same framework, server and JSON library as zslite, answering a body
of the same size as the cheapest authenticated GET (a zone by uuid) — without authentication, database
or logging. What zslite costs per request is measured against it, in the same run (issue 11).

    python -m bench.floor --port 18300 --body-bytes 400
"""

from __future__ import annotations

import argparse

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zslite.server.serving import uvicorn_options


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


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--body-bytes", type=int, default=400)
    args = p.parse_args(argv)
    uvicorn.run(app_for(args.body_bytes), host="127.0.0.1", port=args.port, **uvicorn_options())


if __name__ == "__main__":
    main()


class FloorProcess:
    """`python -m bench.floor` on a free port, for the bench run."""

    def __init__(self, body_bytes: int, log_dir):
        self.body_bytes = body_bytes
        self.log_dir = log_dir
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
        log = open(f"{self.log_dir}/floor-{self.port}.log", "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.floor", "--port", str(self.port),
                                      "--body-bytes", str(self.body_bytes)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.base_url + "/zstack/v1/zones/x", timeout=1).status_code == 200:
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
