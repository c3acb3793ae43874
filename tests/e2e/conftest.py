"""A real `zslite serve` (uvicorn) process per test, on the test database: for jobs, restarts,
signals and webhooks, which the in-process ASGI client cannot show."""

from __future__ import annotations

import pytest

from zslite.testing import ServerProcess


@pytest.fixture
def live(db_url, database, tmp_path):
    """live("node-a", ZSLITE_X="...") → a started ServerProcess; every one is killed at the end."""
    servers: list[ServerProcess] = []

    def start(node: str = "node-a", **env: str) -> ServerProcess:
        server = ServerProcess(db_url, log_dir=tmp_path, node=node, env=env)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.kill()
