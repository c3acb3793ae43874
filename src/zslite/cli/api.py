"""`zslite api <ApiName> key=value …`: one command per registry API, zstack-cli style.

- `key=value` pairs, lists comma-separated (`backupStorageUuids=a,b`), a comma inside an element
  escaped with a backslash or the element double-quoted, as zstack-cli splits them
  (`systemTags='bootOrder::CdRom\\,HardDisk'` is one tag); a key given again adds to its list;
- Query APIs take conditions positionally, in the query grammar (`name=x state=Enabled
  size>=1024 name~=Ubuntu%`), and `limit=`, `start=`, `count=`, `sortBy=`, … as options;
- asynchronous APIs wait for their job (`--no-wait` prints the job location instead);
- a name may stand for a uuid when the parameter's resource type is known (cli/names.py).
Values are checked by the SDK against the API's model before anything is sent.
"""

from __future__ import annotations

import csv
import difflib
import re
from typing import Annotated

import typer

from zslite.apispec import all_apis
from zslite.apispec.spec import ApiSpec
from zslite.cli import names, output, session
from zslite.cli.output import Format, JsonOpt, OutputOpt, UrlOpt

_PAIR = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.S)


class UsageError(Exception):
    pass


def split_list(value: str) -> list[str]:
    """zstack-cli's list syntax: comma-separated, `\\,` or a double-quoted element keeps a comma."""
    if not value:
        return []
    try:
        items = next(csv.reader([value], delimiter=",", escapechar="\\", strict=True))
    except csv.Error as exc:
        raise UsageError(f"cannot split the list {value!r}: {exc}") from None
    return [v for v in items if v != ""]


def parse_args(spec: ApiSpec, args: list[str]) -> dict:
    from zslite.sdk.core import is_list

    fields = spec.params.model_fields
    params: dict = {}
    conditions: list[str] = []
    for arg in args:
        m = _PAIR.match(arg)
        key = m.group(1) if m else None
        if spec.query and (key is None or key not in fields or key == "q"):
            conditions.append(arg)  # a condition: name=x, size>=10, name~=a%, uuid?=a,b, x is null
            continue
        if m is None:
            raise UsageError(f"expected key=value, got {arg!r}")
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise UsageError(f"{spec.name} has no parameter {key!r}{hint}; "
                             f"parameters: {', '.join(fields)}")
        value: object = m.group(2)
        if is_list(fields[key].annotation):
            value = params.get(key, []) + split_list(str(value))
        params[key] = value
    if conditions:
        params["q"] = conditions
    return params


def describe(spec: ApiSpec) -> str:
    from zslite.sdk.core import valid_values

    paragraphs = [f"{spec.summary or spec.name}.",
                  f"{spec.method} /zstack/v1{spec.path}" + (" (asynchronous)" if spec.is_async else "")]
    params = []
    for name, f in spec.params.model_fields.items():
        if name in ("systemTags", "userTags", "q"):
            continue
        choices = valid_values(f.annotation)
        text = f"{name}{'' if f.is_required() else '?'}"
        if choices:
            text += "=" + "|".join(map(str, choices))
        params.append(text)
    paragraphs.append("Parameters: " + (" ".join(params) or "none")
                      + "; systemTags, userTags: comma lists (\\, keeps a comma in a tag)")
    if spec.query:
        paragraphs.append("Conditions: name=x state!=Disabled size>=1024 name~=Ubuntu% uuid?=a,b")
    return "\n\n".join(paragraphs)


def make_command(spec: ApiSpec):
    def command(args: Annotated[list[str] | None, typer.Argument(help="key=value pairs (Query: conditions)")] = None,
                output_format: OutputOpt = Format.table, as_json: JsonOpt = False, url: UrlOpt = None,
                no_wait: Annotated[bool, typer.Option("--no-wait", help="print the job location, do not wait")] = False,
                timeout: Annotated[float | None, typer.Option(help="seconds to wait for an async job")] = None):
        fmt = output.pick(output_format, as_json)
        try:
            params = parse_args(spec, args or [])
        except UsageError as exc:
            output.fail(str(exc), output.EXIT_USAGE, fmt)
        with output.guarded(fmt):
            with session.client(url, need_auth=spec.auth != "none") as zs:
                if spec.auth != "none":  # names where uuids are expected, looked up with the caller's session
                    params = names.resolve_params(zs, spec, params)
                body = zs.call_raw(spec.name, wait=not no_wait, timeout=timeout, **params)
            output.emit(body, fmt)

    command.__name__ = spec.name
    command.__doc__ = describe(spec)
    return command


def build() -> typer.Typer:
    app = typer.Typer(help="Call any API by name, zstack-cli style: zslite api CreateZone name=zone1",
                      no_args_is_help=True)
    for spec in all_apis():
        app.command(name=spec.name, context_settings={"ignore_unknown_options": True},
                    short_help=spec.summary or spec.name)(make_command(spec))
    return app
