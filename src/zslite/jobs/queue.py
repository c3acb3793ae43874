"""The jobs table as a queue shared by every node: accept, claim, finish, read.

A job is accepted by one small INSERT (state Queued) and claimed by whichever node has a free worker:
`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL and MariaDB (claimers never wait for each other), a
compare-and-set UPDATE inside SQLite's single write transaction. A claimed job is Running on that
node (node_uuid) until its result is written — in the transaction of its effect.
"""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import datetime, timedelta

import orjson
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from zslite import security
from zslite.context import Caller
from zslite.db.models import Job
from zslite.errors import BadRequest

QUEUED, RUNNING, SUCCEEDED, FAILED = "Queued", "Running", "Succeeded", "Failed"
STATES = (QUEUED, RUNNING, SUCCEEDED, FAILED)
_INSERT = insert(Job)


def caller_json(caller: Caller | None) -> str | None:
    if caller is None:
        return None
    fields = asdict(caller)
    fields.pop("session_uuid")  # a credential: a job needs the account, not the session
    return orjson.dumps(fields).decode()


def caller_of(job: Job) -> Caller | None:
    return Caller(**orjson.loads(job.caller)) if job.caller else None


def accept(database, *, job_uuid: str, api_name: str, caller: Caller | None, params: dict, with_schema: bool,
           webhook: str | None, master_key: bytes, now: datetime) -> None:
    """Insert the Queued job: once this returns, the job is durable. A reused uuid is a 400."""
    row = {"uuid": job_uuid, "api_name": api_name, "state": QUEUED,
           "account_uuid": caller.account_uuid if caller else None, "caller": caller_json(caller),
           "params": security.seal(master_key, orjson.dumps(params)), "seq": time.time_ns() // 1000,
           "with_schema": with_schema, "webhook": webhook, "reveal": False, "create_date": now}
    try:  # everything is ready before the write: the transaction is one plain INSERT
        with database.write() as s:
            s.connection().execute(_INSERT, row)
    except IntegrityError:
        raise BadRequest(f"X-Job-UUID[{job_uuid}] has already been used") from None


def params_of(job: Job, master_key: bytes) -> dict:
    return orjson.loads(security.unseal(master_key, job.params))


def has_queued(database) -> bool:
    """A cheap look (no lock, no write) before trying to claim."""
    with database.read() as s:
        return s.scalar(select(Job.uuid).where(Job.state == QUEUED).limit(1)) is not None


def claim(database, node_uuid: str, node_name: str, now: datetime) -> Job | None:
    """Take the oldest Queued job for this node, or None. Never waits for another claimer."""
    with database.write(lane="job") as s:
        pick = select(Job).where(Job.state == QUEUED).order_by(Job.seq).limit(1)
        if database.backend != "sqlite":  # SQLite's writer is alone already
            pick = pick.with_for_update(skip_locked=True)
        job = s.scalar(pick)
        if job is None:
            return None
        done = s.execute(update(Job).where(Job.uuid == job.uuid, Job.state == QUEUED)
                         .values(state=RUNNING, node=node_name, node_uuid=node_uuid, start_date=now)
                         .execution_options(synchronize_session=False))
        if done.rowcount != 1:
            return None
        s.refresh(job)
        return job


def finish(s, job_uuid: str, node_uuid: str, *, success: bool, body: bytes, reveal: bool, retention: int,
           now: datetime) -> bool:
    """Write the result, in the caller's transaction, if this node still runs the job (a node declared
    dead may have had it marked interrupted meanwhile: then nothing is written and False returned)."""
    done = s.execute(update(Job).where(Job.uuid == job_uuid, Job.state == RUNNING, Job.node_uuid == node_uuid)
                     .values(state=SUCCEEDED if success else FAILED, result=body.decode(), params=None,
                             reveal=reveal, finish_date=now, expires_at=now + timedelta(seconds=retention))
                     .execution_options(synchronize_session=False))
    return done.rowcount == 1


def get(database, job_uuid: str, now: datetime) -> Job | None:
    with database.read() as s:
        job = s.get(Job, job_uuid)
    if job is None or (job.expires_at is not None and job.expires_at < now):
        return None
    return job


def take_reveal(database, job_uuid: str) -> bool:
    """True for the one reader that gets to see the job's secret (compare-and-set on the flag)."""
    with database.write() as s:
        done = s.execute(update(Job).where(Job.uuid == job_uuid, Job.reveal.is_(True)).values(reveal=False)
                         .execution_options(synchronize_session=False))
        return done.rowcount == 1


def parse_result(job: Job):
    return orjson.loads(job.result) if job.result else {}
