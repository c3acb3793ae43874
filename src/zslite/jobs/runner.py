"""Asynchronous APIs: accepted into the shared queue, run by whichever node has a free worker.

Accepting is one INSERT (queue.accept) and a nudge to this node's dispatcher; the 202 never waits for
a worker or for another job. The dispatcher thread claims Queued jobs from the database while a
worker is free — jobs accepted here or by any other node — and hands them to the worker threads.

A worker runs the handler and writes the job's result in the SAME transaction as its effect, so a
crash either leaves both (job succeeded) or neither (job still Running on a dead node: the survivors
mark it interrupted, see nodes.py). Transient conflicts (deadlocks, serialization failures) re-run
the whole unit of work.
"""

from __future__ import annotations

import logging
import threading
import uuid as uuidlib
from concurrent.futures import ThreadPoolExecutor

from zslite import faults, metrics
from zslite.apispec import api as spec_of
from zslite.context import Caller, Ctx
from zslite.db import retry
from zslite.errors import InternalError, OperationError, ZStackError
from zslite.ids import new_uuid
from zslite.jobs import queue, webhooks
from zslite.jobs.nodes import Node
from zslite.wire.envelopes import dumps, error_body, render

log = logging.getLogger("zslite.jobs")
PURGE_EVERY = 60  # seconds between two purges of expired job results
YIELD_SECONDS = 0.02  # how long a dispatcher waits before looking again while requests come first


