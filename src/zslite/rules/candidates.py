"""GetImageCandidatesForVmToChange (SPEC §4): which images may a VM's root volume switch to.

Each rule has a reason code and two forms:
- `sql(scope, Image)`: a filter, so the candidate list costs what the answer costs;
- `check(scope, image)`: a test on one loaded row, for explanations.

Rule 6 (the caller may use the image) is the visibility filter: images the caller may not see are
neither candidates nor ever mentioned. Rule 7 (a usable backup-storage ref) explains itself per
backup storage.

A call costs a fixed number of queries whatever the catalog size: the VM scope (1), the candidate
images (1), and the total (1, with replyWithCount); the service adds their refs (1). Explain adds
three.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true

from zslite.db.models import (BackupStorage, BackupStorageZoneRef, Cluster, Image, ImageBackupStorageRef,
                              PrimaryStorage, VmInstance, Volume)
from zslite.errors import not_found
from zslite.policy.visibility import owned_filter
from zslite.rules.compat import CEPH, PS_ACCEPTS, feed_problems
from zslite.services.context import Caller

ROOT_TEMPLATE = "RootVolumeTemplate"


@dataclass(frozen=True)
class VmScope:
    """What the rules need to know of the VM: V, its root volume R, R's primary storage P, C and Z."""

    vm: VmInstance
    root: Volume | None
    ps: PrimaryStorage | None
    cluster: Cluster | None

    @property
    def zone_uuid(self) -> str | None:
        return self.vm.zone_uuid

    @property
    def architecture(self) -> str | None:
        return self.cluster.architecture if self.cluster is not None else None

    @property
    def ps_type(self) -> str | None:
        return self.ps.type if self.ps is not None else None

    @property
    def ps_fsid(self) -> str | None:
        return self.ps.fsid if self.ps is not None else None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    sql: Callable[[VmScope, type], ColumnElement[bool]]
    check: Callable[[VmScope, Image], bool]
    message: Callable[[VmScope, Image], str]


IMAGE_RULES: tuple[Rule, ...] = (
    Rule("MEDIA_TYPE", "1. mediaType is RootVolumeTemplate",
         lambda sc, I: I.media_type == ROOT_TEMPLATE,
         lambda sc, i: i.media_type == ROOT_TEMPLATE,
         lambda sc, i: f"image mediaType is {i.media_type}, not {ROOT_TEMPLATE}"),
    Rule("DISABLED", "2. state is Enabled",
         lambda sc, I: I.state == "Enabled",
         lambda sc, i: i.state == "Enabled",
         lambda sc, i: f"image state is {i.state}, not Enabled"),
    Rule("NOT_READY", "3. status is Ready",
         lambda sc, I: I.status == "Ready",
         lambda sc, i: i.status == "Ready",
         lambda sc, i: f"image status is {i.status}, not Ready"),
    Rule("SYSTEM", "4. not a system image",
         lambda sc, I: I.system == false(),
         lambda sc, i: not i.system,
         lambda sc, i: "image is a system image"),
    Rule("ARCHITECTURE", "5. architecture is the cluster's",
         lambda sc, I: I.architecture == sc.architecture if sc.architecture is not None else false(),
         lambda sc, i: sc.architecture is not None and i.architecture == sc.architecture,
         lambda sc, i: f"image architecture is {i.architecture}, the VM's cluster is {sc.architecture}"),
)

STORAGE_CODE = "NO_USABLE_BACKUP_STORAGE"


# ---- rule 7: a usable backup-storage ref ---------------------------------------------------------

def usable_storage_sql(scope: VmScope, ref=ImageBackupStorageRef, bs=BackupStorage) -> ColumnElement[bool]:
    """7a-7c on a ref joined to its backup storage (7a is a join on the zone attachment, see below)."""
    accepted = PS_ACCEPTS.get(scope.ps_type or "", frozenset())
    type_ok = []
    plain = sorted(t for t in accepted if t != CEPH)
    if plain:
        type_ok.append(bs.type.in_(plain))
    if CEPH in accepted and scope.ps_fsid is not None:
        type_ok.append(and_(bs.type == CEPH, bs.fsid == scope.ps_fsid))
    return and_(or_(*type_ok) if type_ok else false(), bs.state == "Enabled", bs.status == "Connected",
                ref.status == "Ready")


def usable_image_uuids(scope: VmScope):
    """Subquery: uuids of images with at least one usable ref (rule 7), driven from the storage side."""
    ref, bs, zref = ImageBackupStorageRef, BackupStorage, BackupStorageZoneRef
    return (select(ref.image_uuid)
            .join(bs, bs.uuid == ref.backup_storage_uuid)
            .join(zref, and_(zref.backup_storage_uuid == bs.uuid, zref.zone_uuid == scope.zone_uuid))
            .where(usable_storage_sql(scope, ref, bs)))


def ref_problems(scope: VmScope, ref: ImageBackupStorageRef, bs: BackupStorage, zone_attached: bool) -> list[str]:
    """Every reason this ref cannot serve the VM's primary storage ([] = usable)."""
    codes = []
    if not zone_attached:
        codes.append("BS_NOT_IN_ZONE")
    codes += feed_problems(bs.type, bs.fsid, scope.ps_type or "", scope.ps_fsid)
    if bs.state != "Enabled":
        codes.append("BS_DISABLED")
    if bs.status != "Connected":
        codes.append("BS_DISCONNECTED")
    if ref.status != "Ready":
        codes.append("REF_NOT_READY")
    return codes


