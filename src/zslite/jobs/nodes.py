"""Management nodes: each `zslite serve` process is one, known to the others only through the database.

A node inserts its row when it starts, beats (updates its heartbeat) every heartbeat_interval
seconds, and deletes its row when it stops cleanly. Any live node that sees another silent for
node_timeout seconds declares it dead: the jobs it was running are marked failed ("interrupted") —
their effect was never committed, since a job's effect and its result commit together — and its row
goes. Jobs a dead node had accepted but not started are simply Queued: another node claims them.

A node's name is stable across restarts (host:port by default, shared by the workers of one
`serve --workers N`); when a node of that name starts again, the jobs its previous life left running
are marked interrupted at once, without waiting for the timeout.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import delete, select, update

from zslite.db.models import Job, ManagementNode
from zslite.errors import OperationError
from zslite.ids import new_uuid
from zslite.jobs import queue
from zslite.wire.envelopes import dumps, error_body

log = logging.getLogger("zslite.nodes")


def interrupted_body() -> bytes:
    return dumps(error_body(OperationError("the job was interrupted: the management node running it stopped",
                                           description="interrupted")))


def _interrupt(s, condition, settings, now) -> int:
    done = s.execute(update(Job).where(Job.state == queue.RUNNING, condition).values(
        state=queue.FAILED, result=interrupted_body().decode(), params=None, finish_date=now,
        expires_at=now + timedelta(seconds=settings.job_retention_seconds))
        .execution_options(synchronize_session=False))
    return done.rowcount


class Node:
    """This process as a management node."""

    def __init__(self, database, settings, clock, name: str):
        self.database = database
        self.settings = settings
        self.clock = clock
        self.name = name
        self.uuid = new_uuid()
        self.join_date = None
        self.last_heartbeat = None  # the time of the last successful beat
        self.last_beat_monotonic: float | None = None  # the same, on this process's monotonic clock

    def join(self) -> None:
        now = self.clock.now()
        with self.database.write() as s:
            s.add(ManagementNode(uuid=self.uuid, name=self.name, join_date=now, heartbeat=now))
        self.join_date = self.last_heartbeat = now
        self.last_beat_monotonic = time.monotonic()

    def beat(self) -> None:
        now = self.clock.now()
        with self.database.write() as s:
            done = s.execute(update(ManagementNode).where(ManagementNode.uuid == self.uuid).values(heartbeat=now)
                             .execution_options(synchronize_session=False))
            if done.rowcount == 0:  # declared dead while silent (its jobs are interrupted): come back
                log.warning("management node %s was declared dead by another node; it joins again", self.name)
                s.add(ManagementNode(uuid=self.uuid, name=self.name, join_date=self.join_date or now,
                                     heartbeat=now))
        self.last_heartbeat = now
        self.last_beat_monotonic = time.monotonic()

    def leave(self) -> None:
        with self.database.write() as s:
            s.execute(delete(ManagementNode).where(ManagementNode.uuid == self.uuid))

    def recover_dead(self) -> int:
        """Interrupt the running jobs of nodes silent for node_timeout seconds; forget those nodes."""
        now = self.clock.now()
        stale = now - timedelta(seconds=self.settings.node_timeout)
        with self.database.write() as s:
            alive = select(ManagementNode.uuid).where(ManagementNode.heartbeat >= stale)
            count = _interrupt(s, (Job.node_uuid != self.uuid) & Job.node_uuid.not_in(alive), self.settings, now)
            s.execute(delete(ManagementNode).where(ManagementNode.heartbeat < stale))
        if count:
            log.warning("marked %d job(s) of dead management node(s) as failed (interrupted)", count)
        return count

    def purge(self) -> int:
        with self.database.write() as s:
            return s.execute(delete(Job).where(Job.expires_at < self.clock.now())).rowcount


def recover_previous_life(database, settings, clock, name: str) -> int:
    """Called once when a node named `name` starts, before it serves: whatever a process of that name
    left running died with it. Interrupt those jobs and forget its rows."""
    now = clock.now()
    with database.write() as s:
        count = _interrupt(s, Job.node == name, settings, now)
        s.execute(delete(ManagementNode).where(ManagementNode.name == name))
    if count:
        log.warning("marked %d job(s) left running by the previous life of node %s as failed (interrupted)",
                    count, name)
    return count
