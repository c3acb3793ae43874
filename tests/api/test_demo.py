"""The demo cloud: idempotent, the seed's scene, a curl line that works as printed."""

from __future__ import annotations

import re

from tests.api.imgvm_scene import counts
from zslite import demo
from zslite.db import models as m


def test_demo_is_idempotent(http, database):
    rt = _runtime(http)
    first = demo.load(rt)
    assert len(first["created"]) == 15
    after_first = counts(database)
    second = demo.load(rt)
    assert second["created"] == []
    after_second = counts(database)
    # only the printed session is new
    assert after_second.pop("sessions") == after_first.pop("sessions") + 1
    after_second.pop("jobs")
    after_first.pop("jobs")
    assert after_second == after_first


def _runtime(http):
    return http.app.state.zs


def test_demo_scene_content(api, http, database):
    rt = _runtime(http)
    scene = demo.load(rt)
    [tiny] = api.query("QueryImage", f"uuid={demo.TINYLINUX}")
    assert (tiny["name"], tiny["url"], tiny["mediaType"], tiny["platform"], tiny["format"]) == \
        ("TinyLinux", "http://192.168.1.20/share/images/tinylinux.qcow2", "RootVolumeTemplate", "Linux", "qcow2")
    [ref] = tiny["backupStorageRefs"]
    assert (ref["backupStorageUuid"], ref["installPath"], ref["status"]) == \
        ("a03a78dbdab23444bb109d67a5059389", "ceph://zs-images/f0b149e053b34c7eb7fe694b182ebffd", "Ready")
    [ps] = api.query("QueryPrimaryStorage", f"uuid={demo.CEPH_PS}")
    [bs] = api.query("QueryBackupStorage", f"uuid={demo.CEPH_BS}")
    assert ps["type"] == bs["type"] == "Ceph" and ps["fsid"] == bs["fsid"]
    assert demo.CLUSTER in ps["attachedClusterUuids"] and demo.ZONE in bs["attachedZoneUuids"]
    [cluster] = api.query("QueryCluster", f"uuid={demo.CLUSTER}")
    assert (cluster["architecture"], cluster["hypervisorType"]) == ("x86_64", "KVM")
    images = {i["uuid"]: i for i in api.query("QueryImage")}
    assert images[demo.ISO]["mediaType"] == "ISO"
    assert images[demo.DISABLED]["state"] == "Disabled"
    assert images[demo.AARCH64]["architecture"] == "aarch64"
    [other] = images[demo.OTHER_ZONE_IMAGE]["backupStorageRefs"]
    [other_bs] = api.query("QueryBackupStorage", f"uuid={other['backupStorageUuid']}")
    assert demo.ZONE not in other_bs["attachedZoneUuids"] and other_bs["attachedZoneUuids"]
    vms = {v["uuid"]: v for v in api.query("QueryVmInstance")}
    assert set(vms) == {demo.SEED_VM, demo.RUNNING_VM}
    seed = vms[demo.SEED_VM]
    assert seed["state"] == "Stopped" and seed["imageUuid"] == demo.TINYLINUX
    assert seed["allVolumes"][0]["primaryStorageUuid"] == demo.CEPH_PS
    assert seed["rootVolumeUuid"] == scene["rootVolume"]
    assert vms[demo.RUNNING_VM]["state"] == "Running"
    with database.read() as s:
        host = s.get(m.Host, demo.HOST)
        assert host.available_cpu_capacity == host.total_cpu_capacity - 1  # the running VM only


def test_printed_curl_works_as_pasted(http, database, capsys):
    from tests.support import ApiClient
    demo.load_and_print(_runtime(http), 8080)
    out = capsys.readouterr().err
    line = next(ln for ln in out.splitlines() if "image-candidates" in ln)
    session = re.search(r"Authorization: OAuth ([0-9a-f]{32})", line).group(1)
    url = re.search(r"-X GET (http://localhost:8080(/zstack/v1/\S+))", line)
    assert url.group(2) == f"/zstack/v1/vm-instances/{demo.SEED_VM}/image-candidates"
    client = ApiClient(http)
    client.session = session
    r = client.request("GET", url.group(2))
    assert r.status_code == 200, r.text
    names = [i["name"] for i in r.json()["inventories"]]
    assert "TinyLinux" in names
    assert not {"CentOS-7-installer", "OldLinux-disabled", "TinyLinux-aarch64", "TinyLinux-other-zone"} & set(names)
    login = re.search(r"-d '(\{.*\})'", out).group(1)
    r = http.put("/zstack/v1/accounts/login", content=login)
    assert r.status_code == 200
