"""The SQLite write gate: writers queue on file locks instead of polling the database's own lock.

SQLite lets one writer in at a time; a writer that finds the file locked sleeps and retries (up to
100 ms per sleep), and a newcomer may get in before it. Under load that turns a 2 ms write into a
wait of seconds. Here every write transaction first takes an exclusive flock(2) on a file beside the
database (`<db>.writer.lock`): the kernel wakes the next waiter as soon as the lock is released, in
every process that uses the file (several `zslite serve` workers on one SQLite file).

Job transactions (lane "job") first take a second lock (`<db>.jobs.lock`), so at most one of them
waits for the writer lock at any time: a short write of the "api" lane (accepting a job, a login,
a session touch) waits for at most one job transaction, never for the whole queue of them.

flock(2) locks belong to an open file description, so each process opens the lock files once and
serializes its own threads with a threading.Lock in front of each file lock.
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


class WriteGate:
    def __init__(self, database_path: str):
        self.writer = _FileLock(database_path + ".writer.lock")
        self.jobs = _FileLock(database_path + ".jobs.lock")

    @contextmanager
    def enter(self, lane: str = "api"):
        if lane == "job":
            with self.jobs.held(), self.writer.held():
                yield
        else:
            with self.writer.held():
                yield

    def close(self) -> None:
        self.writer.close()
        self.jobs.close()
