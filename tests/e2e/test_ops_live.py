"""/health and /metrics on real `zslite serve` processes: one process, and the multiprocess setup
(PROMETHEUS_MULTIPROC_DIR, as `serve --workers N` sets it): two servers sharing the directory and the
database, where a scrape on either adds up both."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time

from prometheus_client.parser import text_string_to_metric_families

from zslite.db.engine import Database
from zslite.testing import ServerProcess, poll

UUID32 = re.compile(r"[0-9a-f]{32}")


def scrape(server: ServerProcess) -> dict:
    with server.client() as c:
        r = c.get("/metrics")
    assert r.status_code == 200, r.text
    return {f.name: [(s.name, s.labels, s.value) for s in f.samples] for f in text_string_to_metric_families(r.text)}


def value(families: dict, sample: str, **labels) -> float:
    family = re.sub(r"(_total|_count|_sum|_bucket)$", "", sample)
    return sum(v for name, lab, v in families.get(family, []) if name == sample and labels.items() <= lab.items())


def labels_are_clean(families: dict, secrets: set[str]) -> None:
    for samples in families.values():
        for _, labels, _ in samples:
            for v in labels.values():
                assert not UUID32.search(v) and "/" not in v and not any(s in v for s in secrets), v


def test_single_process(db_url, database, tmp_path):
    with ServerProcess(db_url, log_dir=tmp_path) as server, server.client() as c:
        assert c.get("/health").json() == {"status": "ok"}
        auth = server.login(c)
        assert c.get("/zstack/v1/zones", headers=auth).status_code == 200
        families = scrape(server)
        assert value(families, "zslite_http_requests_total", api="QueryZone", status="200") == 1
        assert value(families, "zslite_http_requests_total", api="LogInByAccount", status="200") == 1
        assert value(families, "zslite_database_up") == 1
        assert value(families, "zslite_heartbeat_age_seconds") >= 0
        labels_are_clean(families, {auth["Authorization"].split()[1]})


def test_multiprocess_directory_adds_up_every_process(db_url, database, tmp_path):
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    probe = Database(db_url)  # a process's pools: writes, and reads where they have their own
    pool_size = sum(e.pool.size() for e in {id(e): e for e in (probe.engine, probe.read_engine)}.values())
    probe.dispose()
    a = ServerProcess(db_url, log_dir=tmp_path, node="node-a", env=env)
    b = ServerProcess(db_url, log_dir=tmp_path, node="node-b", env=env)
    with a, b, a.client() as ca, b.client() as cb:
        auth = a.login(ca)  # a session made on one node works on the other
        for _ in range(2):
            assert ca.get("/zstack/v1/zones", headers=auth).status_code == 200
        for _ in range(3):
            assert cb.get("/zstack/v1/zones", headers=auth).status_code == 200
        r = cb.post("/zstack/v1/zones", headers=auth, json={"params": {"name": "mp-zone"}})
        assert r.status_code == 202
        assert poll(cb, r.json()["location"]).status_code == 200
        pids = {re.search(r"_(\d+)\.db$", p.name).group(1) for p in metrics_dir.iterdir()}
        assert pids == {str(a.proc.pid), str(b.proc.pid)}  # each process writes its own files

        deadline = time.monotonic() + 30
        while True:  # the job's counter moves just after its result is stored
            families = scrape(a)
            if value(families, "zslite_jobs_finished_total", api="CreateZone") or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        # a scrape on A counts B's requests and job too
        assert value(families, "zslite_http_requests_total", api="QueryZone", status="200") == 5
        assert value(families, "zslite_http_request_duration_seconds_count", api="QueryZone") == 5
        assert value(families, "zslite_jobs_finished_total", api="CreateZone", outcome="succeeded") == 1
        assert value(families, "zslite_jobs", state="Succeeded") >= 1
        # the pool gauges are summed over the live processes
        assert value(families, "zslite_db_pool_size") == 2 * pool_size
        assert value(scrape(b), "zslite_http_requests_total", api="QueryZone", status="200") == 5
        labels_are_clean(families, {auth["Authorization"].split()[1]})

        assert b.stop() == 0  # a stopped worker's live gauges go; its counts stay
        families = scrape(a)
        assert value(families, "zslite_db_pool_size") == pool_size
        assert value(families, "zslite_http_requests_total", api="QueryZone", status="200") == 5


def test_serve_removes_the_metrics_directories_of_dead_servers(tmp_path, monkeypatch):
    """`serve --workers N` makes its own metrics directory and removes it when it stops; one left by a
    server killed with -9 is removed by the next start, and a running server's is kept."""
    from zslite.server import serving

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    orphan = tmp_path / f"{serving.METRICS_DIR_PREFIX}{dead.pid}-abc"
    running = tmp_path / f"{serving.METRICS_DIR_PREFIX}{os.getpid()}-def"
    other = tmp_path / "zslite-metrics-notapid"
    for d in (orphan, running, other):
        d.mkdir()
        (d / "counter_1.db").write_bytes(b"x")
    serving.remove_orphaned_metrics_dirs()
    assert not orphan.exists() and running.exists() and other.exists()
