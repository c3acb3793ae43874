"""`zslite plan …`: fleet image change plans (SPEC §11), a thin layer over zslite.Client.

    zslite plan create --image <uuid> --where imageUuid=<old> [--where zone.name=zone-a] [--vm <uuid>…]
                       [--max-concurrency 4] [--stop-running] [--max-failures 0] [--dry-run] [--watch]
    zslite plan watch <uuid>          live progress bars per state until the plan ends (or pauses)
    zslite plan show|pause|resume|cancel|delete <uuid>
    zslite plan list [conditions…]

The tables list each VM with its verdict and why (ChangeVmImage's error, explain's reasons). `watch`
(and `create --watch`) exits 3 when the plan ends Failed or pauses on failures, 0 otherwise.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from zslite.cli import output, session
from zslite.cli.friendly import _bs_names, _reasons
from zslite.cli.output import Format, JsonOpt, OutputOpt, UrlOpt

app = typer.Typer(help="Fleet image change plans: re-image every VM a query selects, rolling and pausable",
                  no_args_is_help=True)

PlanArg = Annotated[str, typer.Argument(help="plan uuid")]
STATES = ("Pending", "Running", "Succeeded", "Failed", "Skipped", "Refused")  # the bars of `watch`
COUNT_OF = {"Pending": "pending", "Running": "running", "Succeeded": "succeeded", "Failed": "failed",
            "Skipped": "skipped", "Refused": "refused"}
FINAL = ("Planned", "Succeeded", "Failed", "Cancelled")


def _why(vm: dict, names: dict[str, str]) -> str:
    """ChangeVmImage's error, and explain's reasons when the image is not a candidate (once: the error of a
    non-candidate is those reasons in one line)."""
    lines = []
    error = vm.get("error")
    if error and vm.get("reasons") and "cannot be changed image" in (error.get("details") or ""):
        lines.append(f"{error.get('code')}: not a candidate for this VM")
    elif error:
        lines.append(f"{error.get('code')}: {error.get('details') or error.get('description', '')}")
    if vm.get("reasons"):
        lines.append(_reasons(vm, names))
    return "\n".join(lines)


def _names(zs, plan: dict) -> dict[str, str]:
    refs = [{"backupStorageUuid": b.get("uuid")} for vm in plan.get("vms", []) for r in vm.get("reasons") or []
            for b in r.get("backupStorages") or []]
    return _bs_names(zs, refs) if refs else {}


def summary(plan: dict) -> str:
    counts = ", ".join(f"{plan.get(k, 0)} {k}" for k in ("pending", "running", "succeeded", "failed", "refused",
                                                         "skipped") if plan.get(k))
    return (f"plan {plan.get('name')} ({plan.get('uuid')}): {plan.get('state')}, {plan.get('total', 0)} VM(s)"
            + (f" — {counts}" if counts else ""))


def render(out: Console, plan: dict, names: dict[str, str]) -> None:
    rows = [{"#": i, "vm": vm.get("vmName"), "uuid": vm.get("vmInstanceUuid"), "state": vm.get("state"),
             "why": _why(vm, names)} for i, vm in enumerate(plan.get("vms", []), 1)]
    out.print(output.list_table(rows, ["#", "vm", "uuid", "state", "why"],
                                title=f"Image change plan {plan.get('name')} → image {plan.get('imageUuid')}"))
    out.print(summary(plan))


def _emit(zs, plan: dict, fmt: Format) -> None:
    names = _names(zs, plan) if fmt is Format.table else {}
    output.emit({"inventory": plan}, fmt, table=lambda out, body: render(out, body["inventory"], names))


def _get(zs, uuid: str) -> dict:
    found = zs.call_raw("QueryImageChangePlan", uuid=uuid).get("inventories", [])
    if not found:
        output.fail(f"no image change plan {uuid}", output.EXIT_API)
    return found[0]


def _watch(zs, uuid: str, interval: float, timeout: float) -> dict:
    """Progress bars per state until the plan is no longer Running (or the timeout passes)."""
    plan = _get(zs, uuid)
    deadline = time.monotonic() + timeout
    with Progress(TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=output.console(stderr=True)) as progress:
        total = max(plan.get("total", 0), 1)
        done = progress.add_task("done", total=total)
        bars = {state: progress.add_task(state.lower(), total=total) for state in STATES}
        while True:
            final = sum(plan.get(k, 0) for k in ("succeeded", "failed", "skipped", "refused"))
            progress.update(done, completed=final)
            for state, task in bars.items():
                progress.update(task, completed=plan.get(COUNT_OF[state], 0))
            if plan.get("state") != "Running" or time.monotonic() > deadline:
                break
            time.sleep(interval)
            plan = _get(zs, uuid)
    return plan


def _end(plan: dict, fmt: Format, zs) -> None:
    _emit(zs, plan, fmt)
    state = plan.get("state")
    if state == "Running":
        output.fail(f"plan {plan.get('uuid')} still running; it goes on on the server "
                    f"(zslite plan watch {plan.get('uuid')})", output.EXIT_API, fmt)
    if state == "Paused":
        output.console(stderr=True).print(f"plan paused: zslite plan resume {plan.get('uuid')} goes on, "
                                          f"zslite plan cancel {plan.get('uuid')} skips the rest")
    if state == "Failed" or (state == "Paused" and plan.get("failed")):
        raise typer.Exit(output.EXIT_API)


@app.command("create")
def create(image: Annotated[str, typer.Option("--image", help="the image every VM changes to")],
           where: Annotated[list[str] | None, typer.Option("--where", help="a Query condition over VMs "
                                                            "(repeat: ANDed), e.g. imageUuid=<uuid>")] = None,
           vm: Annotated[list[str] | None, typer.Option("--vm", help="a VM uuid (repeat), instead of --where")] = None,
           max_concurrency: Annotated[int, typer.Option(min=1, max=64, help="VMs out of service at once")] = 4,
           stop_running: Annotated[bool, typer.Option("--stop-running", help="stop Running VMs, change, start "
                                                      "them again (else they are refused)")] = False,
           max_failures: Annotated[int, typer.Option(min=0, help="pause when more VMs than this failed")] = 0,
           dry_run: Annotated[bool, typer.Option("--dry-run", help="only check every VM; change nothing")] = False,
           name: Annotated[str | None, typer.Option(help="the plan's name")] = None,
           description: Annotated[str | None, typer.Option(help="the plan's description")] = None,
           watch: Annotated[bool, typer.Option("--watch", help="follow the run until it ends")] = False,
           interval: Annotated[float, typer.Option(help="seconds between two looks (--watch)")] = 0.5,
           timeout: Annotated[float, typer.Option(help="seconds to watch (--watch)")] = 3600.0,
           url: UrlOpt = None, output_format: OutputOpt = Format.table, as_json: JsonOpt = False):
    """Check, and unless --dry-run change, the image of every VM --where selects (or every --vm)."""
    fmt = output.pick(output_format, as_json)
    if bool(where) == bool(vm):
        output.fail("give either --where conditions or --vm uuids", output.EXIT_USAGE, fmt)
    params: dict = {"imageUuid": image, "maxConcurrency": max_concurrency, "stopRunningVms": stop_running,
                    "maxFailures": max_failures, "dryRun": dry_run}
    params.update({"conditions": list(where)} if where else {"vmInstanceUuids": list(vm)})
    params.update({k: v for k, v in (("name", name), ("description", description)) if v is not None})
    with output.guarded(fmt):
        with session.client(url) as zs:
            plan = zs.call_raw("CreateImageChangePlan", **params)["inventory"]
            if watch and not dry_run:
                plan = _watch(zs, plan["uuid"], interval, timeout)
                _end(plan, fmt, zs)
            else:
                _emit(zs, plan, fmt)


@app.command("watch")
def watch_cmd(uuid: PlanArg, interval: Annotated[float, typer.Option(help="seconds between two looks")] = 0.5,
              timeout: Annotated[float, typer.Option(help="seconds to watch")] = 3600.0,
              url: UrlOpt = None, output_format: OutputOpt = Format.table, as_json: JsonOpt = False):
    """Live progress of a plan, per VM state, until it ends (or pauses); then its table."""
    fmt = output.pick(output_format, as_json)
    with output.guarded(fmt):
        with session.client(url) as zs:
            _end(_watch(zs, uuid, interval, timeout), fmt, zs)


@app.command("show")
def show(uuid: PlanArg, url: UrlOpt = None, output_format: OutputOpt = Format.table, as_json: JsonOpt = False):
    """A plan's VMs, their states and why."""
    fmt = output.pick(output_format, as_json)
    with output.guarded(fmt):
        with session.client(url) as zs:
            _emit(zs, _get(zs, uuid), fmt)


