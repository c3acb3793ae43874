"""A reference model of SPEC §4, written from the text of the SPEC alone: plain Python over plain
data, sharing no code with zslite.rules (so a bug in one is not a bug in both)."""

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
