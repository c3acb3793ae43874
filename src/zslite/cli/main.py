"""The zslite command line: serve, demo, db upgrade; login, logout, candidates, change-image (cli/friendly.py);
plan create / watch / show / pause / resume / cancel (cli/plans.py);
`zslite api <Name>` for every registry API (cli/api.py)."""

from __future__ import annotations

import os
import sys

import typer

app = typer.Typer(help="zslite: a ZStack-compatible management server", no_args_is_help=True,
                  add_completion=True)
db_app = typer.Typer(help="Database maintenance", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _version_option(value: bool) -> None:
    if value:
        from zslite import __version__
        typer.echo(f"zslite {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", is_eager=True, callback=_version_option,
                                       help="print the version and exit")):
    """zslite: a ZStack-compatible management server (serve, demo, db) and its client (login, candidates,
    change-image, api)."""


@app.command()
def serve(host: str | None = typer.Option(None, help="address to listen on [default: 127.0.0.1 while the admin "
                                                    "password is the default, else 0.0.0.0]",
                                          show_default=False),
          port: int = typer.Option(8080, min=1, max=65535, help="port to listen on"),
          workers: int = typer.Option(1, min=1, max=64, envvar="ZSLITE_WORKERS",
                                      help="server processes on this port, each a management node"),
          demo: bool = typer.Option(False, "--demo", help="load the demo cloud and print a ready curl line")):
    """Start the API server (database from ZSLITE_DB_URL, default ./zslite.db)."""
    from zslite.cli import startup
    from zslite.clock import Clock
    from zslite.server import serving
    from zslite.server.app import node_name, runtime

    settings = startup.settings()
    startup.check_metrics_dir()
    startup.check_master_key(settings)
    host = host or startup.default_host(settings)
    sock = startup.bind(host, port, reuse_port=workers > 1)
    database = startup.open_database(settings)
    clock = Clock()
    name = node_name(settings, port)
    startup.prepare(settings, database, clock, name)
    print(startup.banner(settings, host, port, workers), file=sys.stderr, flush=True)
    if demo:
        from zslite import demo as demo_mod
        demo_mod.load_and_print(runtime(settings, database, clock, name), port, host)
    serving.run(settings, database, clock, name, sock, workers)


@app.command("demo")
def demo_cmd(port: int = typer.Option(8080, min=1, max=65535, help="port the curl line should name"),
             reset: bool = typer.Option(False, "--reset", help=(
                 "first delete ALL data of the database (every account but admin, every session, access key, "
                 "job, image, VM and infrastructure, whoever added it; the schema stays), then load a fresh demo "
                 "cloud. Refused on a database that holds data but no demo cloud."))):
    """Load the demo cloud into the database of ZSLITE_DB_URL (idempotent) and print a ready curl line."""
    from zslite import demo as demo_mod
    from zslite.cli import startup
    from zslite.clock import Clock
    from zslite.server.app import runtime

    settings = startup.settings()
    database = startup.open_database(settings)
    clock = Clock()
    startup.prepare(settings, database, clock, None)  # not a node: a running server's jobs are its own
    if reset:
        try:
            deleted = demo_mod.reset(database)
        except demo_mod.NotADemoDatabase as exc:
            from zslite.config import ConfigError
            raise ConfigError("--reset", f"refused: {exc}") from None
        print(f"deleted {deleted} row(s): the database is back to an empty schema", file=sys.stderr)
        startup.prepare(settings, database, clock, None)  # the admin account again
    demo_mod.load_and_print(runtime(settings, database, clock), port)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads")):
    """Apply the Alembic migrations to the database of ZSLITE_DB_URL."""
    from zslite.cli import startup
    from zslite.config import ConfigError
    from zslite.db.migrate import upgrade

    settings = startup.settings()
    database = startup.open_database(settings)
    try:
        upgrade(database.engine, revision)
    except Exception as exc:
        if type(exc).__module__.startswith("alembic"):
            raise ConfigError("revision", " ".join(str(exc).split())) from exc
        raise
    typer.echo(f"database at revision {revision}")


@db_app.command("create")
def db_create():
    """Create the PostgreSQL or MariaDB database ZSLITE_DB_URL names (the server must be running and the
    user allowed to create databases); nothing to do when it exists, or for SQLite (created on first use)."""
    from zslite.cli import startup
    from zslite.db.check import create_database, mask

    settings = startup.settings()
    created = create_database(settings.db_url)
    typer.echo(f"{'created' if created else 'nothing to do: it exists or is created on first use:'} "
               f"{mask(settings.db_url)}")


def _register_client_commands() -> None:
    """login, logout, candidates, change-image, plan …, and `api <Name>` for every registry API."""
    from zslite.cli import api as api_cli, friendly, plans

    friendly.register(app)
    plans.register(app)
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
    """The `zslite` entry point. A bad setting or argument, or a server that cannot start, ends in ONE line
    on stderr naming the setting and a non-zero exit code (ZSLITE_LOG_LEVEL=DEBUG adds the trace)."""
    from typer import rich_utils

    try:  # typer ≥ 0.25 carries its own copy of click
        from typer._click.exceptions import ClickException
    except ImportError:  # pragma: no cover
        from click import ClickException

    from zslite.cli import startup
    from zslite.config import ConfigError

    # SIGPIPE keeps Python's own setting (ignored): a write to a closed pipe or socket is then an
    # EPIPE error where it happens. Restoring the default action for the whole process would let any
    # client that disconnects while the server writes kill `zslite serve` with no log line.
    # A closed stdout (`| head`) is handled here, and by typer (EPIPE → exit), without a traceback.
    command = typer.main.get_command(app)
    try:
        rv = command.main(prog_name="zslite", standalone_mode=False)
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        _stdout_broken()
        sys.exit(EXIT_BROKEN_PIPE)
    except SystemExit:  # click met EPIPE on stdout and exits 1: the shell's answer for that is 141
        if _stdout_broken():
            sys.exit(EXIT_BROKEN_PIPE)
        raise
    except ConfigError as exc:
        startup.report(exc)
        sys.exit(exc.exit_code)
    except typer.BadParameter as exc:  # --port abc, --port 99999, --output xml: one line naming the option
        startup.report(exc, exc.format_message())
        sys.exit(exc.exit_code)
    except ClickException as exc:
        rich_utils.rich_format_error(exc)
        if type(exc).__name__ == "NoArgsIsHelpError":
            exc.show()
        sys.exit(exc.exit_code)
    except typer.Abort:
        rich_utils.rich_abort_error()
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 — an unexpected failure is still one line, never a traceback
        startup.report(exc, f"unexpected {type(exc).__name__}: {exc}"
                       + ("" if startup.verbose() else " (ZSLITE_LOG_LEVEL=DEBUG shows the trace)"))
        sys.exit(1)
    if _stdout_broken():
        sys.exit(EXIT_BROKEN_PIPE)
    sys.exit(rv if isinstance(rv, int) else 0)
