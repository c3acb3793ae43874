"""Asynchronous jobs through a real `zslite serve` process (SPEC §2 Jobs): 202 + location, polling
without a session, X-Job-UUID, X-Web-Hook, crash recovery, result retention, SIGTERM."""

from __future__ import annotations

import json
import queue
import re
import signal
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from zslite.db.models import Job, ManagementNode, Zone
from zslite.testing import poll

JOB_PATH = re.compile(r"^/zstack/v1/api-jobs/([0-9a-f]{32})$")


class HookReceiver:
    """A tiny local HTTP server that records the X-Web-Hook posts it gets."""

    def __init__(self):
        got = self.got = queue.Queue()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                got.put((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def next(self, timeout: float = 10):
        return self.got.get(timeout=timeout)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hooks():
    h = HookReceiver()
    yield h
    h.close()


def zone_names(database) -> list[str]:
    with database.read() as s:
        return sorted(s.scalars(select(Zone.name)))


def test_job_protocol(live, hooks, database):
    server = live("node-proto", ZSLITE_FAULT_INJECTION="job.before_commit.ChangeZoneState=sleep:1.5")
    with server.client() as c:
        auth = server.login(c)

        # 202 + absolute location under /zstack/v1, whichever prefix the request used
        for prefix in ("/zstack/v1", "/v1"):
            r = c.post(prefix + "/zones", json={"params": {"name": f"z{prefix.count('/')}"}}, headers=auth)
            assert r.status_code == 202, r.text
            location = r.json()["location"]
            assert location.startswith(f"http://127.0.0.1:{server.port}/zstack/v1/api-jobs/"), location
            assert JOB_PATH.match(location.split(str(server.port), 1)[1])
            done = poll(c, location)  # no Authorization at all
            assert done.status_code == 200 and done.json()["inventory"]["state"] == "Enabled"
        r = c.post("/v1/zones", json={"params": {"name": "hosted"}}, headers={**auth, "Host": "zs.example:8080"})
        assert r.json()["location"].startswith("http://zs.example:8080/zstack/v1/api-jobs/")
        job = r.json()["location"].rsplit("/", 1)[1]
        zone = poll(c, f"/zstack/v1/api-jobs/{job}", headers={"Authorization": "OAuth null"}).json()["inventory"]
        assert zone["name"] == "hosted"
        for path in (f"/zstack/v1/api-jobs/{job}", f"/v1/api-jobs/{job}"):
            r = c.get(path, headers={"Authorization": "OAuth null"})
            assert r.status_code == 200 and r.json()["inventory"]["uuid"] == zone["uuid"]

        # a job held mid-flight: 202 with the same body while it runs; the caller's X-Job-UUID; the webhook
        chosen = uuid.uuid4().hex
        r = c.put(f"/zstack/v1/zones/{zone['uuid']}/actions", json={"changeZoneState": {"stateEvent": "disable"}},
                  headers={**auth, "X-Job-UUID": chosen, "X-Web-Hook": hooks.url + "/hook"})
        assert r.status_code == 202
        location = r.json()["location"]
        assert location == f"http://127.0.0.1:{server.port}/zstack/v1/api-jobs/{chosen}"
        running = c.get(f"/zstack/v1/api-jobs/{chosen}")
        assert running.status_code == 202 and running.json() == {"location": location}
        # accepted, then claimed by a worker (Queued, then Running: it sleeps 1.5 s in its transaction)
        states = []
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and (not states or states[-1] != "Running"):
            progress = c.get(f"/zstack/v1/task-progresses/{chosen}", headers=auth)
            assert progress.status_code == 200, progress.text
            (task,) = progress.json()["inventories"]
            assert task["apiId"] == chosen and task["opaque"]["progress"] == "0"
            states.append(task["opaque"]["state"])
        assert states[-1] == "Running" and set(states) <= {"Queued", "Running"}, states
        assert zone_names(database) == ["hosted", "z1", "z2"]
        done = poll(c, location)
        assert done.status_code == 200 and done.json()["inventory"]["state"] == "Disabled"
        path, headers, body = hooks.next()
        assert path == "/hook" and headers["x-job-uuid"] == chosen and headers["x-job-success"] == "true"
        assert json.loads(body) == done.json()
        (task,) = c.get(f"/zstack/v1/task-progresses/{chosen}", headers=auth).json()["inventories"]
        assert task["opaque"] == {"state": "Succeeded", "progress": "100"}
        assert c.get(f"/zstack/v1/task-progresses/{uuid.uuid4().hex}", headers=auth).json()["inventories"] == []

        # a failed job: 503 with the error; the webhook says false
        r = c.post("/zstack/v1/accounts", json={"params": {"name": "admin", "password": "x"}},
                   headers={**auth, "X-Web-Hook": hooks.url + "/fail"})
        failed = poll(c, r.json()["location"])
        assert failed.status_code == 503 and failed.json()["error"]["code"] == "SYS.1007"
        path, headers, body = hooks.next()
        assert path == "/fail" and headers["x-job-success"] == "false" and json.loads(body) == failed.json()
        assert headers["x-job-uuid"] == r.json()["location"].rsplit("/", 1)[1]

        # unknown jobs: 404
        for path in (f"/zstack/v1/api-jobs/{uuid.uuid4().hex}", f"/v1/api-jobs/{uuid.uuid4().hex}",
                     "/zstack/v1/api-jobs/not-a-job"):
            assert c.get(path).status_code == 404

        # X-Job-UUID: malformed or reused → 400 and nothing done; ignored by sync APIs
        for bad in (chosen.upper(), str(uuid.uuid4()), chosen[:31], chosen + "0", "", "g" * 32):
            r = c.post("/zstack/v1/zones", json={"params": {"name": "never"}}, headers={**auth, "X-Job-UUID": bad})
            assert r.status_code == 400, (bad, r.text)
        r = c.post("/zstack/v1/zones", json={"params": {"name": "never"}}, headers={**auth, "X-Job-UUID": chosen})
        assert r.status_code == 400 and "already" in r.text
        for bad in (chosen, "NOT-A-UUID"):
            assert c.get("/zstack/v1/zones", headers={**auth, "X-Job-UUID": bad}).status_code == 200
            with server.client(headers={"X-Job-UUID": bad}) as other:
                server.login(other)
        assert zone_names(database) == ["hosted", "z1", "z2"]


def test_killed_server_job_is_interrupted_and_its_effect_absent(live, database):
    server = live("node-crash", ZSLITE_FAULT_INJECTION="job.before_commit.CreateZone=sleep:30")
    held = uuid.uuid4().hex
    with server.client() as c:
        auth = server.login(c)
        r = c.post("/zstack/v1/accounts", json={"params": {"name": "bob", "password": "x"}}, headers=auth)
        finished = poll(c, r.json()["location"])
        assert finished.status_code == 200
        r = c.post("/zstack/v1/zones", json={"params": {"name": "doomed"}}, headers={**auth, "X-Job-UUID": held})
        assert r.status_code == 202
        time.sleep(0.8)  # the handler ran; the job sits before its commit
        assert c.get(f"/zstack/v1/api-jobs/{held}").status_code == 202
    server.signal(signal.SIGKILL)
    with database.read() as s:
        assert s.get(Job, held).state == "Running"
        assert s.scalars(select(Zone)).all() == []

    server.start()  # same node name, no fault
    with server.client() as c:
        r = c.get(f"/zstack/v1/api-jobs/{held}")
        assert r.status_code == 503, r.text
        err = r.json()["error"]
        assert err["code"] == "SYS.1006" and "interrupted" in err["description"] + err["details"]
        auth = server.login(c)
        assert c.get("/zstack/v1/zones", headers=auth).json()["inventories"] == []
        # results survive a restart
        again = c.get(finished.url.path)
        assert again.status_code == 200 and again.json() == finished.json()
    assert zone_names(database) == []


def test_result_expiry_and_sigterm(live, database):
    server = live("node-expiry", ZSLITE_JOB_RETENTION_SECONDS="2")
    with server.client() as c:
        auth = server.login(c)
        r = c.post("/zstack/v1/zones", json={"params": {"name": "z"}}, headers=auth)
        location = r.json()["location"]
        assert poll(c, location).status_code == 200
        job = location.rsplit("/", 1)[1]
        time.sleep(3.2)
        assert c.get(f"/zstack/v1/api-jobs/{job}").status_code == 404
        assert c.get(f"/zstack/v1/task-progresses/{job}", headers=auth).json()["inventories"] == []
    named = select(ManagementNode).where(ManagementNode.name == "node-expiry")
    with database.read() as s:
        assert len(s.scalars(named).all()) == 1
    server.signal(signal.SIGTERM)
    with database.read() as s:
        assert s.scalars(named).all() == []  # the clean shutdown removed the node


def test_sigterm_exit_code_is_zero(live):
    server = live("node-term")
    assert server.signal(signal.SIGTERM) == 0
