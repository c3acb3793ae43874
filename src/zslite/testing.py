"""Real `zslite serve` processes for tests, benchmarks and your own CI: one launcher, shared.

    with ServerProcess(db_url, log_dir=tmp_path, demo=True) as server:
        httpx.get(server.base_url + "/zstack/v1/zones", headers=server.login())

A server is started the way users start it (`python -m zslite serve`, the real entry point) on a free
loopback port, its output goes to a log file, and `start()` returns once it answers. `stop()` sends
SIGTERM (a clean stop), `kill()` SIGKILL (a crash). Starting it again reuses its node name, so a
restart is the same management node coming back.
"""

from __future__ import annotations

import hashlib
import os
import signal as signals
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

TEST_ENV = {
    "ZSLITE_SECRET_KEY": "live-test-master-key",
    "ZSLITE_ADMIN_PASSWORD": "password",
    "ZSLITE_PASSWORD_HASH_N": "1024",  # fast logins; production keeps the default cost
    "ZSLITE_LOG_LEVEL": "WARNING",
    "ZSLITE_FAULT_INJECTION": "",
}
READY_PATH = "/zstack/v1/openapi.json"


def free_port(preferred: int | None = None) -> int:
    """A loopback port nobody listens on (the preferred one when it is free)."""
    if preferred:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", preferred))
                return preferred
            except OSError:
                pass
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sha512_hex(password: str) -> str:
    return hashlib.sha512(password.encode()).hexdigest()


class ServerProcess:
    def __init__(self, db_url: str, *, log_dir: str | Path, node: str | None = None, port: int | None = None,
                 workers: int | None = None, demo: bool = False, env: dict[str, str] | None = None,
                 args: tuple[str, ...] = (), ready_timeout: float = 60):
        self.db_url = db_url
        self.log_dir = Path(log_dir)
        self.node = node
        self.requested_port = port
        self.workers = workers
        self.demo = demo
        self.env = dict(env or {})
        self.args = tuple(args)
        self.ready_timeout = ready_timeout
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.starts = 0
        self.log: Path | None = None

    # ---- lifecycle ------------------------------------------------------------------------------

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "zslite", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.workers is not None:
            cmd += ["--workers", str(self.workers)]
        if self.demo:
            cmd.append("--demo")
        return cmd + list(self.args)

    def start(self, **env: str) -> ServerProcess:
        """Start it and wait until it answers. A free port can be taken by another process between
        the check and the bind: then another port is tried (unless a port was asked for)."""
        for attempt in range(3):
            try:
                return self._start_once(**env)
            except AssertionError:
                if self.requested_port or "address already in use" not in self.log_text().lower() or attempt == 2:
                    raise

    def _start_once(self, **env: str) -> ServerProcess:
        assert not self.alive(), "already running"
        self.port = free_port(self.requested_port)
        self.starts += 1
        label = self.node or f"port-{self.port}"
        full_env = {**os.environ, **TEST_ENV, "ZSLITE_DB_URL": self.db_url,
                    "ZSLITE_SECRET_KEY_FILE": str(self.log_dir / "zslite.key"), **self.env, **env}
        if self.node:
            full_env["ZSLITE_NODE_NAME"] = self.node
        self.log = self.log_dir / f"server-{label}-{self.starts}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(self.command(), env=full_env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"zslite serve exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                if httpx.get(self.base_url + READY_PATH, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"zslite serve did not answer within {self.ready_timeout} s:\n"
                                     f"{self.log_text()}")
            time.sleep(0.05)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int, timeout: float = 30) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM and wait: the clean stop. Returns the exit code."""
        if not self.alive():
            return None if self.proc is None else self.proc.returncode
        try:
            return self.signal(signals.SIGTERM, timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        """SIGKILL the whole process group (workers included): a crash."""
        if self.alive():
            try:
                os.killpg(self.proc.pid, signals.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(30)

    def __enter__(self) -> ServerProcess:
        return self.start() if not self.alive() else self

    def __exit__(self, *exc) -> None:
        try:
            self.stop()
        finally:
            self.kill()

    # ---- talking to it --------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, **kw) -> httpx.Client:
        kw.setdefault("timeout", 30)
        return httpx.Client(base_url=self.base_url, **kw)

    def login(self, client: httpx.Client | None = None, name: str = "admin", password: str = "password") -> dict:
        """Log in and return the Authorization header of the new session."""
        body = {"logInByAccount": {"accountName": name, "password": sha512_hex(password)}}
        if client is None:
            r = httpx.put(self.base_url + "/zstack/v1/accounts/login", json=body, timeout=30)
        else:
            r = client.put("/zstack/v1/accounts/login", json=body)
        assert r.status_code == 200, r.text
        return {"Authorization": f"OAuth {r.json()['inventory']['uuid']}"}

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log and self.log.exists() else ""


def poll(client: httpx.Client, location: str, timeout: float = 30, **kw) -> httpx.Response:
    """GET a job's location until it is no longer 202 (or the timeout passes)."""
    path = httpx.URL(location).path
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(path, **kw)
        if r.status_code != 202 or time.monotonic() > deadline:
            return r
        time.sleep(0.02)
