"""Configuration and startup failures through the real CLI (`python -m zslite …` in a subprocess): each ends
in exactly one line naming the setting, a non-zero exit code and no traceback; ZSLITE_LOG_LEVEL=DEBUG adds
the trace after the line. Also --version, db create, demo --reset, and the address `serve` listens on."""

from __future__ import annotations

import ctypes
import errno
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text

from tests.conftest import MY_ADMIN, PG_ADMIN, in_turn
from zslite import __version__, demo
from zslite.cli import startup
from zslite.config import ConfigError
from zslite.db.engine import normalize_url
from zslite.context import ADMIN_ACCOUNT_UUID
from zslite.db import models as m
from zslite.testing import TEST_ENV, free_port

SERVER_COMMANDS = [("serve",), ("demo",), ("db", "upgrade")]
SECRET = "s3cret-in-the-url"


def zslite(*args: str, cwd: Path, env: dict | None = None, preexec=None, timeout: float = 90):
    full_env = {**os.environ, **TEST_ENV, "ZSLITE_SECRET_KEY_FILE": str(cwd / "zslite.key"), **(env or {})}
    full_env.pop("ZSLITE_NODE_NAME", None)
    if args[:1] == ("serve",) and "--port" not in args:  # never the default 8080: tests run in parallel
        args = (*args, "--port", str(free_port()))
    return subprocess.run([sys.executable, "-m", "zslite", *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=preexec)


def without_bind_privilege() -> None:
    """In the child, before exec: drop CAP_NET_BIND_SERVICE from the bounding set, so that even root cannot
    listen on a port below ip_unprivileged_port_start (prctl PR_CAPBSET_DROP)."""
    if os.geteuid() != 0:
        return  # an ordinary user has no such privilege to drop
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(24, 10, 0, 0, 0) != 0:  # PR_CAPBSET_DROP, CAP_NET_BIND_SERVICE
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def one_line(result, *names: str) -> str:
    """The single line a failure prints (stdout and stderr together), naming every one of `names`."""
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if line.strip()]
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    assert len(lines) == 1, output
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


def refused_port() -> int:
    return free_port()  # nobody listens there


# ---- settings ---------------------------------------------------------------------------------------

def each_with_a_command(cases: list[tuple]) -> list[tuple]:
    """Each case with one of the commands that open the database, in turn: every case and every command
    is run (the settings are read by one function for all three; a process per pair would triple it)."""
    return in_turn(SERVER_COMMANDS, cases)


