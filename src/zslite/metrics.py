"""Prometheus metrics (GET /metrics), recorded where requests and jobs already pass.

- `request_done(api, status, seconds)` — called by the access-log middleware for every HTTP request;
  `api` is the registry's API name (never a path: no uuid reaches a label), or a fixed word for the
  other endpoints (`health`, `metrics`, `api-jobs`, …) and `unknown` for everything else.
- `job_finished(api, succeeded)` — called by the job runner when a job ends.
- `watch_pool(engine)` — keeps the database pool gauges current (SQLAlchemy pool events).
- `exposition(runtime)` — the text format, with what is read at scrape time: jobs in the database's
  jobs table by state (each state, 0 when empty), whether the database answered, this node's heartbeat age.

One process or several: when PROMETHEUS_MULTIPROC_DIR is set (before prometheus_client is imported:
`zslite serve --workers N` sets it before starting its workers), every worker writes its counters,
histograms and pool gauges to that directory and a scrape on any worker adds them all up
(MultiProcessCollector; the pool gauges are `livesum`: the sum over the live workers). The jobs
gauges come from the shared database, and the heartbeat age is that of the node answering the scrape.
No label ever holds tenant data, a uuid or a secret: API names, status codes, outcomes and job states.
"""

from __future__ import annotations

import os
import threading
import time
from functools import lru_cache

from zslite import __version__

NAMESPACE = "zslite"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


class _Instruments:
    """The process's counters, histograms and gauges, made once per process."""

    def __init__(self):
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        # a private registry (not prometheus_client's global one); with PROMETHEUS_MULTIPROC_DIR the values
        # live in that directory and the scrape reads them from there instead
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("http_requests", "HTTP requests by API name and status code",
                                ["api", "status"], namespace=NAMESPACE, registry=r)
        self.latency = Histogram("http_request_duration_seconds", "HTTP request latency by API name",
                                 ["api"], namespace=NAMESPACE, buckets=LATENCY_BUCKETS, registry=r)
        self.jobs = Counter("jobs_finished", "asynchronous jobs ended, by API name and outcome",
                            ["api", "outcome"], namespace=NAMESPACE, registry=r)
        self.pool_size = Gauge("db_pool_size", "connections the database pool keeps (summed over live workers)",
                               namespace=NAMESPACE, registry=r, multiprocess_mode="livesum")
        self.pool_checked_out = Gauge("db_pool_checked_out", "database connections in use "
                                      "(summed over live workers)", namespace=NAMESPACE, registry=r,
                                      multiprocess_mode="livesum")
        self.pool_overflow = Gauge("db_pool_overflow", "connections open beyond the pool size "
                                   "(summed over live workers)", namespace=NAMESPACE, registry=r,
                                   multiprocess_mode="livesum")


_lock = threading.Lock()


@lru_cache(maxsize=1)
def instruments() -> _Instruments:
    return _Instruments()


def request_done(api: str, status: int | str, seconds: float) -> None:
    m = instruments()
    m.requests.labels(api=api, status=str(status)).inc()
    m.latency.labels(api=api).observe(seconds)


def job_finished(api: str, succeeded: bool) -> None:
    instruments().jobs.labels(api=api, outcome="succeeded" if succeeded else "failed").inc()


# ---- the database pool ----------------------------------------------------------------------------

def _pool_numbers(pool, checked_out: int) -> tuple[int | None, int, int | None]:
    """(size, checked out, overflow) of a pool; QueuePool knows all three, other pools (SQLite in memory:
    one connection per thread) only what we count."""
    size = pool.size() if hasattr(pool, "size") and hasattr(pool, "overflow") else None
    if hasattr(pool, "checkedout"):
        checked_out = pool.checkedout()
    overflow = max(0, pool.overflow()) if size is not None else None
    return size, checked_out, overflow


