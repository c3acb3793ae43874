"""Test-only fault injection. Off unless ZSLITE_FAULT_INJECTION names a point, e.g.
"ChangeVmImage.after_new_volume=kill" (the process dies at once, as in a crash) or "...=raise"."""

from __future__ import annotations

import os


class InjectedFault(RuntimeError):
    pass


def hit(spec: str, point: str) -> None:
    if not spec:
        return
    for item in spec.split(","):
        name, _, action = item.partition("=")
        if name.strip() == point:
            if action.strip() == "kill":
                os._exit(137)
            raise InjectedFault(f"fault injected at {point}")
