"""GetImageCandidatesForVmToChange (SPEC §4): which images may a VM's root volume switch to.

Each rule has a reason code and two forms:
- `sql(scope, Image)`: a filter, so the candidate list costs what the answer costs;
- `check(scope, image)`: a test on one loaded row, for explanations.

Rule 6 (the caller may use the image) is the visibility filter: images the caller may not see are
neither candidates nor ever mentioned. Rule 7 (a usable backup-storage ref) explains itself per
backup storage.

A call costs a fixed number of queries whatever the catalog size: the VM scope with its zone's
backup storages (1), the candidate images with their refs (1), and the total (1, with
replyWithCount). Explain adds two: a page of the excluded images (the call's start and limit, at most
EXPLAIN_LIMIT without one) and their refs; and their total with replyWithCount. bench/ measures both
against catalogs of 1k to 1M images.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, String, and_, bindparam, false, func, literal, not_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from zslite.db.models import (BackupStorage, BackupStorageZoneRef, Cluster, Image, ImageBackupStorageRef,
                              PrimaryStorage, VmInstance, Volume)
from zslite.errors import not_found
from zslite.policy.visibility import owned_filter
from zslite.rules.compat import feed_problems
from zslite.context import Caller

ROOT_TEMPLATE = "RootVolumeTemplate"


@dataclass(frozen=True)
class VmScope:
    """What the rules need to know of the VM: V, its root volume R, R's primary storage P, C and Z.

    They are read-only records with the attributes of the ORM models (namedtuples, see _records), not
    ORM objects: building five instrumented objects per row was half the cost of the candidate call."""

    vm: VmInstance
    root: Volume | None
    ps: PrimaryStorage | None
    cluster: Cluster | None
    zone_storages: tuple[BackupStorage, ...] = ()  # the backup storages attached to Z (rule 7a)

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

    @property
    def usable_storage_uuids(self) -> tuple[str, ...]:
        """Rule 7a-7c on the storage side: the zone's backup storages that can serve P."""
        return tuple(sorted(bs.uuid for bs in self.zone_storages if not storage_problems(self, bs)))


class plain(FunctionElement):
    """The column as is; `+column` on SQLite, which keeps SQLite's planner from driving the candidate
    query from ix_images_candidate_rules. SQLite has no statistics (zslite never runs ANALYZE), so it
    takes that index (rules 1-5: true of most of a real catalog) for a selective one and reads most
    of the catalog: 130 ms at 100k images, growing with it. Without it, SQLite drives the query from
    the storage side (rule 7), the plan PostgreSQL and MariaDB pick from their statistics: 1.8 ms
    at 100k, the same at 1k (bench/notes.md)."""

    inherit_cache = True
    name = "plain"
    type = String()