class _PoolWatch:
    """The pool gauges of this process's engines (writes, and reads where they have their own pool).

    Read when /metrics is scraped; with several processes (multiprocess mode) each process refreshes
    its gauges once a second instead, so that a scrape on any of them sums the live ones. Nothing is
    done per connection checkout: that is every request's hot path."""

    REFRESH_SECONDS = 1.0

    def __init__(self, engines):
        self.pools = [e.pool for e in engines]
        self.count = 0  # checkouts minus checkins, for pools that do not count themselves

    def update(self) -> None:
        m = instruments()
        sizes, outs, overflows = [], [], []
        for pool in self.pools:
            size, checked_out, overflow = _pool_numbers(pool, self.count)
            sizes.append(size)
            outs.append(checked_out)
            overflows.append(overflow)
        if None not in sizes:
            m.pool_size.set(sum(sizes))
        m.pool_checked_out.set(sum(outs))
        if None not in overflows:
            m.pool_overflow.set(sum(overflows))

    def checkout(self, *_):
        with _lock:
            self.count += 1

    def checkin(self, *_):
        with _lock:
            self.count -= 1

    def _refresh(self) -> None:
        while True:
            time.sleep(self.REFRESH_SECONDS)
            try:
                with _lock:
                    self.update()
            except Exception:  # noqa: BLE001 — a gauge is not worth a dead thread
                pass


def watch_pool(*engines) -> _PoolWatch:
    """Keep the pool gauges of these engines (the process's engines) current."""
    import threading

    from sqlalchemy import event

    engines = tuple(dict.fromkeys(engines))
    watch = _PoolWatch(engines)
    for engine in engines:
        if not hasattr(engine.pool, "checkedout"):  # a pool that does not count: count for it
            event.listen(engine, "checkout", watch.checkout)
            event.listen(engine, "checkin", watch.checkin)
    watch.update()
    if multiprocess_dir():
        threading.Thread(target=watch._refresh, name="zslite-pool-gauges", daemon=True).start()
    return watch


# ---- the scrape ---------------------------------------------------------------------------------------

class _ScrapeTime:
    """What is read when /metrics is asked: the jobs table, the database's answer, the heartbeat."""

    def __init__(self, rt):
        self.rt = rt

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily
        from sqlalchemy import func, select

        from zslite.db.models import Job
        from zslite.jobs.queue import STATES as JOB_STATES

        info = GaugeMetricFamily(f"{NAMESPACE}_build_info", "zslite version", labels=["version"])
        info.add_metric([__version__], 1)
        yield info
        up = GaugeMetricFamily(f"{NAMESPACE}_database_up", "1 when the database answered this scrape")
        jobs = GaugeMetricFamily(f"{NAMESPACE}_jobs", "jobs in the database (all nodes) by state",
                                 labels=["state"])
        try:
            with self.rt.database.read() as s:
                counts = s.execute(select(Job.state, func.count()).group_by(Job.state)).all()
        except Exception:  # noqa: BLE001 — a scrape never fails because the database is away
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            found = {str(state): n for state, n in counts}
            for state in sorted(set(JOB_STATES) | set(found)):  # every state, 0 when no job is in it
                jobs.add_metric([state], found.get(state, 0))
            yield jobs
        yield up
        beat = getattr(self.rt.runner, "last_heartbeat", None)
        if beat is not None:
            yield GaugeMetricFamily(f"{NAMESPACE}_heartbeat_age_seconds",
                                    "seconds since this management node last wrote its heartbeat",
                                    value=max(0.0, time.monotonic() - beat))


class _Local:
    """This process's own instruments (single-process mode)."""

    def collect(self):
        yield from instruments().registry.collect()


def exposition(rt, watch: _PoolWatch | None = None) -> bytes:
    from prometheus_client import CollectorRegistry, generate_latest

    instruments()  # the families exist (at zero) before the first request or job
    if watch is not None:
        with _lock:
            watch.update()
    registry = CollectorRegistry()
    path = multiprocess_dir()
    if path:
        from prometheus_client.multiprocess import MultiProcessCollector
        MultiProcessCollector(registry, path=path)
    else:
        registry.register(_Local())
    registry.register(_ScrapeTime(rt))
    return generate_latest(registry)


def process_exit() -> None:
    """A worker that stops drops its live gauges from the multiprocess directory."""
    if multiprocess_dir():
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(os.getpid())
