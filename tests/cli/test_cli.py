"""The `zslite` CLI through typer's CliRunner, against the real app and database."""

from __future__ import annotations

import json
import stat

import pytest
import yaml

from zslite.apispec import all_apis
from zslite.cli import session as cli_session
from zslite.cli.main import app as cli_app
from tests.sdk import scene
from zslite.testing import free_port

# The CLI is a client of the HTTP API: what it prints does not depend on the server's database (the
# APIs behind it run on every database in tests/api; name lookups, which do, in test_names.py).
pytestmark = pytest.mark.one_backend


def test_every_registry_api_has_a_cli_command(cli):
    import typer.main
    group = typer.main.get_command(cli_app)
    api_group = group.commands["api"]
    commands = set(api_group.commands)
    missing = [s.name for s in all_apis() if s.name not in commands]
    assert not missing, f"APIs without a CLI command: {missing}"
    for builtin in ("serve", "demo", "db", "login", "logout", "candidates", "change-image"):
        assert builtin in group.commands
    result = cli("api", "GetTaskProgress", "--help")
    assert result.exit_code == 0 and "apiId" in result.output


def test_login_saves_a_0600_session_and_logout_removes_it(app_cli, config_dir, http):
    path = config_dir / "session.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved["url"] == "http://testserver" and len(saved["session"]) == 32
    result = app_cli("logout")
    assert result.exit_code == 0 and not path.exists()
    valid = http.get(f"/zstack/v1/accounts/sessions/{saved['session']}/valid").json()
    assert valid.get("valid") in (False, None)
    result = app_cli("api", "QueryZone", "--url", "http://testserver")
    assert result.exit_code == 2 and "zslite login" in result.output


def test_wrong_password_is_an_api_error(cli, http, monkeypatch, config_dir):
    monkeypatch.setattr(cli_session, "http_client_factory", lambda: http)
    result = cli("login", "--url", "http://testserver", "--password", "nope")
    assert result.exit_code == 3 and "ID.1000" in result.output
    assert not (config_dir / "session.json").exists()


def test_api_commands_table_json_yaml(app_cli):
    created = app_cli.json("api", "CreateZone", "name=zone1", "description=first", "systemTags=a::b,c::d")
    zone = created["inventory"]
    assert zone["name"] == "zone1"
    app_cli.json("api", "CreateZone", "name=zone2")
    table = app_cli("api", "QueryZone", "name=zone1")
    assert table.exit_code == 0 and zone["uuid"] in table.stdout and "zone2" not in table.stdout
    found = app_cli.json("api", "QueryZone", "name~=zone%", "sortBy=name", "sortDirection=desc", "limit=5")
    assert [z["name"] for z in found["inventories"]] == ["zone2", "zone1"] and "schema" not in found
    assert app_cli.json("api", "QueryZone", "__systemTag__=c::d")["inventories"][0]["uuid"] == zone["uuid"]
    as_yaml = app_cli("api", "QueryZone", "name=zone1", "-o", "yaml")
    assert yaml.safe_load(as_yaml.stdout)["inventories"][0]["uuid"] == zone["uuid"]
    single = app_cli("api", "ChangeZoneState", f"uuid={zone['uuid']}", "stateEvent=disable")
    assert single.exit_code == 0 and "Disabled" in single.stdout
    later = app_cli.json("api", "CreateZone", "name=later", "--no-wait")
    assert "/zstack/v1/api-jobs/" in later["location"]


def test_exit_codes(app_cli):
    usage = app_cli("api", "CreateZone", "nmae=x")
    assert usage.exit_code == 2 and "did you mean name" in usage.output
    assert app_cli("api", "CreateZone", "justaword").exit_code == 2
    refused = app_cli("api", "ChangeZoneState", f"uuid={'0' * 32}", "stateEvent=explode")
    assert refused.exit_code == 2 and "stateEvent" in refused.output
    failed = app_cli("api", "ChangeZoneState", f"uuid={'0' * 32}", "stateEvent=enable", "--json")
    assert failed.exit_code == 3
    assert json.loads(failed.stdout)["error"]["code"] == "SYS.1007"
    assert app_cli("api", "NoSuchApi").exit_code == 2
    down = app_cli("api", "QueryZone", "--url", f"http://127.0.0.1:{free_port()}")
    assert down.exit_code == 2  # not logged in to that URL: a usage error, nothing sent


