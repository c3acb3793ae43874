"""A new registry entry shows up as an Action, a Client method and a CLI command with no code."""

from __future__ import annotations

from typing import Literal

import zslite.sdk as sdk
from zslite.apispec import all_apis
from zslite.apispec.params import Params, Uuid
from zslite.apispec.spec import ApiSpec
from zslite.cli import api as api_cli
from zslite.sdk import actions, resources


class FrobnicateParams(Params):
    vmInstanceUuid: Uuid
    mode: Literal["gently", "hard"]


NEW = ApiSpec("FrobnicateVmInstance", "PUT", ("/vm-instances/{vmInstanceUuid}/actions",), FrobnicateParams,
              lambda ctx, p: None, body_key="frobnicateVmInstance", is_async=True, summary="Frobnicate a VM")


def test_a_new_api_needs_no_code(monkeypatch):
    registry = (*all_apis(), NEW)
    for module in (actions, resources, api_cli):
        monkeypatch.setattr(module, "all_apis", lambda: registry)
    cls = getattr(sdk, "FrobnicateVmInstanceAction")
    assert cls.PARAMS["mode"]["valid_values"] == ("gently", "hard") and cls.PARAMS["vmInstanceUuid"]["required"]
    assert resources.names(NEW) == ("vm_instances", "frobnicate")
    assert "frobnicate" in resources.resource_classes()["vm_instances"]._methods
    assert "FrobnicateVmInstance" in {c.name for c in api_cli.build().registered_commands}
    params = resources.bind(NEW, ("a" * 32, "hard"), {})
    assert params == {"vmInstanceUuid": "a" * 32, "mode": "hard"}
