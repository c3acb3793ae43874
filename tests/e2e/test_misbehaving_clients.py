"""The server survives any client (SPEC §10), through the real `zslite serve` entry point.

Hundreds of raw-socket clients misbehave against one server: they reset (SO_LINGER 0) or close while
the server writes a large answer (the candidate call and a big Query, pipelined so that the server
is mid-write when the connection goes), disconnect mid-request, send half bodies, garbage and huge
headers, read slowly, hold connections open, and a keep-alive load ends abruptly with every
connection reset. Then the process must be alive, answer the same as before, and have logged no
traceback. And `zslite api … | head` ends quietly (no BrokenPipeError).
"""

from __future__ import annotations

import json
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from tests import factories as f
from tests.api.imgvm_scene import basic
from zslite.context import ADMIN_ACCOUNT_UUID
from zslite.db import models as m

N_IMAGES = 300  # every one a candidate: the candidate answer and the Query are ~250 kB each


@dataclass
class Big:
    vm: str
    candidates_path: str
    query_path: str


def big_scene(database, n: int = N_IMAGES) -> Big:
    sc = basic(database)
    with database.write() as s:
        cluster = s.get(m.Cluster, sc.cluster)
        host = s.get(m.Host, sc.host)
        ps = s.get(m.PrimaryStorage, sc.ps)
        rows = []
        for i in range(n):
            uuid = f.uid()
            rows += [m.Image(uuid=uuid, name=f"image-{i:04d}", description="d" * 200, state="Enabled",
                             status="Ready", size=1024**3, actual_size=1024**2, url=f"http://example/{uuid}.qcow2",
                             media_type="RootVolumeTemplate", type="zstack", platform="Linux", format="qcow2",
                             system=False, architecture="x86_64", virtio=True, guest_os_type="Linux",
                             create_date=f.NOW, last_op_date=f.NOW),
                     m.AccountResourceRef(resource_uuid=uuid, resource_type="ImageVO",
                                          account_uuid=ADMIN_ACCOUNT_UUID, create_date=f.NOW)]
        s.add_all(rows)
        s.flush()
        s.add_all([m.ImageBackupStorageRef(image_uuid=r.uuid, backup_storage_uuid=sc.bs, status="Ready",
                                           install_path=f"zstore://{r.uuid}", create_date=f.NOW,
                                           last_op_date=f.NOW)
                   for r in rows if isinstance(r, m.Image)])
        vm = f.vm(s, cluster, host, ps).uuid
    return Big(vm, f"/zstack/v1/vm-instances/{vm}/image-candidates", "/zstack/v1/images?limit=5000")


# ---- raw clients ----------------------------------------------------------------------------------

def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def reset(sock: socket.socket) -> None:
    """Close with an RST instead of a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def get(path: str, auth: str, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: zslite\r\nAuthorization: {auth}\r\n{extra}\r\n".encode()


def post_head(path: str, auth: str, length: int) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: zslite\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def quietly(fn):
    """Misbehaving clients may themselves see resets and timeouts: only the server's fate counts."""
    def run(*args):
        try:
            fn(*args)
        except OSError:
            pass
    return run


@quietly
def reset_mid_response(port, auth, path, rng):
    sock = connect(port)
    sock.sendall(get(path, auth) * rng.randint(1, 4))  # pipelined: the server writes on after the reset
    sock.recv(rng.choice((1, 1024, 65536)))
    reset(sock)


@quietly
def close_mid_response(port, auth, path, rng):
    sock = connect(port)
    sock.sendall(get(path, auth) * rng.randint(2, 6))
    sock.recv(rng.choice((1, 4096)))
    sock.close()  # unread data: the kernel answers the server's next segments with RSTs


@quietly
def close_before_response(port, auth, path, rng):
    sock = connect(port)
    sock.sendall(get(path, auth) * rng.randint(1, 3))
    (reset if rng.random() < 0.5 else socket.socket.close)(sock)


@quietly
def disconnect_mid_request(port, auth, path, rng):
    sock = connect(port)
    whole = get(path, auth)
    sock.sendall(whole[:rng.randint(1, len(whole) - 1)])
    (reset if rng.random() < 0.5 else socket.socket.close)(sock)


@quietly
def half_body(port, auth, path, rng):
    sock = connect(port)
    body = json.dumps({"params": {"name": "never-" + "x" * 200}}).encode()
    sock.sendall(post_head("/zstack/v1/zones", auth, len(body) + rng.randint(1, 10_000)) + body[:rng.randint(0, 50)])
    time.sleep(rng.random() * 0.05)
    (reset if rng.random() < 0.5 else socket.socket.close)(sock)


GARBAGE = (
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",           # a TLS client hello
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET /zstack/v1/zones HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /zstack/v1/zones HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot-a-chunk\r\n",
    b"POST /zstack/v1/zones HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\nhello",
    b"\r\n\r\n\r\n",
    b"GET /zstack/v1/zones\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /zstack/v1/zönes HTTP/1.1\r\nHost: \u00ff\r\n\r\n".encode("utf-8"),
)


@quietly
def garbage(port, auth, path, rng):
    sock = connect(port)
    data = rng.choice(GARBAGE) if rng.random() < 0.6 else rng.randbytes(rng.randint(1, 8192))
    sock.sendall(data)
    if rng.random() < 0.5:
        sock.recv(4096)
    (reset if rng.random() < 0.5 else socket.socket.close)(sock)


