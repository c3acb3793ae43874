"""The seed, end to end: `zslite serve --demo`, then the seed's own curl (with a real session and the
demo VM's uuid) returns TinyLinux with the sample response's fields; explain names why each other
demo image is excluded; the VM's image is changed and the candidates still answer."""

from __future__ import annotations

import json
import shutil
import subprocess
import time


from zslite.testing import ServerProcess
from zslite import demo
from zslite.security import sha512_hex

CURL = shutil.which("curl")  # the seed's sample is a curl command: this test needs curl (Debian's curl)


def curl(*args: str) -> tuple[int, dict]:
    assert CURL, "curl is not installed: the seed's sample is a curl command"
    out = subprocess.run([CURL, "-s", "-w", "\n%{http_code}", *args], capture_output=True, text=True, timeout=30)
    body, _, code = out.stdout.rpartition("\n")
    return int(code), (json.loads(body) if body.strip() else {})


def test_seed_curl_against_the_demo(db_url, database, tmp_path):
    with ServerProcess(db_url, log_dir=tmp_path, demo=True) as server:
        url = server.base_url
        status, login = curl("-X", "PUT", f"{url}/zstack/v1/accounts/login", "-d", json.dumps(
            {"logInByAccount": {"accountName": "admin", "password": sha512_hex("password")}}))
        assert status == 200, login
        session = login["inventory"]["uuid"]
        # the seed's curl, word for word but for the session, the host and the VM uuid
        status, body = curl("-H", "Content-Type: application/json;charset=UTF-8",
                            "-H", f"Authorization: OAuth {session}",
                            "-X", "GET", f"{url}/zstack/v1/vm-instances/{demo.SEED_VM}/image-candidates")
        assert status == 200, body
        [tiny] = body["inventories"]
        assert tiny["uuid"] == "2354990ad5ee343eba48bb07851a1423"
        assert tiny["name"] == "TinyLinux"
        assert tiny["url"] == "http://192.168.1.20/share/images/tinylinux.qcow2"
        assert tiny["mediaType"] == "RootVolumeTemplate"
        assert tiny["platform"] == "Linux"
        assert tiny["format"] == "qcow2"
        [ref] = tiny["backupStorageRefs"]
        assert "id" in ref
        assert ref["imageUuid"] == "2354990ad5ee343eba48bb07851a1423"
        assert ref["backupStorageUuid"] == "a03a78dbdab23444bb109d67a5059389"
        assert ref["installPath"] == "ceph://zs-images/f0b149e053b34c7eb7fe694b182ebffd"
        assert ref["status"] == "Ready"
        for field in ("state", "status", "size", "actualSize", "guestOsType", "type", "system", "createDate",
                      "lastOpDate"):
            assert field in tiny, field
        assert "Jan" in tiny["createDate"] or "," in tiny["createDate"]  # ZStack's date format, not ISO

        status, body = curl("-H", f"Authorization: OAuth {session}",
                            f"{url}/zstack/v1/vm-instances/{demo.SEED_VM}/image-candidates?explain=true")
        why = {e["name"]: {r["code"]: r for r in e["reasons"]} for e in body["excluded"]}
        assert "MEDIA_TYPE" in why["CentOS-7-installer"]
        assert "DISABLED" in why["OldLinux-disabled"]
        assert "ARCHITECTURE" in why["TinyLinux-aarch64"]
        other = why["TinyLinux-other-zone"]["NO_USABLE_BACKUP_STORAGE"]["backupStorages"]
        assert other and "BS_NOT_IN_ZONE" in other[0]["codes"]

        status, accepted = curl("-H", f"Authorization: OAuth {session}", "-X", "PUT",
                                f"{url}/zstack/v1/vm-instances/{demo.SEED_VM}/actions",
                                "-d", json.dumps({"changeVmImage": {"imageUuid": tiny["uuid"]}}))
        assert status == 202 and accepted["location"].startswith("http://127.0.0.1:")
        deadline = time.monotonic() + 20
        while True:
            status, result = curl(accepted["location"])  # polling needs no session
            if status != 202 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert status == 200, result
        vm = result["inventory"]
        assert vm["uuid"] == demo.SEED_VM and vm["imageUuid"] == tiny["uuid"] and vm["state"] == "Stopped"
