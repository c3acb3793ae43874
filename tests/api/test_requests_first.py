"""While a process serves requests, its job runner runs one job at a time (requests come first: every
more job would take the GIL from them); idle, it runs as many as it has workers."""

from __future__ import annotations

import time

from starlette.testclient import TestClient

from zslite.db.models import Job
from zslite.server.app import create_app
from tests.support import ApiClient


def _states(database, uuids):
    with database.read() as s:
        return {j.uuid: j.state for j in s.query(Job).filter(Job.uuid.in_(uuids))}


def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)
    return predicate()


def test_one_job_at_a_time_while_requests_are_served(settings, database):
    held = settings.model_copy(update={"job_workers": 4, "job_poll_interval": 0.05,
                                       "fault_injection": "job.before_start.CreateZone=sleep:1.5"})
    app = create_app(held, database=database)
    rt = app.state.zs
    with TestClient(app, base_url="http://testserver") as http:
        api = ApiClient(http)
        api.login("admin", "password")
        rt.inflight[0] += 1  # as if a request were being served the whole time
        try:
            first = api.request("POST", "/zstack/v1/zones", json={"params": {"name": "a"}}).json()["location"]
            second = api.request("POST", "/zstack/v1/zones", json={"params": {"name": "b"}}).json()["location"]
            jobs = [first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]]
            assert _wait(lambda: "Running" in _states(database, jobs).values())
            time.sleep(0.5)  # the first sleeps 1.5 s: a free worker would have claimed the second by now
            assert sorted(_states(database, jobs).values()) == ["Queued", "Running"]
        finally:
            rt.inflight[0] -= 1
        # the first ends; with no request in flight the rest run at once, together
        third = api.request("POST", "/zstack/v1/zones", json={"params": {"name": "c"}}).json()["location"]
        jobs.append(third.rsplit("/", 1)[1])
        assert _wait(lambda: list(_states(database, jobs).values()).count("Running") >= 2, 5)
        assert _wait(lambda: set(_states(database, jobs).values()) == {"Succeeded"}, 15)
