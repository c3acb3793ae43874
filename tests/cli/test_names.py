"""Names where uuids are expected, in the CLI (resolved client side through the Query APIs with the user's
session), against the real app with the demo cloud."""

from __future__ import annotations

import json

from tests.support import ApiClient
from zslite import demo
from zslite.apispec import api as spec_of
from zslite.cli import names


def test_change_image_and_candidates_by_name(app_cli, http):
    demo.load(http.app.state.zs)
    table = app_cli("candidates", "demo-vm")
    assert table.exit_code == 0, table.output
    assert "TinyLinux" in table.stdout and demo.TINYLINUX in table.stdout
    assert f"Image candidates for VM demo-vm ({demo.SEED_VM})" in table.stdout
    changed = app_cli("change-image", "demo-vm", "TinyLinux", "--json")
    assert changed.exit_code == 0, changed.output
    vm = json.loads(changed.stdout)["inventory"]
    assert vm["uuid"] == demo.SEED_VM and vm["imageUuid"] == demo.TINYLINUX
    # uuids still work, unchanged
    assert app_cli("candidates", demo.SEED_VM, "--json").exit_code == 0


def test_api_parameters_by_name(app_cli, http):
    demo.load(http.app.state.zs)
    body = app_cli.json("api", "GetImageCandidatesForVmToChange", "vmInstanceUuid=demo-vm")
    assert "TinyLinux" in [i["name"] for i in body["inventories"]]
    # several parameters of several types, and the plain `uuid` of an action on /vm-instances/{uuid}
    made = app_cli.json("api", "CreateVmInstance", "name=by-names", "imageUuid=TinyLinux",
                        "instanceOfferingUuid=demo-1c1g", "zoneUuid=demo-zone", "strategy=CreateStopped")
    vm = made["inventory"]
    assert vm["imageUuid"] == demo.TINYLINUX and vm["instanceOfferingUuid"] == demo.OFFERING
    assert vm["zoneUuid"] == demo.ZONE
    started = app_cli.json("api", "StartVmInstance", "uuid=by-names")
    assert started["inventory"]["uuid"] == vm["uuid"] and started["inventory"]["state"] == "Running"
    # a list parameter, element by element
    created = app_cli.json("api", "AddImage", "name=listed", "url=http://example.invalid/x.qcow2", "format=qcow2",
                           "backupStorageUuids=demo-ceph-bs")
    assert [r["backupStorageUuid"] for r in created["inventory"]["backupStorageRefs"]] == [demo.CEPH_BS]


def test_an_ambiguous_name_lists_the_uuids_and_exits_2(app_cli, http):
    demo.load(http.app.state.zs)
    twin = app_cli.json("api", "CreateVmInstance", "name=demo-vm", "imageUuid=TinyLinux",
                        "instanceOfferingUuid=demo-1c1g", "strategy=CreateStopped")["inventory"]
    result = app_cli("candidates", "demo-vm")
    assert result.exit_code == 2
    assert "2 VM instances are named [demo-vm]" in result.output
    assert demo.SEED_VM in result.output and twin["uuid"] in result.output
    result = app_cli("change-image", "demo-vm", "TinyLinux")
    assert result.exit_code == 2 and twin["uuid"] in result.output
    result = app_cli("api", "StopVmInstance", "uuid=demo-vm")
    assert result.exit_code == 2 and demo.SEED_VM in result.output
    # nothing was changed or sent past the lookup
    vm = app_cli.json("api", "QueryVmInstance", f"uuid={demo.SEED_VM}")["inventories"][0]
    assert vm["state"] == "Stopped"


def test_an_unknown_name_exits_2(app_cli, http):
    demo.load(http.app.state.zs)
    result = app_cli("change-image", "demo-vm", "NoSuchImage")
    assert result.exit_code == 2 and "no image named [NoSuchImage]" in result.output


def test_a_tenant_resolves_only_what_it_may_see(app_cli, http, api):
    demo.load(http.app.state.zs)
    api.ok("CreateAccount", name="alice", password=ApiClient.hash("alice-pw"))
    assert app_cli("login", "--url", "http://testserver", "--account", "alice", "--password", "alice-pw").exit_code == 0
    result = app_cli("candidates", "demo-vm")  # the admin's VM does not exist for alice
    assert result.exit_code == 2 and "no VM instance named [demo-vm] that you can see" in result.output
    assert demo.SEED_VM not in result.output


def test_which_parameters_take_names():
    assert names.query_for(spec_of("ChangeVmImage"), "vmInstanceUuid").name == "QueryVmInstance"
    assert names.query_for(spec_of("ChangeVmImage"), "imageUuid").name == "QueryImage"
    assert names.query_for(spec_of("AddImage"), "backupStorageUuids").name == "QueryBackupStorage"
    assert names.query_for(spec_of("CreateVmInstance"), "primaryStorageUuidForRootVolume").name == \
        "QueryPrimaryStorage"
    assert names.query_for(spec_of("StopVmInstance"), "uuid").name == "QueryVmInstance"
    assert names.query_for(spec_of("ChangeImageState"), "uuid").name == "QueryImage"
    # no known type: sent as given
    assert names.query_for(spec_of("CreateZone"), "resourceUuid") is None
    assert names.query_for(spec_of("ShareResource"), "resourceUuids") is None
    assert names.query_for(spec_of("LogOut"), "sessionUuid") is None
    assert names.label(spec_of("QueryVmInstance")) == "VM instance"
    assert names.label(spec_of("QueryBackupStorage")) == "backup storage"
