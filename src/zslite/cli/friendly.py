"""The friendly commands: login, logout, candidates, change-image (thin layers over zslite.Client)."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from zslite.cli import names as lookup, output, session
from zslite.cli.output import Format, JsonOpt, OutputOpt, UrlOpt


def login(url: UrlOpt = None,
          account: Annotated[str, typer.Option("--account", "-a", envvar="ZSLITE_ACCOUNT")] = "admin",
          password: Annotated[str | None, typer.Option(envvar="ZSLITE_PASSWORD",
                                                       help="prompted for when not given")] = None,
          context_path: Annotated[str, typer.Option(help="/zstack, or '' for /v1")] = "/zstack",
          output_format: OutputOpt = Format.table, as_json: JsonOpt = False):
    """Log in and save the session (mode 0600) for the other commands."""
    fmt = output.pick(output_format, as_json)
    if password is None:
        password = typer.prompt(f"password for {account}", hide_input=True)
    resolved = session.resolve_url(url)
    with output.guarded(fmt):
        http = session.http_client_factory() if session.http_client_factory else None
        from zslite.sdk.client import Client
        with Client(resolved, context_path=context_path, http_client=http) as zs:
            inv = zs.login(account, password, keep=True)
        path = session.save(resolved, inv.uuid, account, context_path)
        body = {"inventory": inv.to_dict()}
        if fmt is Format.table:
            output.console().print(f"logged in to {resolved} as {account}; session saved in {path}")
        else:
            output.emit(body, fmt)


def logout(url: UrlOpt = None):
    """End the saved session on the server and remove it from disk."""
    saved = session.load()
    if not saved:
        output.console().print("not logged in")
        return
    try:
        http = session.http_client_factory() if session.http_client_factory else None
        from zslite.sdk.client import Client
        with Client(url or saved["url"], context_path=saved.get("contextPath", "/zstack"), http_client=http,
                    max_retries=0) as zs:
            zs.call_raw("LogOut", sessionUuid=saved["session"])
    except Exception as exc:  # the local session goes whatever the server says
        output.console(stderr=True).print(f"warning: the server did not end the session: {exc}")
    session.remove()
    output.console().print("logged out")


def _bs_names(zs, refs: list[dict]) -> dict[str, str]:
    uuids = sorted({r.get("backupStorageUuid") for r in refs if r.get("backupStorageUuid")})
    if not uuids:
        return {}
    try:
        body = zs.call_raw("QueryBackupStorage", q=[f"uuid?={','.join(uuids)}"], fields=["uuid", "name"])
        return {b["uuid"]: b.get("name") or b["uuid"] for b in body.get("inventories", [])}
    except Exception:  # names are a nicety; uuids will do
        return {}


def _reasons(item: dict, names: dict[str, str]) -> str:
    lines = []
    for reason in item.get("reasons", []):
        text = f"{reason.get('code')}: {reason.get('message', '')}".rstrip(": ")
        for bs in reason.get("backupStorages") or []:
            label = bs.get("name") or names.get(bs.get("uuid"), bs.get("uuid"))
            text += f"\n  {label}: {', '.join(bs.get('codes', []))}"
        lines.append(text)
    return "\n".join(lines)


def candidates(vm: Annotated[str, typer.Argument(help="VM instance uuid, or its name when unique")],
               explain: Annotated[bool, typer.Option("--explain", help="also list excluded images and why")] = False,
               url: UrlOpt = None, output_format: OutputOpt = Format.table, as_json: JsonOpt = False):
    """The images VM's root volume may switch to (GetImageCandidatesForVmToChange)."""
    fmt = output.pick(output_format, as_json)
    with output.guarded(fmt):
        with session.client(url) as zs:
            vm_uuid = lookup.resolve_one(zs, "GetImageCandidatesForVmToChange", "vmInstanceUuid", vm)
            params: dict[str, Any] = {"vmInstanceUuid": vm_uuid}
            if explain:
                params["explain"] = True
            body = zs.call_raw("GetImageCandidatesForVmToChange", **params)
            refs = [r for i in body.get("inventories", []) for r in i.get("backupStorageRefs") or []]
            names = _bs_names(zs, refs) if fmt is Format.table else {}

        def table(out: Console, body: dict) -> None:
            rows = []
            for image in body.get("inventories", []):
                bss = [f"{names.get(r.get('backupStorageUuid'), r.get('backupStorageUuid'))} ({r.get('status')})"
                       for r in image.get("backupStorageRefs") or []]
                rows.append({**image, "size": output.human_size(image.get("size")), "backupStorages": "\n".join(bss)})
            cols = ["name", "uuid", "platform", "format", "size", "architecture", "backupStorages"]
            out.print(output.list_table(rows, cols, title=f"Image candidates for VM {vm}"
                                        + (f" ({vm_uuid})" if vm_uuid != vm else ""),
                                        headers={"backupStorages": "backup storages"}))
            if not rows:
                out.print("no image candidates")
            if explain:
                excluded = [{**e, "reasons": _reasons(e, names)} for e in body.get("excluded", [])]
                out.print(output.list_table(excluded, ["name", "uuid", "reasons"], title="Excluded images"))
                if body.get("excludedTruncated"):
                    out.print(f"more excluded images follow the first {len(excluded)}: "
                              f"zslite api GetImageCandidatesForVmToChange vmInstanceUuid={vm} explain=true "
                              f"limit=… start=… pages them")

        output.emit(body, fmt, table=table)


def change_image(vm: Annotated[str, typer.Argument(help="VM instance uuid, or its name when unique")],
                 image: Annotated[str, typer.Argument(help="image uuid, or its name when unique")],
                 timeout: Annotated[float, typer.Option(help="seconds to wait for the job")] = 600.0,
                 url: UrlOpt = None, output_format: OutputOpt = Format.table, as_json: JsonOpt = False):
    """Switch a stopped VM's root volume to IMAGE (ChangeVmImage), with live progress."""
    fmt = output.pick(output_format, as_json)
    with output.guarded(fmt):
        with session.client(url) as zs:
            vm = lookup.resolve_one(zs, "ChangeVmImage", "vmInstanceUuid", vm)
            image = lookup.resolve_one(zs, "ChangeVmImage", "imageUuid", image)
            job = zs.call_raw("ChangeVmImage", vmInstanceUuid=vm, imageUuid=image, wait=False)
            location = job["location"]
            job_uuid = location.rstrip("/").rsplit("/", 1)[-1]
            deadline = time.monotonic() + timeout
            body = None
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                          console=output.console(stderr=True), transient=True) as progress:
                task = progress.add_task(f"changing the image of VM {vm} (job {job_uuid})", total=None)
                while body is None:
                    body = zs.poll_job(location)
                    if body is None:
                        if time.monotonic() > deadline:
                            output.fail(f"job {job_uuid} still running after {timeout}s; it goes on on the server",
                                        output.EXIT_API, fmt)
                        time.sleep(zs.options.polling_interval)
                progress.update(task, description="done")

        def table(out: Console, body: dict) -> None:
            vm_inv = body.get("inventory", {})
            out.print(f"VM {vm_inv.get('name', vm)} now runs on image {vm_inv.get('imageUuid', image)} "
                      f"(root volume {vm_inv.get('rootVolumeUuid', '?')}, state {vm_inv.get('state', '?')})")
            out.print(output.kv_table(vm_inv))

        output.emit(body, fmt, table=table)


def register(app: typer.Typer) -> None:
    app.command("login")(login)
    app.command("logout")(logout)
    app.command("candidates")(candidates)
    app.command("change-image")(change_image)
