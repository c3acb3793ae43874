"""Test-only fault injection. Off unless ZSLITE_FAULT_INJECTION names a point, e.g.
"ChangeVmImage.after_new_volume=kill" (the process dies at once, as in a crash), "...=raise", or
"job.before_commit=sleep:5" (hold the job there, to observe or kill it mid-flight). Several
point=action items are separated by commas."""

from __future__ import annotations

import os
import time


ACTIONS = ("kill", "raise", "sleep:<seconds>")


class InjectedFault(RuntimeError):
    pass


def parse(spec: str) -> list[tuple[str, str, float]]:
    """(point, action, seconds) for each item of a ZSLITE_FAULT_INJECTION value; ValueError naming a
    malformed item."""
    items = []
    for item in filter(str.strip, spec.split(",")):
        point, eq, action = (x.strip() for x in item.partition("="))
        seconds = 0.0
        if action.startswith("sleep:"):
            try:
                seconds = float(action[len("sleep:"):])
            except ValueError:
                seconds = -1.0
            ok = 0 <= seconds < float("inf")
            action = "sleep"
        else:
            ok = action in ("kill", "raise")
        if not (point and eq and ok):
            raise ValueError(f"[{item.strip()}] is not <point>=<action>, the action one of {', '.join(ACTIONS)}")
        items.append((point, action, seconds))
    return items


def hit(spec: str, point: str) -> None:
    if not spec:
        return
    for name, action, seconds in parse(spec):
        if name != point:
            continue
        if action == "kill":
            os._exit(137)
        if action == "sleep":
            time.sleep(seconds)
            continue
        raise InjectedFault(f"fault injected at {point}")
