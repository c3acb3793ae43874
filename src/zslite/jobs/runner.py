"""Asynchronous APIs: a job row, a worker thread, the result stored with the effect.

The handler's changes and the job's result commit in ONE transaction, so a crash either leaves
both (job succeeded) or neither (job running → marked interrupted at next start, nothing changed).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid as uuidlib
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import orjson
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from zslite import faults, metrics
from zslite.db import retry
from zslite.db.models import Job, ManagementNode
from zslite.errors import BadRequest, InternalError, OperationError, ZStackError
from zslite.jobs import webhooks
from zslite.context import Ctx
from zslite.wire.envelopes import dumps, error_body, redact
from zslite.wire.schema import schema_of

log = logging.getLogger("zslite.jobs")
HEARTBEAT_SECONDS = 5
STALE_SECONDS = 30


def wrap(result) -> dict:
    from zslite.wire.schema import Inv
    if result is None:
        return {}
    if isinstance(result, Inv):
        return {"inventory": result}
    if isinstance(result, list):
        return {"inventories": result}
    return result


def render(result, with_schema: bool, tz: str, *, redacted: bool = False) -> bytes:
    body = wrap(result)
    if redacted:
        body = redact(body)
    if with_schema:
        body = {**body, "schema": schema_of(body)}
    return dumps(body, tz)


class JobRunner:
    def __init__(self, database, settings, clock, node_name: str | None = None):
        self.database = database
        self.settings = settings
        self.clock = clock
        self.node = node_name or settings.node_name or f"{socket.gethostname()}:{uuidlib.uuid4().hex[:8]}"
        self.pool = ThreadPoolExecutor(max_workers=settings.job_workers, thread_name_prefix="zslite-job")
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self._pending: set = set()
        self._lock = threading.Lock()
        self.last_heartbeat: float | None = None  # time.monotonic() of the last heartbeat written (metrics)

    # ---- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        self.beat()
        self.recover()
        self._heartbeat = threading.Thread(target=self._beat_loop, name="zslite-heartbeat", daemon=True)
        self._heartbeat.start()

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        self.pool.shutdown(wait=wait)
        with self.database.write() as s:
            s.execute(delete(ManagementNode).where(ManagementNode.name == self.node))

    def beat(self) -> None:
        now = self.clock.now()
        with self.database.write() as s:
            done = s.execute(update(ManagementNode).where(ManagementNode.name == self.node).values(heartbeat=now))
            if done.rowcount == 0:
                s.add(ManagementNode(name=self.node, heartbeat=now))
        self.last_heartbeat = time.monotonic()

    def _beat_loop(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self.beat()
                self.recover()
                self.purge()
            except Exception:  # the database may be briefly away; try again next beat
                log.exception("heartbeat failed")

    def recover(self) -> int:
        """Mark failed the jobs left running by this node's previous life or by a dead node."""
        now = self.clock.now()
        stale = now - timedelta(seconds=STALE_SECONDS)
        err = OperationError("the job was interrupted: the management node running it stopped",
                             description="interrupted")
        body = dumps(error_body(err))
        with self.database.write() as s:
            alive = select(ManagementNode.name).where(ManagementNode.heartbeat >= stale,
                                                      ManagementNode.name != self.node)
            mine = set(self._pending_snapshot())
            rows = s.scalars(select(Job.uuid).where(Job.state == "Running",
                                                    or_(Job.node == self.node, Job.node.not_in(alive)))).all()
            victims = [u for u in rows if u not in mine]
            for job_uuid in victims:
                s.execute(update(Job).where(Job.uuid == job_uuid, Job.state == "Running").values(
                    state="Failed", result=body.decode(), finish_date=now,
                    expires_at=now + timedelta(seconds=self.settings.job_retention_seconds)))
            s.execute(delete(ManagementNode).where(ManagementNode.heartbeat < stale))
        if victims:
            log.warning("marked %d interrupted job(s) as failed", len(victims))
        return len(victims)

    def purge(self) -> None:
        with self.database.write() as s:
            s.execute(delete(Job).where(Job.expires_at < self.clock.now()))

    def _pending_snapshot(self):
        with self._lock:
            return list(self._pending)

    # ---- submission ---------------------------------------------------------------------------

    def create(self, job_uuid: str, api_name: str, account_uuid: str | None, with_schema: bool,
               webhook: str | None) -> None:
        """Insert the job row; a reused uuid is a malformed request (400)."""
        with self._lock:
            self._pending.add(job_uuid)
        try:
            with self.database.write() as s:
                s.add(Job(uuid=job_uuid, api_name=api_name, state="Running", account_uuid=account_uuid,
                          node=self.node, with_schema=with_schema, webhook=webhook, create_date=self.clock.now()))
        except IntegrityError:
            with self._lock:
                self._pending.discard(job_uuid)
            raise BadRequest(f"X-Job-UUID[{job_uuid}] has already been used") from None

    def submit(self, job_uuid: str, spec, params, caller, with_schema: bool, webhook: str | None) -> None:
        self.pool.submit(self._run, job_uuid, spec, params, caller, with_schema, webhook)

    def _finish(self, s, job_uuid: str, state: str, body: bytes) -> bool:
        now = self.clock.now()
        done = s.execute(update(Job).where(Job.uuid == job_uuid, Job.state == "Running").values(
            state=state, result=body.decode(), finish_date=now,
            expires_at=now + timedelta(seconds=self.settings.job_retention_seconds)))
        return done.rowcount == 1

    def _run(self, job_uuid, spec, params, caller, with_schema, webhook) -> None:
        from zslite.ids import new_uuid
        tz = self.settings.timezone
        success = False
        try:
            for attempt in range(retry.ATTEMPTS):
                try:
                    with self.database.write() as s:
                        ctx = Ctx(db=s, caller=caller, settings=self.settings, clock=self.clock,
                                  new_uuid=new_uuid, api_id=job_uuid, database=self.database)
                        result = spec.handler(ctx, params)
                        body = render(result, with_schema, tz)
                        # what is stored leaves out secrets (shown once: to the poller through spec.reveal,
                        # to the webhook)
                        stored = render(result, with_schema, tz, redacted=True)
                        if not self._finish(s, job_uuid, "Succeeded", stored):
                            raise OperationError("the job was marked interrupted while it ran; its effect is"
                                                 " discarded")
                        faults.hit(self.settings.fault_injection, "job.before_commit")
                        faults.hit(self.settings.fault_injection, f"job.before_commit.{spec.name}")
                    break
                except Exception as exc:
                    # a deadlock or serialization failure: the transaction rolled back whole; run it again
                    if retry.is_transient(exc) and attempt + 1 < retry.ATTEMPTS:
                        log.info("job %s (%s) hit a transient conflict, retrying", job_uuid, spec.name)
                        retry.backoff(attempt)
                        continue
                    raise
            success = True
        except ZStackError as err:
            log.warning("job %s (%s) failed: %s", job_uuid, spec.name, err.one_line())
            body = dumps(error_body(err), tz)
        except Exception:
            trace = uuidlib.uuid4().hex
            log.exception("job %s (%s) failed unexpectedly, trace id %s", job_uuid, spec.name, trace)
            body = dumps(error_body(InternalError(f"an internal error happened; trace id {trace}")), tz)
        if not success:
            try:
                with self.database.write() as s:
                    self._finish(s, job_uuid, "Failed", body)
            except Exception:
                log.exception("could not record the failure of job %s", job_uuid)
        metrics.job_finished(spec.name, success)
        with self._lock:
            self._pending.discard(job_uuid)
        if webhook:
            webhooks.deliver(webhook, job_uuid, success, body, self.settings.webhook_timeout)

    # ---- reading ------------------------------------------------------------------------------

    def get(self, job_uuid: str) -> Job | None:
        with self.database.read() as s:
            job = s.get(Job, job_uuid)
            if job is None or (job.expires_at is not None and job.expires_at < self.clock.now()):
                return None
            return job


def parse_result(job: Job):
    return orjson.loads(job.result) if job.result else {}