@app.command("list")
def list_cmd(conditions: Annotated[list[str] | None, typer.Argument(help="Query conditions, e.g. state=Running")]
             = None, url: UrlOpt = None, output_format: OutputOpt = Format.table, as_json: JsonOpt = False):
    """Your plans (every plan, for admin), newest first."""
    fmt = output.pick(output_format, as_json)
    with output.guarded(fmt):
        with session.client(url) as zs:
            body = zs.call_raw("QueryImageChangePlan", q=list(conditions or []), sort="-createDate",
                               fields=["uuid", "name", "state", "imageUuid", "total", "pending", "running",
                                       "succeeded", "failed", "refused", "skipped", "createDate"])
        output.emit(body, fmt, table=lambda out, b: out.print(output.list_table(
            b.get("inventories", []), ["name", "uuid", "state", "total", "pending", "running", "succeeded", "failed",
                                       "refused", "skipped"], title="Image change plans")))


def _action(api_name: str, doc: str):
    def command(uuid: PlanArg, url: UrlOpt = None, output_format: OutputOpt = Format.table,
                as_json: JsonOpt = False):
        fmt = output.pick(output_format, as_json)
        with output.guarded(fmt):
            with session.client(url) as zs:
                plan = zs.call_raw(api_name, uuid=uuid)["inventory"]
            if fmt is Format.table:
                output.console().print(summary(plan))
            else:
                output.emit({"inventory": plan}, fmt)

    command.__doc__ = doc
    return command


app.command("pause")(_action("PauseImageChangePlan", "Pause a plan: changes under way finish, no new one starts."))
app.command("resume")(_action("ResumeImageChangePlan", "Resume a paused plan, or start a dry run's as checked."))
app.command("cancel")(_action("CancelImageChangePlan", "Cancel a plan: pending VMs are skipped."))


@app.command("delete")
def delete(uuid: PlanArg, url: UrlOpt = None, output_format: OutputOpt = Format.table, as_json: JsonOpt = False):
    """Delete an ended plan."""
    fmt = output.pick(output_format, as_json)
    with output.guarded(fmt):
        with session.client(url) as zs:
            zs.call_raw("DeleteImageChangePlan", uuid=uuid)
        output.emit({}, fmt)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="plan")
