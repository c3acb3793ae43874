"""SDK fixtures: the SDK's own clients over the real ASGI app (Starlette's TestClient transport)."""

from __future__ import annotations

import pytest

import zslite
from zslite.sdk import configure


@pytest.fixture
def client(http):
    """zslite.Client logged in as admin, over the TestClient (no network)."""
    with zslite.Client("http://testserver", account="admin", password="password", http_client=http,
                       polling_interval=0.02) as c:
        yield c


@pytest.fixture
def session(client) -> str:
    client.login()
    return client.session_id


@pytest.fixture
def actions(http):
    """configure() the Action layer onto the TestClient."""
    configure(hostname="testserver", port=None, polling_interval=0.02, polling_timeout=30, http_client=http)
    yield
    configure()
