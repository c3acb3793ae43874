"""Against a real `python -m zslite serve --demo` process: the seed's sample as written, the
Client, callbacks and the CLI over the network."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

import zslite
from zslite.db.models import Session
from zslite.context import ADMIN_ACCOUNT_UUID
from zslite.testing import ServerProcess, free_port

# The SDK and the CLI as clients over the network: one database (the APIs run on every one in tests/api).
pytestmark = pytest.mark.one_backend

SEED_VM = "54f0aebe7a2536978aafb9eb7a95003e"
SEED_SESSION = "b86c9016b4f24953a9edefb53ca0678c"
SEED_SAMPLE = '''
from zslite.sdk import configure, GetImageCandidatesForVmToChangeAction

configure(hostname="localhost", port=8080, context_path="/zstack")
action = GetImageCandidatesForVmToChangeAction()
action.vmInstanceUuid = "54f0aebe7a2536978aafb9eb7a95003e"
action.sessionId = "b86c9016b4f24953a9edefb53ca0678c"
res = action.call()          # res.value.inventories / res.error (code, description, details)
'''


@pytest.fixture
def demo(db_url, database, tmp_path):
    """The demo cloud served for real (on a free port: the sample is localized to it)."""
    port = free_port()  # never 8080: the suite runs in parallel
    with ServerProcess(db_url, log_dir=tmp_path, demo=True, port=port) as server:
        yield server.base_url, port


def _seed_session(database) -> None:
    """The session the seed's sample names, as if admin had logged in and got that uuid."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with database.write() as s:
        s.add(Session(uuid=SEED_SESSION, account_uuid=ADMIN_ACCOUNT_UUID, user_uuid=ADMIN_ACCOUNT_UUID,
                      create_date=now, last_used=now))


def test_seed_sample_runs_as_written(demo, database):
    url, port = demo
    _seed_session(database)
    source = SEED_SAMPLE if port == 8080 else SEED_SAMPLE.replace("port=8080", f"port={port}")
    scope: dict = {}
    try:
        exec(compile(source, "seed_sample.py", "exec"), scope)
    finally:
        zslite.sdk.configure()
    res = scope["res"]
    assert res.error is None, res.error
    tiny = [i for i in res.value.inventories if i.name == "TinyLinux"]
    assert tiny and tiny[0].url == "http://192.168.1.20/share/images/tinylinux.qcow2"
    assert tiny[0].mediaType == "RootVolumeTemplate" and tiny[0].format == "qcow2"
    assert tiny[0].backupStorageRefs[0].installPath.startswith("ceph://")


def test_client_and_callbacks_over_the_network(demo):
    url, port = demo
    with zslite.Client(url, account="admin", password="password", polling_interval=0.05) as zs:
        names = [i.name for i in zs.vm_instances.image_candidates(SEED_VM)]
        assert "TinyLinux" in names
        tiny = next(i for i in zs.vm_instances.image_candidates(SEED_VM) if i.name == "TinyLinux")
        vm = zs.vm_instances.change_image(SEED_VM, tiny.uuid)
        assert vm.imageUuid == tiny.uuid and vm.state == "Stopped"

        from zslite.sdk import CreateZoneAction, configure
        configure(hostname="127.0.0.1", port=port, polling_interval=0.05)
        try:
            got, done = [], threading.Event()
            CreateZoneAction(name="cb", sessionId=zs.session_id).call(lambda r: (got.append(r), done.set()))
            assert done.wait(30) and got[0].value.inventory.name == "cb"
        finally:
            configure()


def test_cli_over_the_network(demo, tmp_path, monkeypatch):
    from typer.testing import CliRunner
    from zslite.cli.main import app

    url, port = demo
    monkeypatch.setenv("ZSLITE_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.delenv("ZSLITE_URL", raising=False)
    run = CliRunner()
    assert run.invoke(app, ["login", "--url", url, "--password", "password"]).exit_code == 0
    table = run.invoke(app, ["candidates", SEED_VM])
    assert table.exit_code == 0 and "TinyLinux" in table.stdout
    with zslite.Client(url, account="admin", password="password") as zs:
        tiny = next(i for i in zs.vm_instances.image_candidates(SEED_VM) if i.name == "TinyLinux")
    changed = run.invoke(app, ["change-image", SEED_VM, tiny.uuid])
    assert changed.exit_code == 0 and f"now runs on image {tiny.uuid}" in changed.stdout
    assert run.invoke(app, ["logout"]).exit_code == 0