@quietly
def huge_headers(port, auth, path, rng):
    sock = connect(port)
    if rng.random() < 0.5:
        head = get(path, auth, "X-Huge: " + "h" * rng.randint(70_000, 300_000) + "\r\n")
    else:
        head = get(path, auth, "".join(f"X-H{i}: {i}\r\n" for i in range(rng.randint(2000, 6000))))
    sock.sendall(head)
    sock.recv(4096)
    (reset if rng.random() < 0.5 else socket.socket.close)(sock)


@quietly
def slow_reader(port, auth, path, rng):
    sock = connect(port)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(get(path, auth) * 2)
    for _ in range(30):
        sock.recv(256)
        time.sleep(0.01)
    reset(sock)


MISBEHAVIOURS = [(reset_mid_response, 80), (close_mid_response, 60), (close_before_response, 40),
                 (disconnect_mid_request, 40), (half_body, 40), (garbage, 60), (huge_headers, 20),
                 (slow_reader, 12)]


def abrupt_load(port: int, auth: str, path: str, seconds: float, connections: int = 16) -> int:
    """wrk-like: keep-alive connections each sending requests back to back and reading the answers;
    at the end every connection sends one more request and is reset without reading it."""
    stop = time.monotonic() + seconds
    answered = [0] * connections

    def one(i: int) -> None:
        sock = connect(port)
        reader = sock.makefile("rb")
        try:
            while time.monotonic() < stop:
                sock.sendall(get(path, auth))
                length = None
                while (line := reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                reader.read(length or 0)
                answered[i] += 1
            sock.sendall(get(path, auth) * 3)
        except OSError:
            pass
        finally:
            reader.close()
            reset(sock)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sum(answered)


def test_server_survives_misbehaving_clients(live, database):
    server = live("node-clients")  # first: it creates the admin account the scene's rows belong to
    scene = big_scene(database)
    auth = server.login()["Authorization"]
    with server.client(headers={"Authorization": auth}) as c:
        before = c.get(scene.candidates_path)
        assert before.status_code == 200 and len(before.json()["inventories"]) == N_IMAGES
        query_before = c.get(scene.query_path).json()
    assert len(query_before["inventories"]) == N_IMAGES

    rng = random.Random(20261129)
    jobs = []
    for behaviour, times in MISBEHAVIOURS:
        for _ in range(times):
            path = rng.choice((scene.candidates_path, scene.query_path))
            jobs.append((behaviour, random.Random(rng.random()), path))
    rng.shuffle(jobs)

    # connections held open mid-body while everything else happens
    held = []
    for _ in range(30):
        sock = connect(server.port)
        sock.sendall(post_head("/zstack/v1/zones", auth, 1000) + b'{"params": {')
        held.append(sock)

    with ThreadPoolExecutor(16) as pool:
        for _ in pool.map(lambda job: job[0](server.port, auth, job[2], job[1]), jobs):
            pass
    assert server.alive(), f"zslite serve died with {server.proc.returncode}:\n{server.log_text()}"

    answered = abrupt_load(server.port, auth, scene.candidates_path, seconds=2.0)
    assert answered > 0
    for sock in held:
        reset(sock)
    time.sleep(0.5)  # let the server notice the resets

    assert server.alive(), f"zslite serve died with {server.proc.returncode}:\n{server.log_text()}"
    with server.client(headers={"Authorization": auth}) as c:
        after = c.get(scene.candidates_path)
        assert after.status_code == 200 and after.json() == before.json()
        assert c.get(scene.query_path).json() == query_before
        assert c.get("/zstack/v1/zones").json()["inventories"][0]["name"] == "zone1"
    # the half-sent creations never ran, and nothing went to the log as an error
    with database.read() as s:
        assert s.query(m.Zone).count() == 1
    log = server.log_text()
    assert "Traceback" not in log and "unexpected error" not in log, log


@pytest.mark.one_backend  # the CLI's output path; the server's databases are covered by the test above
def test_cli_output_into_a_closed_pipe_is_quiet(live, database, tmp_path):
    """`zslite api QueryImage -o json | head -1`: the reader goes away mid-output; the CLI ends
    with the shell's SIGPIPE status (141) and says nothing on stderr."""
    server = live("node-pipe")
    big_scene(database, 1200)  # more output than a pipe holds, in every format
    env = {**os.environ, "ZSLITE_CONFIG_DIR": str(tmp_path / "cli"), "ZSLITE_URL": server.base_url}
    # as a user runs it: with PYTHONUNBUFFERED a write cut by the closed pipe is silently partial
    env.pop("PYTHONUNBUFFERED", None)
    login = subprocess.run([sys.executable, "-m", "zslite", "login", "--password", "password"], env=env,
                           capture_output=True, timeout=60)
    assert login.returncode == 0, login.stderr
    for fmt in ("json", "yaml", "table"):
        proc = subprocess.Popen([sys.executable, "-m", "zslite", "api", "QueryImage", "limit=5000", "-o", fmt],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = proc.stdout.readline()
        assert first.strip(), fmt
        proc.stdout.close()  # `head -1` is done
        err = proc.stderr.read().decode()
        proc.stderr.close()
        assert proc.wait(60) == 141, (fmt, proc.returncode, err)
        assert err == "", (fmt, err)
    # and the whole output, when someone reads it, is all there
    full = subprocess.run([sys.executable, "-m", "zslite", "api", "QueryImage", "limit=5000", "-o", "json"],
                          env=env, capture_output=True, timeout=60)
    assert full.returncode == 0 and len(json.loads(full.stdout)["inventories"]) == 1200
