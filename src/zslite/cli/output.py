"""Output of every CLI command: table (rich), json or yaml; errors and exit codes in one place.

Exit codes: 0 ok, 2 usage error (bad arguments, a parameter the client refused, not logged in,
a name that matches no resource or several, a 400 from the server), 3 API error (the API ran and failed: 503, or an unexpected HTTP status),
4 connection error (no answer from the server).
"""

from __future__ import annotations

import enum
import errno
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

EXIT_OK, EXIT_USAGE, EXIT_API, EXIT_CONNECTION = 0, 2, 3, 4
PREFERRED = ("name", "uuid", "state", "status", "type", "mediaType", "platform", "format", "architecture",
             "zoneUuid", "clusterUuid", "hostUuid", "imageUuid", "url", "description")
MAX_COLUMNS = 9


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    yaml = "yaml"


OutputOpt = Annotated[Format, typer.Option("--output", "-o", help="output format", case_sensitive=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="shortcut for --output json")]
UrlOpt = Annotated[str | None, typer.Option("--url", envvar="ZSLITE_URL",
                                            help="server URL (default: the saved login's, else http://localhost:8080)")]


def pick(output: Format, as_json: bool) -> Format:
    return Format.json if as_json else output


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """The reader of our output went away (`| head`): stop printing and let the error reach
        cli.main, which ends quietly with the shell's SIGPIPE status, as for json and yaml output."""
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "the reader of the output went away")


def console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    tty = stream.isatty()
    return _Console(file=stream, width=None if tty else 200, soft_wrap=not tty, highlight=False,
                   force_terminal=None if tty else False, markup=False)


def strip_schema(body: Any) -> Any:
    if isinstance(body, dict) and "schema" in body:
        return {k: v for k, v in body.items() if k != "schema"}
    return body


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            return ", ".join(str(v) for v in value)
        return f"[{len(value)}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {cell(v)}" for k, v in value.items() if not isinstance(v, (dict, list))) + "}"
    return str(value)


def columns_of(rows: list[dict]) -> list[str]:
    seen: list[str] = []
    for row in rows:
        for key, value in row.items():
            if key not in seen and not (isinstance(value, list) and value and isinstance(value[0], dict)):
                seen.append(key)
    ordered = [k for k in PREFERRED if k in seen] + [k for k in seen if k not in PREFERRED]
    return ordered[:MAX_COLUMNS]


def list_table(rows: list[dict], columns: list[str] | None = None, title: str | None = None,
               headers: dict[str, str] | None = None) -> Table:
    columns = columns or columns_of(rows)
    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column((headers or {}).get(col, col), overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell(row.get(c))) for c in columns))
    return table


def kv_table(data: dict, title: str | None = None) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = f"[{len(value)}]"
        table.add_row(Text(str(key)), Text(cell(value)))
    return table


def emit(body: Any, fmt: Format, *, table: Callable[[Console, Any], None] | None = None) -> None:
    """Print a reply: json/yaml as the server said it (without the schema map); table via `table`
    when given, else a generic rendering (inventories → rows, inventory → field/value)."""
    body = strip_schema(body)
    if fmt is Format.json:
        typer.echo(json.dumps(body, indent=2, ensure_ascii=False, default=str))
        return
    if fmt is Format.yaml:
        typer.echo(yaml.safe_dump(body, sort_keys=False, allow_unicode=True).rstrip())
        return
    out = console()
    if table is not None:
        table(out, body)
        return
    if isinstance(body, dict) and isinstance(body.get("inventories"), list):
        out.print(list_table(body["inventories"]))
        rest = {k: v for k, v in body.items() if k != "inventories"}
        if "total" in rest:
            out.print(f"total: {rest['total']}")
    elif isinstance(body, dict) and isinstance(body.get("inventory"), dict):
        out.print(kv_table(body["inventory"]))
    elif isinstance(body, dict) and body:
        out.print(kv_table(body))
    elif body in ({}, None):
        out.print("ok")
    else:
        out.print(str(body))


def fail(message: str, code: int, fmt: Format = Format.table, error: dict | None = None) -> None:
    if fmt in (Format.json, Format.yaml) and error is not None:
        emit({"error": error}, fmt)
    console(stderr=True).print(f"[red]error:[/red] {escape(message)}", markup=True, highlight=False)
    raise typer.Exit(code)


@contextmanager
def guarded(fmt: Format = Format.table) -> Iterator[None]:
    """Turn SDK exceptions into a message and the matching exit code."""
    from zslite.cli.names import NameNotResolved
    from zslite.cli.session import NotLoggedIn
    from zslite.sdk.errors import ApiConnectionError, HttpError, ParameterError, ZStackApiError

    try:
        yield
    except (NotLoggedIn, NameNotResolved) as exc:
        fail(str(exc), EXIT_USAGE, fmt)
    except ParameterError as exc:
        fail(str(exc), EXIT_USAGE, fmt, exc.to_dict())
    except ApiConnectionError as exc:
        fail(f"{exc.description} ({exc.details})", EXIT_CONNECTION, fmt, exc.to_dict())
    except HttpError as exc:
        code = EXIT_USAGE if exc.http_status == 400 else EXIT_API
        fail(f"HTTP {exc.http_status}: {exc.details or exc.description}", code, fmt, exc.to_dict())
    except ZStackApiError as exc:
        fail(str(exc), EXIT_API, fmt, exc.to_dict())


def human_size(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return ""
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(value)
