"""The SQLite write gate: writers queue on file locks instead of polling the database's own lock.

SQLite lets one writer in at a time; a writer that finds the file locked sleeps and retries (up to
100 ms per sleep), and a newcomer may get in before it. Under load that turns a 2 ms write into a
wait of seconds. Here every write transaction first takes an exclusive flock(2) on a file beside the
database (`<db>.writer.lock`): the kernel wakes the next waiter as soon as the lock is released, in
every process that uses the file (several `zslite serve` workers on one SQLite file).

Within a process, writers pass one at a time, and a waiting write of the "api" lane (accepting a
job, a login, a session touch) goes before every waiting job transaction (lane "job"). Across
processes, job transactions first take a second lock (`<db>.jobs.lock`), so that at most one of them
per machine waits for the writer lock. An api write thus waits for at most the job transaction in
progress in its process and one writer of each other process — never for the queue of jobs.

flock(2) locks belong to an open file description, so each process opens the lock files once and
lets one of its threads at a time use each.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager


class _FileLock:
    def __init__(self, path: str):
        self.path = path
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def _file(self) -> int:
        if self._fd is None or self._pid != os.getpid():  # a forked child opens its own description
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def held(self):
        with self._thread_lock:
            fd = self._file()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._thread_lock:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None


class _PriorityMutex:
    """One holder at a time in this process; a waiting "api" writer goes before any waiting "job" one."""

    def __init__(self):
        self._cond = threading.Condition()
        self._held = False
        self._api_waiting = 0

    @contextmanager
    def held(self, lane: str):
        api = lane != "job"
        with self._cond:
            self._api_waiting += api
            try:
                while self._held or (not api and self._api_waiting):
                    self._cond.wait()
            finally:
                self._api_waiting -= api
            self._held = True
        try:
            yield
        finally:
            with self._cond:
                self._held = False
                self._cond.notify_all()


class WriteGate:
    def __init__(self, database_path: str):
        self.writer = _FileLock(database_path + ".writer.lock")
        self.jobs = _FileLock(database_path + ".jobs.lock")
        self.local = _PriorityMutex()

    @contextmanager
    def enter(self, lane: str = "api"):
        if lane == "job":
            with self.jobs.held(), self.local.held("job"), self.writer.held():
                yield
        else:
            with self.local.held("api"), self.writer.held():
                yield

    def close(self) -> None:
        self.writer.close()
        self.jobs.close()