class JobRunner:
    def __init__(self, database, settings, clock, node: Node):
        self.database = database
        self.settings = settings
        self.clock = clock
        self.node = node
        self.workers = settings.job_workers
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="zslite-job")
        self._free = threading.Semaphore(self.workers)
        self._nudge = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._active = 0  # jobs running now in this process
        # whether this process is serving requests right now (set by the server): requests come first
        self.requests_in_flight = lambda: 0

    # ---- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        try:
            self.node.join()
        except Exception as exc:  # the database is away: serve anyway (IsReadyToGo says 503); beats retry
            log.warning("management node %s could not join (%s); retrying with the heartbeat", self.node.name,
                        exc.__class__.__name__)
        for target, name in ((self._dispatch_loop, "zslite-dispatch"), (self._beat_loop, "zslite-heartbeat")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, wait: bool = True) -> None:
        """Stop claiming; let the jobs already running end (wait=True). Queued jobs stay queued, for
        another node or this one's next start."""
        self._stop.set()
        self._nudge.set()
        for thread in self._threads:
            thread.join(timeout=10)
        self.pool.shutdown(wait=wait)
        try:
            self.node.leave()
        except Exception:  # the database may be gone already; the others will time this node out
            log.warning("could not remove management node %s from the database", self.node.name)

    # ---- accepting ----------------------------------------------------------------------------

    def accept(self, job_uuid: str, spec, params, caller: Caller | None, with_schema: bool,
               webhook: str | None) -> None:
        """Make the job durable (one INSERT), then nudge the dispatcher. Raises BadRequest for a used uuid."""
        queue.accept(self.database, job_uuid=job_uuid, api_name=spec.name, caller=caller,
                     params=params.model_dump(mode="json"), with_schema=with_schema, webhook=webhook,
                     master_key=self.settings.master_key(), now=self.clock.now())
        self._nudge.set()

    # ---- claiming -----------------------------------------------------------------------------

    def _dispatch_loop(self) -> None:
        while not self._stop.is_set():
            if not self._free.acquire(timeout=0.5):
                continue
            if self._active and self.requests_in_flight():
                # requests come first: while this process serves some, it runs one job at a time (the
                # GIL is one; each more job would slow every request down), and takes more when idle
                self._free.release()
                self._nudge.wait(YIELD_SECONDS)
                self._nudge.clear()
                continue
            try:
                job = self._claim()
            except Exception:  # the database may be briefly away
                log.exception("could not claim a job")
                job = None
            if job is None:
                self._free.release()
                self._nudge.wait(self.settings.job_poll_interval)
                self._nudge.clear()
                continue
            self.pool.submit(self._work, job)

    def _claim(self):
        if self._stop.is_set() or not queue.has_queued(self.database):
            return None
        return queue.claim(self.database, self.node.uuid, self.node.name, self.clock.now())

    @property
    def last_heartbeat(self) -> float | None:
        """time.monotonic() of this node's last heartbeat written (metrics)."""
        return self.node.last_beat_monotonic

    def _work(self, job) -> None:
        self._active += 1
        try:
            self.run(job)
        except Exception:
            log.exception("job %s (%s) could not be run", job.uuid, job.api_name)
        finally:
            self._active -= 1
            self._free.release()
            self._nudge.set()  # a worker is free: look for more at once

    # ---- running ------------------------------------------------------------------------------

    def run(self, job) -> bool:
        """Run a claimed job to its end; returns its success."""
        tz = self.settings.timezone
        success = False
        reveal = False
        spec = None
        try:
            spec = spec_of(job.api_name)
            params = spec.params.model_validate(queue.params_of(job, self.settings.master_key()))
            caller = queue.caller_of(job)
            faults.hit(self.settings.fault_injection, f"job.before_start.{spec.name}")  # claimed, no lock yet
            for attempt in range(retry.ATTEMPTS):
                try:
                    with self.database.write(lane="job") as s:
                        ctx = Ctx(db=s, caller=caller, settings=self.settings, clock=self.clock,
                                  new_uuid=new_uuid, api_id=job.uuid, database=self.database, node=self.node)
                        result = spec.handler(ctx, params)
                        body = render(result, job.with_schema, tz)
                        # what is stored leaves out secrets: the first reader gets them back (spec.reveal)
                        stored = render(result, job.with_schema, tz, redacted=True)
                        reveal = spec.reveal is not None and stored != body
                        if not queue.finish(s, job.uuid, self.node.uuid, success=True, body=stored, reveal=reveal,
                                            retention=self.settings.job_retention_seconds, now=self.clock.now()):
                            raise OperationError("the job was marked interrupted while it ran; its effect is"
                                                 " discarded")
                        faults.hit(self.settings.fault_injection, "job.before_commit")
                        faults.hit(self.settings.fault_injection, f"job.before_commit.{spec.name}")
                    break
                except Exception as exc:
                    # a deadlock or serialization failure: the transaction rolled back whole; run it again
                    if retry.is_transient(exc) and attempt + 1 < retry.ATTEMPTS:
                        log.info("job %s (%s) hit a transient conflict, retrying", job.uuid, job.api_name)
                        retry.backoff(attempt)
                        continue
                    raise
            success = True
        except ZStackError as err:
            log.warning("job %s (%s) failed: %s", job.uuid, job.api_name, err.one_line())
            body = dumps(error_body(err), tz)
        except Exception:
            trace = uuidlib.uuid4().hex
            log.exception("job %s (%s) failed unexpectedly, trace id %s", job.uuid, job.api_name, trace)
            body = dumps(error_body(InternalError(f"an internal error happened; trace id {trace}")), tz)
        if not success:
            try:
                with self.database.write() as s:
                    queue.finish(s, job.uuid, self.node.uuid, success=False, body=body, reveal=False,
                                 retention=self.settings.job_retention_seconds, now=self.clock.now())
            except Exception:
                log.exception("could not record the failure of job %s", job.uuid)
        metrics.job_finished(job.api_name, success)
        if job.webhook:
            if reveal and not queue.take_reveal(self.database, job.uuid):
                body = stored  # a poller got the secret first
            webhooks.deliver(job.webhook, job.uuid, success, body, self.settings.webhook_timeout)
        return success

    # ---- heartbeat ----------------------------------------------------------------------------

    def _beat_loop(self) -> None:
        since_purge = 0.0
        while not self._stop.wait(self.settings.heartbeat_interval):
            try:
                self.node.beat()
                self.node.recover_dead()
                since_purge += self.settings.heartbeat_interval
                if since_purge >= PURGE_EVERY:
                    self.node.purge()
                    since_purge = 0.0
            except Exception:  # the database may be briefly away; try again next beat
                log.exception("heartbeat failed")
