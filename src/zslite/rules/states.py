"""Allowed state transitions, as data: {resource: {current_state: {event: next_state}}}.

A transition not in the table is refused with a 503 (SYS.1006) naming the current state. Events
that lead to the state the resource is already in are accepted as no-ops, as ZStack does.
"""

from __future__ import annotations

from zslite.errors import OperationError

ENABLE_DISABLE = {
    "Enabled": {"enable": "Enabled", "disable": "Disabled"},
    "Disabled": {"enable": "Enabled", "disable": "Disabled"},
}

HOST = {
    "Enabled": {"enable": "Enabled", "disable": "Disabled", "preMaintain": "PreMaintenance",
                "maintain": "Maintenance"},
    "Disabled": {"enable": "Enabled", "disable": "Disabled", "preMaintain": "PreMaintenance",
                 "maintain": "Maintenance"},
    "PreMaintenance": {"enable": "Enabled", "disable": "Disabled", "maintain": "Maintenance"},
    "Maintenance": {"enable": "Enabled", "disable": "Disabled", "maintain": "Maintenance"},
}

PRIMARY_STORAGE = {
    "Enabled": {"enable": "Enabled", "disable": "Disabled", "maintain": "Maintenance"},
    "Disabled": {"enable": "Enabled", "disable": "Disabled", "maintain": "Maintenance"},
    "Maintenance": {"enable": "Enabled", "disable": "Disabled", "maintain": "Maintenance"},
}

# VM lifecycle: event -> (states it may start from, state it ends in)
VM = {
    "Created": {"start": "Running", "stop": "Stopped", "destroy": "Destroyed"},
    "Stopped": {"start": "Running", "stop": "Stopped", "destroy": "Destroyed", "changeImage": "Stopped"},
    "Running": {"stop": "Stopped", "reboot": "Running", "destroy": "Destroyed", "start": "Running"},
    "Paused": {"stop": "Stopped", "destroy": "Destroyed"},
    "Unknown": {"stop": "Stopped", "destroy": "Destroyed"},
    "Destroyed": {"recover": "Stopped", "expunge": "Expunged", "destroy": "Destroyed"},
}

# Fleet image change plans (SPEC §11): the operator's events. A dry run (Planned) may be started as
# planned (resume) or cancelled; the driver's own moves (Running → Paused at maxFailures, → Succeeded
# or Failed at the end) are compare-and-set UPDATEs in jobs/plans.py.
PLAN = {
    "Planned": {"resume": "Running", "cancel": "Cancelled"},
    "Running": {"pause": "Paused", "resume": "Running", "cancel": "Cancelled"},
    "Paused": {"pause": "Paused", "resume": "Running", "cancel": "Cancelled"},
    "Cancelled": {"cancel": "Cancelled"},
    "Succeeded": {},
    "Failed": {},
}

# A plan's VMs. WillChange and Refused come from the checks (a dry run's VMs stay so); a real run's
# WillChange VMs are Pending until a node claims them. A claimed VM is "out of service" (counted against
# maxConcurrency) from Stopping (or Changing, for a VM already Stopped) until Succeeded or Failed.
PLAN_VM_TO_DO = ("WillChange", "Pending")
PLAN_VM_ACTIVE = ("Stopping", "Changing", "Starting")
PLAN_VM_FINAL = ("Succeeded", "Failed", "Skipped", "Refused")
PLAN_ENDED = ("Planned", "Cancelled", "Succeeded", "Failed")  # nothing more will happen (unless started)

TABLES: dict[str, dict[str, dict[str, str]]] = {
    "zone": ENABLE_DISABLE,
    "cluster": ENABLE_DISABLE,
    "host": HOST,
    "primaryStorage": PRIMARY_STORAGE,
    "backupStorage": ENABLE_DISABLE,
    "image": ENABLE_DISABLE,
    "instanceOffering": ENABLE_DISABLE,
    "vm": VM,
    "imageChangePlan": PLAN,
}


def next_state(kind: str, uuid: str, current: str, event: str) -> str:
    table = TABLES[kind]
    target = table.get(current, {}).get(event)
    if target is None:
        allowed = sorted(table.get(current, {}))
        raise OperationError(
            f"cannot apply stateEvent[{event}] to {kind}[uuid:{uuid}] in state[{current}]"
            + (f"; allowed events in this state: {', '.join(allowed)}" if allowed else ""))
    return target