# ---- the scope -----------------------------------------------------------------------------------

def load_scope(db, caller: Caller, vm_uuid: str, field: str = "vmInstanceUuid", *,
               for_update: bool = False) -> VmScope:
    """One query: V (visible to the caller, else SYS.1007 not found), R, P, C. With for_update, V's row
    is locked first (a row lock on PostgreSQL and MariaDB; SQLite writers are serialized already)."""
    if for_update:
        db.execute(select(VmInstance.uuid).where(VmInstance.uuid == vm_uuid).with_for_update()).all()
    stmt = (select(VmInstance, Volume, PrimaryStorage, Cluster)
            .outerjoin(Volume, and_(Volume.uuid == VmInstance.root_volume_uuid))
            .outerjoin(PrimaryStorage, PrimaryStorage.uuid == Volume.primary_storage_uuid)
            .outerjoin(Cluster, Cluster.uuid == VmInstance.cluster_uuid)
            .where(VmInstance.uuid == vm_uuid))
    vis = owned_filter(caller, VmInstance.uuid)
    if vis is not None:
        stmt = stmt.where(vis)
    row = db.execute(stmt).first()
    if row is None:
        raise not_found(field, vm_uuid)
    return VmScope(*row)


# ---- the list ------------------------------------------------------------------------------------

def candidate_filter(scope: VmScope, caller: Caller) -> ColumnElement[bool]:
    conds = [rule.sql(scope, Image) for rule in IMAGE_RULES]
    conds.append(Image.uuid.in_(usable_image_uuids(scope)))
    vis = owned_filter(caller, Image.uuid)
    if vis is not None:
        conds.append(vis)
    return and_(*conds)


def candidates(db, caller: Caller, scope: VmScope, *, limit: int | None = None, start: int = 0,
               with_total: bool = False) -> tuple[list[Image], int | None]:
    """The page of candidate images in SPEC order, and the total when asked (one query each)."""
    if scope.root is None:
        return [], (0 if with_total else None)
    where = candidate_filter(scope, caller)
    stmt = select(Image).where(where).order_by(Image.name, Image.uuid)
    if start:
        stmt = stmt.offset(start)
    if limit is not None:
        stmt = stmt.limit(limit)
    images = list(db.scalars(stmt))
    total = db.scalar(select(func.count()).select_from(Image).where(where)) if with_total else None
    return images, total


def is_candidate(db, caller: Caller, scope: VmScope, image_uuid: str) -> bool:
    if scope.root is None:
        return False
    return db.scalar(select(Image.uuid).where(Image.uuid == image_uuid, candidate_filter(scope, caller))) is not None


# ---- explanations --------------------------------------------------------------------------------

@dataclass
class Exclusion:
    image: Image
    reasons: list[dict] = field(default_factory=list)

    def to_wire(self) -> dict:
        return {"uuid": self.image.uuid, "name": self.image.name, "reasons": self.reasons}


def reasons_for(scope: VmScope, image: Image, refs: list[tuple[ImageBackupStorageRef, BackupStorage]],
                zone_bs: set[str]) -> list[dict]:
    """Every rule the image fails (rule 7 included, whatever else fails); [] for a candidate."""
    reasons = [{"code": r.code, "message": r.message(scope, image)} for r in IMAGE_RULES if not r.check(scope, image)]
    per_bs = []
    usable = False
    for ref, bs in refs:
        codes = ref_problems(scope, ref, bs, bs.uuid in zone_bs)
        usable = usable or not codes
        per_bs.append({"uuid": bs.uuid, "name": bs.name, "codes": codes})
    if scope.root is None:
        usable = False
    if not usable:
        where = (f"primary storage[uuid:{scope.ps.uuid}] ({scope.ps.type})" if scope.ps is not None
                 else "the VM's root volume (none)")
        reasons.append({"code": STORAGE_CODE,
                        "message": f"no backup storage holding the image can serve {where} in zone"
                                   f"[uuid:{scope.zone_uuid}]",
                        "backupStorages": per_bs})
    return reasons


def explain(db, caller: Caller, scope: VmScope, only_uuid: str | None = None) -> list[dict]:
    """Every image the caller may see that is not a candidate, with every rule it fails.
    Three queries: the visible images, their refs with backup storage, the zone's backup storage."""
    vis = owned_filter(caller, Image.uuid)
    cond = vis if vis is not None else true()
    if only_uuid is not None:
        cond = and_(cond, Image.uuid == only_uuid)
    images = list(db.scalars(select(Image).where(cond).order_by(Image.name, Image.uuid)))
    if not images:
        return []
    refs: dict[str, list] = {i.uuid: [] for i in images}
    stmt = (select(ImageBackupStorageRef, BackupStorage)
            .join(BackupStorage, BackupStorage.uuid == ImageBackupStorageRef.backup_storage_uuid)
            .join(Image, Image.uuid == ImageBackupStorageRef.image_uuid)
            .where(cond).order_by(ImageBackupStorageRef.image_uuid, ImageBackupStorageRef.id))
    for ref, bs in db.execute(stmt):
        refs[ref.image_uuid].append((ref, bs))
    zone_bs = set(db.scalars(select(BackupStorageZoneRef.backup_storage_uuid)
                             .where(BackupStorageZoneRef.zone_uuid == scope.zone_uuid)))
    out = []
    for image in images:
        reasons = reasons_for(scope, image, refs[image.uuid], zone_bs)
        if reasons:
            out.append(Exclusion(image, reasons).to_wire())
    return out
