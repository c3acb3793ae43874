"""Allowed state transitions, as data: {resource: {current_state: {event: next_state}}}.

A transition not in the table is refused with a 503 naming the current state.
"""

from __future__ import annotations

from zslite.errors import OperationError

ZONE = {
    "Enabled": {"enable": "Enabled", "disable": "Disabled"},
    "Disabled": {"enable": "Enabled", "disable": "Disabled"},
}

TABLES: dict[str, dict[str, dict[str, str]]] = {"zone": ZONE}


def next_state(kind: str, uuid: str, current: str, event: str) -> str:
    table = TABLES[kind]
    target = table.get(current, {}).get(event)
    if target is None:
        allowed = sorted(table.get(current, {}))
        raise OperationError(
            f"cannot apply stateEvent[{event}] to {kind}[uuid:{uuid}] in state[{current}]"
            + (f"; allowed events in this state: {', '.join(allowed)}" if allowed else ""))
    return target