def test_connection_error_exit_code(cli, config_dir, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}"
    cli_session.save(url, "f" * 32, "admin")
    result = cli("api", "QueryZone")
    assert result.exit_code == 4 and "cannot reach" in result.output
    assert cli("login", "--url", url, "--password", "x").exit_code == 4


def test_access_key_from_the_environment(app_cli, monkeypatch):
    key = app_cli.json("api", "CreateAccessKey")["inventory"]
    app_cli("logout")
    monkeypatch.setenv("ZSLITE_ACCESS_KEY_ID", key["AccessKeyID"])
    monkeypatch.setenv("ZSLITE_ACCESS_KEY_SECRET", key["AccessKeySecret"])
    made = app_cli.json("api", "CreateZone", "name=by-key", "--url", "http://testserver")
    assert made["inventory"]["name"] == "by-key"


def test_candidates_and_change_image(app_cli, database):
    sc = scene.build(database)
    table = app_cli("candidates", sc.vm)
    assert table.exit_code == 0, table.output
    out = table.stdout
    assert "TinyLinux" in out and sc.tiny in out and "13.0 MiB" in out and sc.bs_name in out
    assert "AnISO" not in out
    explained = app_cli("candidates", sc.vm, "--explain")
    assert "Excluded images" in explained.stdout and "MEDIA_TYPE" in explained.stdout
    assert "ARCHITECTURE" in explained.stdout and "DISABLED" in explained.stdout
    body = app_cli.json("candidates", sc.vm, "--explain")
    assert "TinyLinux" in [i["name"] for i in body["inventories"]]
    assert {e["name"] for e in body["excluded"]} >= {"AnISO", "ArmLinux", "Disabled"}

    changed = app_cli("change-image", sc.vm, sc.tiny)
    assert changed.exit_code == 0, changed.output
    assert f"now runs on image {sc.tiny}" in changed.stdout
    vm = app_cli.json("api", "QueryVmInstance", f"uuid={sc.vm}")["inventories"][0]
    assert vm["imageUuid"] == sc.tiny
    refused = app_cli("change-image", sc.vm, sc.iso, "--json")
    assert refused.exit_code == 3 and json.loads(refused.stdout)["error"]["code"] == "SYS.1007"


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_shell_completion_is_available(cli, shell, monkeypatch):
    # typer finds the user's shell among the process's parents (shellingham); under `make test` the
    # nearest is make's /bin/sh, which has no completion: play the user's shell instead
    import typer.completion

    monkeypatch.setattr(typer.completion, "_get_shell_name", lambda: shell)
    result = cli("--show-completion")
    assert result.exit_code == 0, result.output
    assert {"bash": "complete -o default -F", "zsh": "#compdef"}[shell] in result.output


def test_cli_lists_split_as_zstack_cli_does(app_cli, arrived):
    app_cli.json("api", "QueryZone", r"systemTags=bootOrder::CdRom\,HardDisk,other", "systemTags=more",
                 'userTags="quoted,one",two', "fields=uuid,name")
    data = next(d for d in arrived if d["api"] == "QueryZone")
    assert data["systemTags"] == ["bootOrder::CdRom,HardDisk", "other", "more"]
    assert data["userTags"] == ["quoted,one", "two"] and data["fields"] == ["uuid", "name"]
    zone = app_cli.json("api", "CreateZone", "name=z", r"systemTags=bootOrder::CdRom\,HardDisk,x::y")["inventory"]
    tags = app_cli.json("api", "QuerySystemTag", f"resourceUuid={zone['uuid']}", "sortBy=tag")["inventories"]
    assert [t["tag"] for t in tags] == ["bootOrder::CdRom,HardDisk", "x::y"]
