"""A reference model of SPEC §4 (the candidate rules), §5 (ChangeVmImage's checks) and §11 (a fleet
plan's dry-run verdicts), written from the text of the SPEC alone: plain Python over plain data, sharing
no code with zslite.rules or zslite.services (so a bug in one is not a bug in both)."""

from __future__ import annotations

from dataclasses import dataclass, field

ADMIN = "admin"


@dataclass
class BS:
    uuid: str
    name: str
    type: str           # ImageStoreBackupStorage | SftpBackupStorage | Ceph
    state: str
    status: str
    fsid: str | None
    zones: set[str]


@dataclass
class Img:
    uuid: str
    name: str
    media_type: str
    state: str
    status: str
    system: bool
    arch: str
    owner: str
    shared_with: set[str] = field(default_factory=set)
    public: bool = False
    refs: list[tuple[str, str]] = field(default_factory=list)   # (bs uuid, ref status)


@dataclass
class VM:
    uuid: str
    zone: str
    cluster_arch: str
    ps_type: str | None   # None: no root volume
    ps_fsid: str | None
    owner: str
    name: str = ""
    state: str = "Stopped"
    type: str = "UserVm"
    ps_state: str = "Enabled"
    ps_status: str = "Connected"
    host_ok: bool = True          # its (last) host is Enabled and Connected
    other_host_ok: bool = False   # another host of its cluster is


def sees(account: str, image: Img) -> bool:
    return account == ADMIN or image.owner == account or account in image.shared_with or image.public


def can_feed(bs: BS, vm: VM) -> list[str]:
    if vm.ps_type in ("LocalStorage", "NFS", "SharedMountPoint"):
        return [] if bs.type in ("ImageStoreBackupStorage", "SftpBackupStorage") else ["BS_TYPE_INCOMPATIBLE"]
    if vm.ps_type == "Ceph":
        if bs.type == "ImageStoreBackupStorage":
            return []
        if bs.type == "Ceph":
            return [] if bs.fsid is not None and bs.fsid == vm.ps_fsid else ["CEPH_FSID_MISMATCH"]
        return ["BS_TYPE_INCOMPATIBLE"]
    return ["BS_TYPE_INCOMPATIBLE"]


def reasons(vm: VM, image: Img, storages: dict[str, BS]) -> dict[str, object]:
    """{code: None} for image rules, {"NO_USABLE_BACKUP_STORAGE": {bs uuid: sorted codes}}."""
    out: dict[str, object] = {}
    if image.media_type != "RootVolumeTemplate":
        out["MEDIA_TYPE"] = None
    if image.state != "Enabled":
        out["DISABLED"] = None
    if image.status != "Ready":
        out["NOT_READY"] = None
    if image.system:
        out["SYSTEM"] = None
    if image.arch != vm.cluster_arch:
        out["ARCHITECTURE"] = None
    per_bs: dict[str, list[str]] = {}
    for bs_uuid, ref_status in image.refs:
        bs = storages[bs_uuid]
        codes = []
        if vm.zone not in bs.zones:
            codes.append("BS_NOT_IN_ZONE")
        codes += can_feed(bs, vm)
        if bs.state != "Enabled":
            codes.append("BS_DISABLED")
        if bs.status != "Connected":
            codes.append("BS_DISCONNECTED")
        if ref_status != "Ready":
            codes.append("REF_NOT_READY")
        per_bs[bs_uuid] = sorted(codes)
    if vm.ps_type is None or not any(not c for c in per_bs.values()):
        out["NO_USABLE_BACKUP_STORAGE"] = per_bs
    return out


def answer(vm: VM, account: str, images: list[Img], storages: dict[str, BS]):
    """(candidate uuids in SPEC order, {excluded uuid: reasons}) for this VM and account."""
    visible = [i for i in images if sees(account, i)]
    cands, excluded = [], {}
    for image in visible:
        r = reasons(vm, image, storages)
        if r:
            excluded[image.uuid] = r
        else:
            cands.append(image)
    cands.sort(key=lambda i: (i.name, i.uuid))
    return [i.uuid for i in cands], excluded


# SPEC §5's checks, in its order, capacity aside (a plan checks capacity only when a VM changes)
CHECKS = ("NOT_OWNER", "NOT_USER_VM", "NOT_STOPPED", "NO_ROOT_VOLUME", "PS_NOT_READY", "LAST_HOST", "NO_HOST",
          "NOT_CANDIDATE")


def change_refusal(vm: VM, account: str, image: Img, storages: dict[str, BS], stop_running: bool) -> str | None:
    """The first of SPEC §5's checks that ChangeVmImage(vm, image) by account fails now, or None. A plan with
    stopRunningVms lets a Running VM through the "not Stopped" check (SPEC §11)."""
    if account != ADMIN and vm.owner != account:
        return "NOT_OWNER"
    if vm.type != "UserVm":
        return "NOT_USER_VM"
    if vm.state != "Stopped" and not (stop_running and vm.state == "Running"):
        return "NOT_STOPPED"
    if vm.ps_type is None:
        return "NO_ROOT_VOLUME"
    if vm.ps_state != "Enabled" or vm.ps_status != "Connected":
        return "PS_NOT_READY"
    if vm.ps_type == "LocalStorage":
        if not vm.host_ok:
            return "LAST_HOST"
    elif not (vm.host_ok or vm.other_host_ok):
        return "NO_HOST"
    if reasons(vm, image, storages):
        return "NOT_CANDIDATE"
    return None


def dry_run(vms: list[VM], account: str, image: Img, storages: dict[str, BS], stop_running: bool) -> list[tuple]:
    """SPEC §11: the VMs the account sees, by name then uuid, each (uuid, WillChange | Refused, the failed
    check or None, explain's reasons for the image or {})."""
    seen = sorted((v for v in vms if account == ADMIN or v.owner == account), key=lambda v: (v.name, v.uuid))
    out = []
    for vm in seen:
        refusal = change_refusal(vm, account, image, storages, stop_running)
        out.append((vm.uuid, "Refused" if refusal else "WillChange", refusal, reasons(vm, image, storages)))
    return out
