"""`zslite serve --workers N`: N worker processes, each a management node with its own listening socket.

Every socket is bound to the same address with SO_REUSEPORT, so the kernel spreads new connections
evenly over the workers. (With one shared socket — uvicorn's own supervisor — whichever worker wakes
first accepts a whole burst of connections in one go: wrk's 8 connections all landed on one worker,
and two workers served what one does.) The supervisor starts the workers (spawned, not forked: each
builds its own engine and threads through server.app.worker_app), starts a new one on the same socket
when one dies, and on SIGTERM or SIGINT stops them all cleanly, then exits 0.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading

log = logging.getLogger("zslite.server")
CHECK_SECONDS = 0.5
BACKLOG = 2048
STOP_SECONDS = 30


def _serve(config_kwargs: dict, sock: socket.socket) -> None:  # in the worker process
    import uvicorn

    config = uvicorn.Config("zslite.server.app:worker_app", factory=True, **config_kwargs)
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    def __init__(self, sockets: list[socket.socket], config_kwargs: dict):
        self.sockets = sockets
        self.config_kwargs = config_kwargs
        self.context = multiprocessing.get_context("spawn")
        self.processes: list = [None] * len(sockets)
        self.stopping = threading.Event()

    def _start(self, index: int) -> None:
        process = self.context.Process(target=_serve, args=(self.config_kwargs, self.sockets[index]),
                                       name=f"zslite-worker-{index}")
        process.start()
        self.processes[index] = process

    def run(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())
        for index in range(len(self.sockets)):
            self._start(index)
        while not self.stopping.wait(CHECK_SECONDS):
            for index, process in enumerate(self.processes):
                if not process.is_alive():  # a worker died (it is a node: its jobs are recovered)
                    log.warning("worker %s exited with %s; starting another", process.pid, process.exitcode)
                    self._start(index)
        for process in self.processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn stops cleanly (requests, then running jobs)
        for process in self.processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()


def listening_sockets(first: socket.socket, count: int) -> list[socket.socket]:
    """`first` (already bound and listening with SO_REUSEPORT) and count-1 more on its address."""
    out = [first]
    for _ in range(count - 1):
        sock = socket.socket(first.family, first.type, first.proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if first.family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(first.getsockname()[:2] if first.family == socket.AF_INET else first.getsockname())
        sock.listen(BACKLOG)
        sock.set_inheritable(True)
        out.append(sock)
    return out
