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
    on_start = None
    if demo:
        from zslite import demo as demo_mod
        on_start = lambda rt: demo_mod.load_and_print(rt, port)  # noqa: E731
    application = create_app(settings, on_start=on_start)
    config = uvicorn.Config(application, host=host, port=port, log_level="warning", access_log=False,
                            lifespan="on", timeout_graceful_shutdown=10)
    server = uvicorn.Server(config)
    # a client that goes away while we write must cost an EPIPE on its connection, never the process
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
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


EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a writer stopped by SIGPIPE


def _stdout_broken() -> bool:
    """True when stdout's reader went away (`zslite api … | head`). What is left to write then goes
    to /dev/null, so the interpreter's last flush at exit prints no BrokenPipeError."""
    broken = type(sys.stdout).__name__ == "PacifyFlushWrapper"  # typer's click met EPIPE on stdout
    try:
        sys.__stdout__.flush()
    except BrokenPipeError:
        broken = True
    except (OSError, ValueError):  # stdout closed or not a real stream
        pass
    if broken:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
        os.close(devnull)
    return broken


def main() -> None:
    # SIGPIPE keeps Python's own setting (ignored): a write to a closed pipe or socket is then an
    # EPIPE error where it happens. Restoring the default action for the whole process would let any
    # client that disconnects while the server writes kill `zslite serve` with no log line.
    # A closed stdout (`| head`) is handled here, and by typer (EPIPE → exit), without a traceback.
    code: int | str | None = 0
    try:
        app()
    except KeyboardInterrupt:
        code = 130
    except SystemExit as exc:
        code = exc.code
    except BrokenPipeError:
        code = EXIT_BROKEN_PIPE
    if _stdout_broken():
        code = EXIT_BROKEN_PIPE
    sys.exit(code)
