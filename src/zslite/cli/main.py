"""The zslite command line: serve, demo, db upgrade; login, logout, candidates, change-image (cli/friendly.py);
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
          demo: bool = typer.Option(False, "--demo", help="load the demo cloud and print a ready curl line")):
    """Start the API server (database from ZSLITE_DB_URL, default ./zslite.db)."""
    import uvicorn

    from zslite.config import load_settings
    from zslite.server.app import create_app

    settings = load_settings(**({} if os.environ.get("ZSLITE_NODE_NAME") else {"node_name": f"{host}:{port}"}))
    from zslite.server.console import url as console_url

    def on_start(rt):  # the banner: where the web console and the API are
        print(f"zslite is ready: web console {console_url(host, port)} · API {console_url(host, port)}zstack/v1",
              file=sys.stderr, flush=True)
    if demo:
        from zslite import demo as demo_mod
        on_start = lambda rt: demo_mod.load_and_print(rt, port, host)  # noqa: E731
    application = create_app(settings, on_start=on_start)
    config = uvicorn.Config(application, host=host, port=port, log_level="warning", access_log=False,
                            lifespan="on", timeout_graceful_shutdown=10)
    server = uvicorn.Server(config)
    # uvicorn stops cleanly on SIGTERM/SIGINT, then re-raises the signal; a clean stop exits 0
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: sys.exit(0))
    server.run()  # uvicorn handles SIGINT/SIGTERM: stops accepting, finishes requests, runs shutdown


@app.command("demo")
def demo_cmd(port: int = typer.Option(8080, help="port the curl line should name")):
    """Load the demo cloud into the database (idempotent) and print a ready curl line."""
    from zslite import demo as demo_mod
    from zslite.clock import Clock
    from zslite.config import load_settings
    from zslite.db.engine import Database
    from zslite.jobs.runner import JobRunner
    from zslite.server.app import Runtime, prepare

    settings = load_settings()
    database = Database(settings.db_url)
    clock = Clock()
    prepare(settings, database, clock)
    demo_mod.load_and_print(Runtime(settings, database, clock, JobRunner(database, settings, clock)), port)


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
    """login, logout, candidates, change-image, and `api <Name>` for every registry API."""
    from zslite.cli import api as api_cli, friendly

    friendly.register(app)
    app.add_typer(api_cli.build(), name="api")


_register_client_commands()


def main() -> None:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL) if hasattr(signal, "SIGPIPE") else None
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
