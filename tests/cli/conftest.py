"""CLI fixtures: typer's CliRunner, the session file in a temp dir, HTTP routed to the real app."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from zslite.cli import session as cli_session
from zslite.cli.main import app as cli_app


class Cli:
    def __init__(self, runner: CliRunner):
        self.runner = runner

    def __call__(self, *args: str, input: str | None = None):
        return self.runner.invoke(cli_app, list(args), input=input)

    def json(self, *args: str):
        result = self(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    path = tmp_path / "config"
    monkeypatch.setenv("ZSLITE_CONFIG_DIR", str(path))
    monkeypatch.delenv("ZSLITE_URL", raising=False)
    monkeypatch.delenv("ZSLITE_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("ZSLITE_ACCESS_KEY_SECRET", raising=False)
    return path


@pytest.fixture
def cli(config_dir, monkeypatch):
    """The CLI, not logged in, talking to whatever URL a test gives."""
    return Cli(CliRunner())


@pytest.fixture
def app_cli(cli, http, monkeypatch):
    """The CLI routed to the in-process app (TestClient), logged in as admin."""
    monkeypatch.setattr(cli_session, "http_client_factory", lambda: http)
    result = cli("login", "--url", "http://testserver", "--password", "password")
    assert result.exit_code == 0, result.output
    return cli
