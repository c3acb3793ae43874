"""GET /health and GET /metrics on the real ASGI app (single-process metrics; the multiprocess setup is in
tests/e2e/test_ops_live.py), and the log line of a failed job.

The counters are the process's, shared by every app a test run builds, so the tests compare before/after."""

from __future__ import annotations

import logging
import re
import time

from prometheus_client.parser import text_string_to_metric_families

from zslite.db.engine import Database

UUID32 = re.compile(r"[0-9a-f]{32}")


def scrape(http) -> dict:
    """{family name: [(sample name, labels, value)]} of one GET /metrics."""
    r = http.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {f.name: [(s.name, s.labels, s.value) for s in f.samples] for f in text_string_to_metric_families(r.text)}


def value(families: dict, sample: str, **labels) -> float:
    family = re.sub(r"(_total|_count|_sum|_bucket)$", "", sample)
    return sum(v for name, lab, v in families.get(family, []) if name == sample and labels.items() <= lab.items())


def wait_for(http, sample: str, at_least: float, **labels) -> dict:
    """Scrape until a counter reaches a value (a job's counter moves just after its result is stored)."""
    deadline = time.monotonic() + 30
    while True:
        families = scrape(http)
        if value(families, sample, **labels) >= at_least or time.monotonic() > deadline:
            return families
        time.sleep(0.02)


def label_values(families: dict) -> list[str]:
    return [v for samples in families.values() for _, labels, _ in samples for v in labels.values()]


def test_health_needs_no_session_and_no_database(http):
    r = http.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    rt = http.app.state.zs
    saved = rt.database
    rt.database = Database("postgresql://nobody@127.0.0.1:1/none")  # refuses every connection
    try:
        assert http.get("/health").json() == {"status": "ok"}
        families = scrape(http)  # the scrape survives the database being away, and says so
        assert value(families, "zslite_database_up") == 0
        assert "zslite_jobs" not in families or not families["zslite_jobs"]
    finally:
        rt.database.dispose()
        rt.database = saved
    assert value(scrape(http), "zslite_database_up") == 1


def test_metrics_count_requests_and_jobs_with_safe_labels(api, http):
    before = scrape(http)
    zone = api.ok("CreateZone", name="metrics-zone", description="tenant data")["inventory"]
    for _ in range(3):
        api.ok("QueryZone", q=[f"uuid={zone['uuid']}"])
    assert api.request("GET", f"/zstack/v1/zones/{zone['uuid']}").status_code == 200
    api.fail("ChangeZoneState", "SYS.1007", uuid="0" * 32, stateEvent="enable")  # a job that fails
    assert http.get(f"/no/such/{zone['uuid']}").status_code == 404
    assert api.request("PUT", f"/zstack/v1/zones/{zone['uuid']}/actions", content=b"{nope").status_code == 400

    after = wait_for(http, "zslite_jobs_finished_total",
                     value(before, "zslite_jobs_finished_total", api="ChangeZoneState", outcome="failed") + 1,
                     api="ChangeZoneState", outcome="failed")

    def moved(sample, **labels):
        return value(after, sample, **labels) - value(before, sample, **labels)

    # requests by registry API name and status: the uuid in the path is no part of the label
    assert moved("zslite_http_requests_total", api="QueryZone", status="200") == 4
    assert moved("zslite_http_requests_total", api="CreateZone", status="202") == 1
    assert moved("zslite_http_requests_total", api="ChangeZoneState", status="202") == 1
    assert moved("zslite_http_requests_total", api="api-jobs") >= 2  # the polls of both jobs
    assert moved("zslite_http_requests_total", api="unknown", status="404") == 1
    assert moved("zslite_http_requests_total", api="unknown", status="400") == 1  # no action could be picked
    assert moved("zslite_http_request_duration_seconds_count", api="QueryZone") == 4
    assert value(after, "zslite_http_request_duration_seconds_bucket", api="QueryZone", le="+Inf") >= 4
    # jobs by API and outcome; jobs in the table by state
    assert moved("zslite_jobs_finished_total", api="CreateZone", outcome="succeeded") == 1
    assert moved("zslite_jobs_finished_total", api="ChangeZoneState", outcome="failed") == 1
    states = {labels["state"]: v for _, labels, v in after["zslite_jobs"]}
    assert states.get("Succeeded", 0) >= 1 and states.get("Failed", 0) >= 1
    assert {"Queued", "Running", "Succeeded", "Failed"} <= set(states)  # every state, 0 when no job is in it
    # the pool, the database, the heartbeat
    assert value(after, "zslite_db_pool_checked_out") >= 0
    if http.app.state.zs.database.backend != "sqlite" or "zslite_db_pool_size" in after:
        assert value(after, "zslite_db_pool_size") >= 1
    assert value(after, "zslite_database_up") == 1
    age = value(after, "zslite_heartbeat_age_seconds")
    assert 0 <= age < 3600
    # no uuid, session, password hash, secret, path or tenant text in any label
    secrets = {api.session, api.hash("password"), zone["uuid"], "test-master-key", "tenant data"}
    for v in label_values(after):
        assert not UUID32.search(v), v
        assert not any(s in v for s in secrets), v
        assert "/" not in v, v


def test_failed_job_logs_one_line_with_api_uuid_and_code(api, caplog):
    caplog.set_level(logging.WARNING, logger="zslite.jobs")
    job = "1234567890abcdef1234567890abcdef"
    status, body = api.call("AddKVMHost", headers={"X-Job-UUID": job}, name="h", managementIp="10.0.0.9",
                            clusterUuid="0" * 32, username="root", password="pw-never-logged")
    assert status == 503 and body["error"]["code"] == "SYS.1007"
    deadline = time.monotonic() + 30
    while not [r for r in caplog.records if job in r.getMessage()] and time.monotonic() < deadline:
        time.sleep(0.02)
    lines = [r for r in caplog.records if job in r.getMessage()]
    assert len(lines) == 1, [r.getMessage() for r in caplog.records]
    line = lines[0]
    assert line.levelno == logging.WARNING and "\n" not in line.getMessage()
    assert "AddKVMHost" in line.getMessage() and "SYS.1007" in line.getMessage()
    assert "pw-never-logged" not in caplog.text


def test_api_label_never_comes_from_the_url():
    from zslite.server.logging import api_label

    class FakeRoute:
        name = "endpoint"

    assert api_label({"path": "/zstack/v1/zones/" + "a" * 32}) == "unknown"
    assert api_label({"route": FakeRoute()}) == "unknown"
    assert api_label({"route": FakeRoute(), "zslite.api": "QueryZone"}) == "QueryZone"