@pytest.mark.parametrize("command, variable, value, words", each_with_a_command([
    ("ZSLITE_DB_URL", "nonsense", "cannot parse [nonsense]"),
    ("ZSLITE_DB_URL", "foo://host/db", "unknown database kind [foo]"),
    ("ZSLITE_DB_URL", "postgresql://127.0.0.1", "names no database"),
    ("ZSLITE_SESSION_TIMEOUT", "abc", "valid integer"),
    ("ZSLITE_TIMEZONE", "Mars/Base", "unknown time zone [Mars/Base]"),
    ("ZSLITE_LOG_LEVEL", "LOUD", "unknown log level [LOUD]"),
    ("ZSLITE_JOB_WORKERS", "0", "greater than or equal to 1"),
    ("ZSLITE_MIGRATE_ON_START", "maybe", "valid boolean"),
    ("ZSLITE_DB_URL", "nonsense", "cannot parse [nonsense]"),
    ("ZSLITE_PASSWORD_HASH_N", "1000", "not a power of 2"),
    ("ZSLITE_WEBHOOK_TIMEOUT", "-1", "greater than 0"),
    ("ZSLITE_FAULT_INJECTION", "garbage", "[garbage] is not <point>=<action>"),
]), ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_an_invalid_setting_is_one_line(tmp_path, command, variable, value, words):
    result = zslite(*command, cwd=tmp_path, env={"ZSLITE_DB_URL": f"sqlite:///{tmp_path}/z.db", variable: value})
    line = one_line(result, variable, words)
    assert result.returncode == 2, line
    assert not (tmp_path / "z.db").exists()  # nothing was opened


# every kind of invalid setting, one at a time, while every secret setting holds a secret
INVALID = [("ZSLITE_SESSION_TIMEOUT", "abc"), ("ZSLITE_SESSION_TIMEOUT", "0"), ("ZSLITE_TIMEZONE", "Mars/Base"),
           ("ZSLITE_LOG_LEVEL", "LOUD"), ("ZSLITE_PASSWORD_HASH_N", "1000"), ("ZSLITE_FAULT_INJECTION", "x"),
           ("ZSLITE_CHECK_TIME_ZONE", "perhaps"), ("ZSLITE_NODE_NAME", "n" * 300),
           ("ZSLITE_NODE_TIMEOUT", "1"),  # an error about two settings (it must be at least twice the heartbeat)
           ("ZSLITE_HEARTBEAT_INTERVAL", "30")]  # the same, from the other setting


@pytest.mark.parametrize("variable, value", INVALID, ids=lambda v: str(v)[:24])
def test_no_settings_error_shows_a_secret(monkeypatch, variable, value):
    secrets_given = {"ZSLITE_DB_URL": f"postgresql://zs:{SECRET}-db@127.0.0.1/zslite",
                     "ZSLITE_ADMIN_PASSWORD": f"{SECRET}-admin", "ZSLITE_SECRET_KEY": f"{SECRET}-key"}
    for name, secret in secrets_given.items():
        monkeypatch.setenv(name, secret)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        startup.settings()
    message = str(caught.value)
    assert variable in message and "\n" not in message, message
    assert SECRET not in message, message


@pytest.mark.parametrize("key_file, words", [("/proc/no-such-dir/zslite.key", "cannot read or create"),
                                             ("empty", "is empty")])
def test_an_unusable_secret_key_file_is_one_line(tmp_path, key_file, words):
    if key_file == "empty":
        key_file = str(tmp_path / "empty.key")
        open(key_file, "w").close()
    result = zslite("serve", cwd=tmp_path, env={"ZSLITE_DB_URL": f"sqlite:///{tmp_path}/z.db",
                                               "ZSLITE_SECRET_KEY": "", "ZSLITE_SECRET_KEY_FILE": key_file})
    line = one_line(result, "ZSLITE_SECRET_KEY_FILE", words)
    assert result.returncode == 4, line


def test_a_missing_metrics_directory_is_one_line(tmp_path):
    result = zslite("serve", cwd=tmp_path, env={"ZSLITE_DB_URL": f"sqlite:///{tmp_path}/z.db",
                                               "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "absent")})
    one_line(result, "PROMETHEUS_MULTIPROC_DIR", "is not a directory")
    assert result.returncode == 2


def test_several_invalid_settings_share_the_line(tmp_path):
    result = zslite("serve", cwd=tmp_path, env={"ZSLITE_SESSION_TIMEOUT": "abc", "ZSLITE_TIMEZONE": "Mars/Base"})
    one_line(result, "ZSLITE_SESSION_TIMEOUT", "ZSLITE_TIMEZONE")


@pytest.mark.parametrize("command, kind", each_with_a_command([("postgresql",), ("mysql",), ("postgresql",), ("mysql",)]),
                         ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_a_refused_database_connection_is_one_line(tmp_path, command, kind):
    port = refused_port()
    url = f"{kind}://user:{SECRET}@127.0.0.1:{port}/zslite"
    result = zslite(*command, cwd=tmp_path, env={"ZSLITE_DB_URL": url})
    line = one_line(result, "ZSLITE_DB_URL", f"127.0.0.1:{port}", "connection refused")
    assert SECRET not in result.stdout + result.stderr
    assert result.returncode == 4, line


def test_a_missing_database_is_one_line(tmp_path, backend):
    """Two of the three commands per database, in turn, so that each command meets two kinds of database."""
    first = {"sqlite": 0, "postgresql": 1, "mariadb": 2}[backend]
    for command in (SERVER_COMMANDS[first], SERVER_COMMANDS[(first + 1) % 3]):
        missing_database_is_one_line(tmp_path, command, backend)


def missing_database_is_one_line(tmp_path, command, backend):
    name = f"zslite_missing_{secrets.token_hex(4)}"
    if backend == "sqlite":
        url, words = f"sqlite:///{tmp_path}/no/such/dir/{name}.db", ("directory does not exist",)
    else:
        admin = PG_ADMIN if backend == "postgresql" else MY_ADMIN
        scheme = "postgresql" if backend == "postgresql" else "mysql"
        rest = admin.split("://", 1)[1].rsplit("/", 1)[0]
        user, host = rest.split("@", 1)
        # PostgreSQL trusts the test user whatever the password: a password in the URL must not be shown
        password = f":{SECRET}" if backend == "postgresql" else ""
        url = f"{scheme}://{user}{password}@{host}/{name}"
        words = (f"database [{name}] does not exist", "zslite db create")
    result = zslite(*command, cwd=tmp_path, env={"ZSLITE_DB_URL": url})
    line = one_line(result, "ZSLITE_DB_URL", *words)
    assert SECRET not in result.stdout + result.stderr
    assert result.returncode == 4, line


def test_debug_log_level_adds_the_trace_after_the_line(tmp_path):
    result = zslite("db", "upgrade", cwd=tmp_path, env={"ZSLITE_DB_URL": f"postgresql://u@127.0.0.1:{refused_port()}/x",
                                                        "ZSLITE_LOG_LEVEL": "DEBUG"})
    lines = result.stderr.splitlines()
    assert result.returncode == 4
    assert lines[0].startswith("error: ZSLITE_DB_URL: cannot connect") and "Traceback" in result.stderr


# ---- serve: where it listens ------------------------------------------------------------------------

@pytest.mark.parametrize("args, option, words", [
    (("--port", "99999"), "'--port'", "less than or equal to 65535"),
    (("--port", "-1"), "'--port'", "greater than or equal to 1"),
    (("--port", "abc"), "'--port'", "valid integer"),
    (("--port", "0"), "'--port'", "greater than or equal to 1"),
    (("--host", "999.1.1.1"), "--host", "not an address or a known host name"),
    (("--host", "192.0.2.1"), "--host", "not an address of this machine"),  # TEST-NET-1: bound, never contacted
])
def test_serve_refuses_a_bad_port_or_host_in_one_line(tmp_path, args, option, words):
    result = zslite("serve", *args, cwd=tmp_path, env={"ZSLITE_DB_URL": f"sqlite:///{tmp_path}/z.db"})
    one_line(result, option, words)
    assert not (tmp_path / "z.db").exists()  # checked before the database is opened


def test_serve_on_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = zslite("serve", "--host", "127.0.0.1", "--port", str(port), cwd=tmp_path,
                        env={"ZSLITE_DB_URL": f"sqlite:///{tmp_path}/z.db"})
    line = one_line(result, "--port", f"port {port} on 127.0.0.1 is already in use")
    assert result.returncode == 4, line


def test_serve_without_permission_for_the_port_is_one_line(tmp_path):
    assert "no permission to listen on port 80" in startup._bind_problem(
        OSError(errno.EACCES, "Permission denied"), "127.0.0.1", 80)[1]
    unprivileged_from = int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    if unprivileged_from <= 1:
        return  # this machine has no privileged port: the sentence above is all there is to check
    port = unprivileged_from - 1
    result = zslite("serve", "--host", "127.0.0.1", "--port", str(port), cwd=tmp_path,
                    preexec=without_bind_privilege, env={"ZSLITE_DB_URL": f"sqlite:///{tmp_path}/z.db"})
    line = one_line(result, "--port", f"no permission to listen on port {port}")
    assert result.returncode == 4, line


def _listening_address(port: int) -> str | None:
    """The IPv4 address a LISTEN socket on `port` is bound to (from /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        address, hexport = fields[1].split(":")
        if int(hexport, 16) == port and fields[3] == "0A":
            return socket.inet_ntoa(bytes.fromhex(address)[::-1])
    return None


@pytest.mark.parametrize("password, expected", [(None, "127.0.0.1"), ("not-the-default", "0.0.0.0")])
def test_serve_listens_on_loopback_while_the_admin_password_is_the_default(tmp_path, password, expected):
    port = free_port()
    env = {"ZSLITE_DB_URL": f"sqlite:///{tmp_path}/z.db", "ZSLITE_LOG_LEVEL": "INFO"}
    full_env = {**os.environ, **TEST_ENV, **env}
    full_env.pop("ZSLITE_NODE_NAME", None)
    if password is None:
        full_env.pop("ZSLITE_ADMIN_PASSWORD", None)
    else:
        full_env["ZSLITE_ADMIN_PASSWORD"] = password
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "zslite", "serve", "--port", str(port)], cwd=tmp_path,
                                env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        assert _listening_address(port) == expected
        banner = log.read_text()
        host = "127.0.0.1" if password is None else "localhost"
        assert re.search(rf"console: +http://{host}:{port}/\n", banner), banner
        assert f"http://{host}:{port}/zstack/v1" in banner and f"http://{host}:{port}/docs" in banner
        if password is None:
            assert "loopback only while the admin password is the default" in banner
            assert "ZSLITE_ADMIN_PASSWORD" in banner
        else:
            assert "all interfaces" in banner and "default" not in banner
    finally:
        proc.terminate()
        assert proc.wait(30) == 0


# ---- --version, db create, demo --reset ---------------------------------------------------------------

def test_version(tmp_path):
    result = zslite("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"zslite {__version__}"


def test_db_create_makes_the_database_once(tmp_path, backend):
    if backend == "sqlite":
        result = zslite("db", "create", cwd=tmp_path, env={"ZSLITE_DB_URL": f"sqlite:///{tmp_path}/new.db"})
        assert result.returncode == 0 and "nothing to do" in result.stdout
        return
    admin_url = PG_ADMIN if backend == "postgresql" else MY_ADMIN
    name = f"zslite_created_{secrets.token_hex(4)}"
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        first = zslite("db", "create", cwd=tmp_path, env={"ZSLITE_DB_URL": url})
        assert first.returncode == 0 and first.stdout.startswith("created"), first.stdout + first.stderr
        second = zslite("db", "create", cwd=tmp_path, env={"ZSLITE_DB_URL": url})
        assert second.returncode == 0 and "nothing to do" in second.stdout
        upgraded = zslite("db", "upgrade", cwd=tmp_path, env={"ZSLITE_DB_URL": url})
        assert upgraded.returncode == 0, upgraded.stderr
        if backend == "mariadb":
            with admin.connect() as c:
                collation = c.scalar(text("SELECT default_collation_name FROM information_schema.schemata "
                                          "WHERE schema_name = :n"), {"n": name})
            assert collation == "utf8mb4_bin"
    finally:
        with admin.connect() as c:
            if backend == "postgresql":
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                c.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


def test_demo_reset_replaces_everything_with_a_fresh_demo(tmp_path, db_url, database, api):
    env = {"ZSLITE_DB_URL": db_url}
    assert zslite("demo", cwd=tmp_path, env=env).returncode == 0
    api.ok("CreateZone", name="my-own-zone")  # data of the user's own, and changes to the demo's
    api.ok("StartVmInstance", uuid=demo.SEED_VM)
    api.ok("CreateAccount", name="alice", password=api.hash("alice-pw"))

    result = zslite("demo", "--reset", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "deleted" in result.stderr and "15 demo resource(s) created" in result.stderr
    with database.read() as s:
        assert s.get(m.VmInstance, demo.SEED_VM).state == "Stopped"
        assert sorted(s.scalars(select(m.Zone.name))) == ["demo-other-zone", "demo-zone"]
        assert list(s.scalars(select(m.Account.uuid))) == [ADMIN_ACCOUNT_UUID]  # admin only, and back
        assert list(s.scalars(select(m.Session.uuid))) == [re.search(r"OAuth ([0-9a-f]{32})",
                                                                     result.stderr).group(1)]


def test_demo_reset_refuses_a_database_that_is_not_a_demo(tmp_path, db_url, database, api):
    api.ok("CreateZone", name="production-zone")
    result = zslite("demo", "--reset", cwd=tmp_path, env={"ZSLITE_DB_URL": db_url})
    line = one_line(result, "--reset", "no demo cloud")
    assert result.returncode == 2, line
    assert [z["name"] for z in api.query("QueryZone")] == ["production-zone"]


def test_a_port_another_server_is_starting_on_is_in_use():
    """Two servers starting at once on one port: the second is refused at once (the first listens as soon as
    it has bound, before its migrations), never two processes sharing a port."""
    port = free_port()
    first = startup.bind("127.0.0.1", port)
    try:
        with pytest.raises(ConfigError) as err:
            startup.bind("127.0.0.1", port)
        assert err.value.setting == "--port" and "already in use" in str(err.value)
    finally:
        first.close()
