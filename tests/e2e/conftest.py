"""A real `zslite serve` (uvicorn) process per test, on the test database: for jobs, restarts,
signals and webhooks, which the in-process ASGI client cannot show."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from zslite.security import sha512_hex

PYTHON = str(Path(sys.executable))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, db_url: str, node: str, log_dir: Path, env: dict[str, str]):
        self.db_url, self.node, self.log_dir, self.extra_env = db_url, node, log_dir, env
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **env: str) -> "LiveServer":
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.port = free_port()
        self.starts += 1
        full_env = {**os.environ, "ZSLITE_DB_URL": self.db_url, "ZSLITE_SECRET_KEY": "live-test-master-key",
                    "ZSLITE_NODE_NAME": self.node, "ZSLITE_ADMIN_PASSWORD": "password",
                    "ZSLITE_PASSWORD_HASH_N": "1024", "ZSLITE_LOG_LEVEL": "WARNING", "ZSLITE_FAULT_INJECTION": "",
                    **self.extra_env, **env}
        self.log = self.log_dir / f"server-{self.node}-{self.starts}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen([PYTHON, "-m", "zslite", "serve", "--host", "127.0.0.1",
                                          "--port", str(self.port)], env=full_env, stdout=out,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"zslite serve exited with {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                httpx.get(self.base_url + "/zstack/v1/openapi.json", timeout=1)
                return self
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"zslite serve did not answer:\n{self.log.read_text()}") from None
                time.sleep(0.05)

    def signal(self, sig: int, timeout: float = 20) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.signal(signal.SIGKILL)

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=10, **kw)

    def login(self, client: httpx.Client, name: str = "admin", password: str = "password") -> dict:
        r = client.put("/zstack/v1/accounts/login",
                       json={"logInByAccount": {"accountName": name, "password": sha512_hex(password)}})
        assert r.status_code == 200, r.text
        return {"Authorization": f"OAuth {r.json()['inventory']['uuid']}"}


@pytest.fixture
def live(db_url, database, tmp_path):
    """live("node-a", ZSLITE_X="...") → a started LiveServer; every one is killed at the end."""
    servers: list[LiveServer] = []

    def start(node: str = "node-a", **env: str) -> LiveServer:
        server = LiveServer(db_url, node, tmp_path, env)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.kill()


def poll(client: httpx.Client, location: str, timeout: float = 15, **kw) -> httpx.Response:
    path = httpx.URL(location).path
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(path, **kw)
        if r.status_code != 202 or time.monotonic() > deadline:
            return r
        time.sleep(0.02)
