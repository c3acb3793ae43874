"""The zslite command line: serve, demo, db upgrade; login, logout, candidates, change-image (cli/friendly.py);
plan create / watch / show / pause / resume / cancel (cli/plans.py);
`zslite api <Name>` for every registry API (cli/api.py)."""

from __future__ import annotations

import os
import signal
import sys

import typer

app = typer.Typer(help="zslite: a ZStack-compatible management server", no_args_is_help=True,
                  add_completion=True)
db_app = typer.Typer(help="Database maintenance", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command()
def serve(host: str = typer.Option("0.0.0.0", help="address to listen on"),
          port: int = typer.Option(8080, help="port to listen on"),
          workers: int = typer.Option(1, min=1, max=64, envvar="ZSLITE_WORKERS",
                                      help="server processes on this port, each a management node"),
          demo: bool = typer.Option(False, "--demo", help="load the demo cloud and print a ready curl line")):
    """Start the API server (database from ZSLITE_DB_URL, default ./zslite.db)."""
    from zslite.config import load_settings
    from zslite.server import serving

    serving.serve(load_settings(), host=host, port=port, workers=workers, demo=demo)


@app.command("demo")
def demo_cmd(port: int = typer.Option(8080, help="port the curl line should name")):
    """Load the demo cloud into the database (idempotent) and print a ready curl line."""
    from zslite import demo as demo_mod
    from zslite.config import load_settings
    from zslite.server.app import prepare, runtime

    settings = load_settings()
    rt = runtime(settings)
    prepare(settings, rt.database, rt.clock, None)  # not a node: a running server's jobs are its own
    demo_mod.load_and_print(rt, port)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads")):
    """Apply the Alembic migrations to the database of ZSLITE_DB_URL."""
    from zslite.config import load_settings
    from zslite.db.engine import Database
    from zslite.db.migrate import upgrade

    settings = load_settings()
    database = Database(settings.db_url)
    upgrade(database.engine, revision)
    typer.echo(f"database at revision {revision}")


def _register_client_commands() -> None:
    """login, logout, candidates, change-image, plan …, and `api <Name>` for every registry API."""
    from zslite.cli import api as api_cli, friendly, plans

    friendly.register(app)
    plans.register(app)
    app.add_typer(api_cli.build(), name="api")


_register_client_commands()


def main() -> None:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL) if hasattr(signal, "SIGPIPE") else None
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
