"""A real `python -m zslite serve` process on a free port, over a test database."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx


def free_port(preferred: int | None = None) -> int:
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


@contextlib.contextmanager
def live_server(db_url: str, tmp_path, *, demo: bool = False, port: int | None = None) -> Iterator[str]:
    port = port or free_port()
    env = {**os.environ, "ZSLITE_DB_URL": db_url, "ZSLITE_SECRET_KEY": "live-test-key",
           "ZSLITE_NODE_NAME": f"live-{port}", "ZSLITE_SECRET_KEY_FILE": str(tmp_path / "live.key"),
           "ZSLITE_PASSWORD_HASH_N": "1024", "ZSLITE_LOG_LEVEL": "WARNING"}
    args = [sys.executable, "-m", "zslite", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if demo:
        args.append("--demo")
    log = open(tmp_path / f"server-{port}.log", "w+")
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"zslite serve exited with {proc.returncode}:\n{log.read()}")
            try:
                if httpx.get(url + "/zstack/v1/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("zslite serve did not answer within 30 s")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
