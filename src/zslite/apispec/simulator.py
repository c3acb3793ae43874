"""Simulator extension (admin only): drive agent-side facts of hosts and storage."""

from __future__ import annotations

from typing import Literal

from zslite.apispec.params import UuidParams
from zslite.apispec.spec import ApiSpec
from zslite.services import simulator


class SetSimulatorResourceStatusParams(UuidParams):
    status: Literal["Connected", "Disconnected", "Connecting"]


APIS = [
    ApiSpec("SetSimulatorResourceStatus", "PUT", ("/simulator/resources/{uuid}/actions",),
            SetSimulatorResourceStatusParams, simulator.set_status, body_key="setStatus", is_async=True, role="admin",
            summary="Set the status a simulated host, primary or backup storage agent reports"),
]