@compiles(plain)
def _plain(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(plain, "sqlite")
def _plain_sqlite(element, compiler, **kw):
    return "+" + compiler.process(element.clauses, **kw)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    sql: Callable[[VmScope, type], ColumnElement[bool]]
    check: Callable[[VmScope, Image], bool]
    message: Callable[[VmScope, Image], str]


IMAGE_RULES: tuple[Rule, ...] = (
    Rule("MEDIA_TYPE", "1. mediaType is RootVolumeTemplate",
         lambda sc, I: I.media_type == sc.const(ROOT_TEMPLATE),
         lambda sc, i: i.media_type == ROOT_TEMPLATE,
         lambda sc, i: f"image mediaType is {i.media_type}, not {ROOT_TEMPLATE}"),
    Rule("DISABLED", "2. state is Enabled",
         lambda sc, I: I.state == sc.const("Enabled"),
         lambda sc, i: i.state == "Enabled",
         lambda sc, i: f"image state is {i.state}, not Enabled"),
    Rule("NOT_READY", "3. status is Ready",
         lambda sc, I: I.status == sc.const("Ready"),
         lambda sc, i: i.status == "Ready",
         lambda sc, i: f"image status is {i.status}, not Ready"),
    Rule("SYSTEM", "4. not a system image",
         lambda sc, I: I.system == false(),
         lambda sc, i: not i.system,
         lambda sc, i: "image is a system image"),
    Rule("ARCHITECTURE", "5. architecture is the cluster's",
         lambda sc, I: plain(I.architecture) == sc.const(sc.architecture) if sc.architecture is not None else false(),
         lambda sc, i: sc.architecture is not None and i.architecture == sc.architecture,
         lambda sc, i: f"image architecture is {i.architecture}, the VM's cluster is {sc.architecture}"),
)

STORAGE_CODE = "NO_USABLE_BACKUP_STORAGE"


# ---- rule 7: a usable backup-storage ref ---------------------------------------------------------

def storage_problems(scope: VmScope, bs: BackupStorage) -> list[str]:
    """7b and 7c on a backup storage: every reason it cannot serve P ([] = it can)."""
    codes = feed_problems(bs.type, bs.fsid, scope.ps_type or "", scope.ps_fsid)
    if bs.state != "Enabled":
        codes.append("BS_DISABLED")
    if bs.status != "Connected":
        codes.append("BS_DISCONNECTED")
    return codes


def usable_image_uuids(scope) -> Select:
    """Rule 7 as SQL: uuids of images with a Ready ref on one of the usable storages.

    The usable storages (7a-7c on the storage: attached to Z, able to feed P, Enabled and Connected)
    come with the scope, chosen by `storage_problems` among Z's few storages, so they reach the
    database as constants. PostgreSQL then estimates the refs from its per-storage statistics; when
    the storages came from a join it assumed every storage holds an average share of the catalog,
    and at 100k images chose a parallel scan of all the images over a hundred primary-key lookups
    (32 ms instead of 1; bench/notes.md)."""
    ref = ImageBackupStorageRef
    # one bound parameter per storage (not an "expanding" list, which is rendered again at each call:
    # the statement is built once per set of storages anyway)
    storages = [bindparam(f"usable_bs_{i}", uuid, literal_execute=scope.inline)
                for i, uuid in enumerate(scope.usable_storage_uuids)]
    return select(ref.image_uuid).where(ref.backup_storage_uuid.in_(storages), ref.status == scope.const("Ready"))


def ref_problems(scope: VmScope, ref: ImageBackupStorageRef, bs: BackupStorage, zone_attached: bool) -> list[str]:
    """Every reason this ref cannot serve the VM's primary storage ([] = usable)."""
    codes = [] if zone_attached else ["BS_NOT_IN_ZONE"]
    codes += storage_problems(scope, bs)
    if ref.status != "Ready":
        codes.append("REF_NOT_READY")
    return codes


# ---- the scope -----------------------------------------------------------------------------------

def load_scope(db, caller: Caller, vm_uuid: str, field: str = "vmInstanceUuid", *,
               for_update: bool = False) -> VmScope:
    """One query: V (visible to the caller, else SYS.1007 not found), R, P, C, and the zone's backup
    storages. With for_update, V's row is locked first (a row lock on PostgreSQL and MariaDB; SQLite
    writers are serialized already)."""
    if for_update:
        db.execute(select(VmInstance.uuid).where(VmInstance.uuid == vm_uuid).with_for_update()).all()
    rows = db.connection().execute(_scope_stmt(caller), {"vm_uuid": vm_uuid}).all()
    if not rows:
        raise not_found(field, vm_uuid)
    return _scope_of([_split(r) for r in rows])


def _scope_of(parts: list[list]) -> VmScope:
    """One VM's scope from its rows, split: the zone's storages in uuid order (sorted here rather than by
    the database: on MariaDB the sort of these wide rows went through a temporary table, 0.4 ms)."""
    storages = sorted((p[4] for p in parts if p[4] is not None), key=lambda bs: bs.uuid)
    return VmScope(*parts[0][:4], tuple(storages))


# Statements are immutable and safe to share between threads, so each is built once per caller (and
# per VM scope for the candidate list) rather than on every call: building them was a tenth of the
# Python cost of a call (bench/notes.md). The values still travel as bound parameters.

_SCOPE_MODELS = (VmInstance, Volume, PrimaryStorage, Cluster, BackupStorage)
# one record type per model: the model's column attributes, read-only
_RECORDS = tuple(namedtuple(f"{m.__name__}Record", [c.key for c in m.__table__.columns]) for m in _SCOPE_MODELS)


def _spans(models) -> tuple[tuple[int, int, int], ...]:
    """(start, end, index of the primary key) of each model's columns in a scope row."""
    spans, at = [], 0
    for model in models:
        keys = [c.key for c in model.__table__.columns]
        spans.append((at, at + len(keys), at + keys.index("uuid")))
        at += len(keys)
    return tuple(spans)


_SPANS = _spans(_SCOPE_MODELS)


def _split(row) -> list:
    """A scope row → one record per model (None for an outer join that found nothing)."""
    return [None if row[pk] is None else record._make(row[start:end])
            for record, (start, end, pk) in zip(_RECORDS, _SPANS)]


def _scope_select(caller: Caller) -> Select:
    """V, R, P, C, and one row per backup storage attached to Z (a handful), for the VMs the caller sees."""
    columns = [c for m in _SCOPE_MODELS for c in m.__table__.columns]
    stmt = (select(*columns)
            .select_from(VmInstance)
            .outerjoin(Volume, and_(Volume.uuid == VmInstance.root_volume_uuid))
            .outerjoin(PrimaryStorage, PrimaryStorage.uuid == Volume.primary_storage_uuid)
            .outerjoin(Cluster, Cluster.uuid == VmInstance.cluster_uuid)
            .outerjoin(BackupStorageZoneRef, BackupStorageZoneRef.zone_uuid == VmInstance.zone_uuid)
            .outerjoin(BackupStorage, BackupStorage.uuid == BackupStorageZoneRef.backup_storage_uuid))
    vis = owned_filter(caller, VmInstance.uuid)
    return stmt if vis is None else stmt.where(vis)


@lru_cache(maxsize=1024)
def _scope_stmt(caller: Caller):
    return _scope_select(caller).where(VmInstance.uuid == bindparam("vm_uuid"))


@lru_cache(maxsize=1024)
def _scopes_stmt(caller: Caller):
    return _scope_select(caller).where(VmInstance.uuid.in_(bindparam("vm_uuids", expanding=True)))


def load_scopes(db, caller: Caller, vm_uuids) -> dict[str, VmScope]:
    """The scopes of many VMs in ONE query (a fleet plan's checks): {vm uuid: scope} for those the caller
    may see; the others are simply absent."""
    grouped: dict[str, list] = {}
    uuids = list(dict.fromkeys(vm_uuids))
    if uuids:
        for row in db.connection().execute(_scopes_stmt(caller), {"vm_uuids": uuids}):
            parts = _split(row)
            grouped.setdefault(parts[0].uuid, []).append(parts)
    return {uuid: _scope_of(parts) for uuid, parts in grouped.items()}


@dataclass(frozen=True)
class _ScopeKey:
    """What the candidate filter reads of a scope (the rules' `sql` forms take it in place of one)."""

    architecture: str | None
    usable_storage_uuids: tuple[str, ...]
    inline: bool = False  # the statement's values written into its text (PostgreSQL; see const)

    def const(self, value):
        """A value of the candidate statement. On PostgreSQL it is written into the statement's text when
        the statement runs (literal_execute) rather than sent as a parameter: psycopg prepares a statement
        run five times on a connection, and a prepared statement without parameters is planned once, with
        its real values, then reused. With parameters, PostgreSQL planned every call again (0.8 ms of a
        10-candidate call at 1M images; bench/notes.md), and may switch to a generic plan that knows
        neither the architecture nor the storages: 198 ms instead of 3 when forced. SQLite and MariaDB
        plan each statement anyway, and there the post-compile rendering only costs (+10%)."""
        return literal(value, literal_execute=True) if self.inline else value


def _key(scope: VmScope, inline: bool = False) -> _ScopeKey:
    return _ScopeKey(scope.architecture, scope.usable_storage_uuids, inline)


def inlines(dialect_name: str) -> bool:
    """Whether the candidate statement carries its values in its text on this database (see const)."""
    return dialect_name == "postgresql"


# ---- the list ------------------------------------------------------------------------------------

def candidate_filter(scope: VmScope, caller: Caller) -> ColumnElement[bool]:
    return _candidate_filter(_key(scope), caller)


@lru_cache(maxsize=1024)
def _candidate_filter(key: _ScopeKey, caller: Caller) -> ColumnElement[bool]:
    conds = [rule.sql(key, Image) for rule in IMAGE_RULES]
    conds.append(Image.uuid.in_(usable_image_uuids(key)))
    vis = owned_filter(caller, Image.uuid)
    if vis is not None:
        conds.append(vis)
    return and_(*conds)


_IMAGE_COLS = tuple(Image.__table__.columns)
_REF_COLS = tuple(ImageBackupStorageRef.__table__.columns)
# what the candidate list hands out: read-only records with the attributes of Image and
# ImageBackupStorageRef (namedtuples: their attributes read ten times faster than a Row's)
ImageRow = namedtuple("ImageRow", [c.key for c in _IMAGE_COLS])
RefRow = namedtuple("RefRow", [c.key for c in _REF_COLS])
_N_IMAGE = len(_IMAGE_COLS)
_UUID_AT = [c.key for c in _IMAGE_COLS].index("uuid")
_NAME_AT = [c.key for c in _IMAGE_COLS].index("name")
_REF_ID_AT = _N_IMAGE + [c.key for c in _REF_COLS].index("id")


@lru_cache(maxsize=1024)
def _candidate_stmts(key: _ScopeKey, caller: Caller, limit: int | None, start: int):
    """The page of candidates (SPEC order) joined to their refs, and the count."""
    where = _candidate_filter(key, caller)
    page = select(*_IMAGE_COLS).where(where)
    if start or limit is not None:  # the page is chosen in SPEC order; the rows are put in it by `candidates`
        page = page.order_by(Image.name, Image.uuid)
    if start:
        page = page.offset(key.const(start))
    if limit is not None:
        page = page.limit(key.const(limit))
    page = page.subquery("page")
    ref = ImageBackupStorageRef
    stmt = (select(*page.c, *(c.label("ref_" + c.key) for c in _REF_COLS))
            .select_from(page.outerjoin(ref, ref.image_uuid == page.c.uuid)))
    return stmt, select(func.count()).select_from(Image).where(where)


def spec_order(rows: list[tuple], pad_space: bool) -> None:
    """Sort the candidate statement's rows in SPEC order (name, uuid; an image's refs by id), in place.

    The statement has no ORDER BY of its own: MariaDB sorted its wide rows (text columns) through an
    on-disk temporary table, a third of the statement's time (bench/notes.md). The names' collation
    is by code point on every database (db/types.py), as Python compares strings; MariaDB's
    utf8mb4_bin also pads the shorter of two names with spaces before comparing (PAD SPACE: 'a' and
    'a ' are equal, 'a\t' sorts before 'a'), which padding every name to the longest does here."""
    width = max((len(t[_NAME_AT]) for t in rows), default=0) if pad_space else 0
    rows.sort(key=lambda t: (t[_NAME_AT].ljust(width), t[_UUID_AT], t[_REF_ID_AT] or 0))


def candidate_statement(scope: VmScope, caller: Caller, limit: int | None = None, start: int = 0, *,
                        inline: bool = False):
    """The one statement behind the candidate list (for benchmarks and EXPLAIN)."""
    return _candidate_stmts(_key(scope, inline), caller, limit, start)[0]


def candidates(db, caller: Caller, scope: VmScope, *, limit: int | None = None, start: int = 0,
               with_total: bool = False) -> tuple[list[ImageRow], dict[str, list[RefRow]], int | None]:
    """The page of candidate images in SPEC order with their refs (one query), and the total when
    asked (one more).

    The images and refs come as read-only records, not ORM objects, and the refs in the same query:
    the identity map, the attribute instrumentation and the second round trip were half the cost of
    a 100-image answer (bench/notes.md)."""
    if scope.root is None or not scope.usable_storage_uuids:
        return [], {}, (0 if with_total else None)
    dialect = db.get_bind().dialect.name
    stmt, count = _candidate_stmts(_key(scope, inlines(dialect)), caller, limit, start)
    images: list[ImageRow] = []
    refs: dict[str, list[RefRow]] = {}
    conn = db.connection()  # plain rows: the statement needs nothing of the ORM
    rows = [tuple(row) for row in conn.execute(stmt)]
    spec_order(rows, pad_space=dialect == "mysql")
    for t in rows:
        uuid = t[_UUID_AT]
        if not images or images[-1].uuid != uuid:
            images.append(ImageRow._make(t[:_N_IMAGE]))
            refs[uuid] = []
        if t[_REF_ID_AT] is not None:
            refs[uuid].append(RefRow._make(t[_N_IMAGE:]))
    total = conn.execute(count).scalar() if with_total else None
    return images, refs, total


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


EXPLAIN_LIMIT = 1000  # excluded images in one answer when the call gives no limit (as Query's default)


@dataclass(frozen=True)
class ExplainPage:
    excluded: list[dict]     # the page, in the candidates' order (name, then uuid)
    truncated: bool          # more excluded images follow this page
    total: int | None        # every excluded image the caller may see (when asked)


def excluded_filter(scope: VmScope, caller: Caller) -> ColumnElement[bool]:
    """The images the caller may see that are not candidates (rule 6 keeps the others out of sight)."""
    conds = []
    vis = owned_filter(caller, Image.uuid)
    if vis is not None:
        conds.append(vis)
    if scope.root is not None and scope.usable_storage_uuids:
        key = _key(scope)
        conds.append(not_(and_(*(rule.sql(key, Image) for rule in IMAGE_RULES),
                               Image.uuid.in_(usable_image_uuids(key)))))
    return and_(*conds) if conds else true()


def _explained(db, scope: VmScope, images: list) -> list[dict]:
    """Every rule each image fails; one query for all their refs (the zone's storages come with the scope)."""
    if not images:
        return []
    refs: dict[str, list] = {i.uuid: [] for i in images}
    stmt = (select(ImageBackupStorageRef, BackupStorage)
            .join(BackupStorage, BackupStorage.uuid == ImageBackupStorageRef.backup_storage_uuid)
            .where(ImageBackupStorageRef.image_uuid.in_(list(refs)))
            .order_by(ImageBackupStorageRef.image_uuid, ImageBackupStorageRef.id))
    for ref, bs in db.execute(stmt):
        refs[ref.image_uuid].append((ref, bs))
    zone_bs = {bs.uuid for bs in scope.zone_storages}
    out = []
    for image in images:
        reasons = reasons_for(scope, image, refs[image.uuid], zone_bs)
        if reasons:
            out.append(Exclusion(image, reasons).to_wire())
    return out


def explain_page(db, caller: Caller, scope: VmScope, *, limit: int | None = None, start: int = 0,
                 with_total: bool = False) -> ExplainPage:
    """A page of the images the caller may see that are not candidates, each with every rule it fails:
    the same `start` and `limit` as the candidates (EXPLAIN_LIMIT when no limit is given), so one call
    costs what its page costs, never the catalog. Two queries (the page, its refs), three with the total."""
    size = EXPLAIN_LIMIT if limit is None else limit
    images = list(db.scalars(excluded_statement(scope, caller, size + 1, start)))  # one more: do others follow?
    truncated = len(images) > size
    total = (db.scalar(select(func.count()).select_from(Image).where(excluded_filter(scope, caller)))
             if with_total else None)
    return ExplainPage(_explained(db, scope, images[:size]), truncated, total)


def excluded_statement(scope: VmScope, caller: Caller, limit: int = EXPLAIN_LIMIT, start: int = 0) -> Select:
    """The page of excluded images, in the candidates' order (for explain_page, benchmarks and EXPLAIN)."""
    stmt = select(Image).where(excluded_filter(scope, caller)).order_by(Image.name, Image.uuid).limit(limit)
    return stmt.offset(start) if start else stmt

