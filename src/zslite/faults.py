"""Test-only fault injection. Off unless ZSLITE_FAULT_INJECTION names a point, e.g.
"ChangeVmImage.after_new_volume=kill" (the process dies at once, as in a crash), "...=raise", or
"job.before_commit=sleep:5" (hold the job there, to observe or kill it mid-flight). Several
point=action items are separated by commas."""

from __future__ import annotations

import os
import time


class InjectedFault(RuntimeError):
    pass


def hit(spec: str, point: str) -> None:
    if not spec:
        return
    for item in spec.split(","):
        name, _, action = item.partition("=")
        if name.strip() != point:
            continue
        action = action.strip()
        if action == "kill":
            os._exit(137)
        if action.startswith("sleep:"):
            time.sleep(float(action[len("sleep:"):]))
            continue
        raise InjectedFault(f"fault injected at {point}")
