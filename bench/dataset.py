"""Throwaway databases and a catalog loaded in bulk, straight into the tables (not through HTTP).

The scene (deterministic for a seed):
- 10 zones, one cluster each (zone 9 is aarch64), 2 hosts per cluster, one primary storage per zone
  of mixed types (NFS, Ceph with two fsids, LocalStorage, SharedMountPoint);
- 50 backup storages of mixed types, states, statuses, zones and Ceph fsids;
- a few tenant accounts owning 10% of the catalog, some of it shared publicly;
- VMs (10k by default) with root volumes, spread over the zones;
- the probes: VM "probe-100" in zone 0 (NFS) and VM "probe-10" in zone 1 (Ceph fsid-1), whose
  candidate answers are exactly 100 and 10 images at every catalog size. Each zone's usable
  storage holds a fixed set of images, next to images failing each rule (media type, state,
  architecture, system, ref not Ready, backup storage disabled);
- the bulk of the catalog: images mostly passing rules 1-5 (so rules 1-5 alone select most of
  the catalog), 1-3 refs each (2 on average) on the other 47 backup storages, two of which are
  attached to the probes' zones but cannot feed their primary storage (type or fsid). Only the
  storage side (rule 7) keeps the answer at 100: the query has to be driven from it.

The catalog grows in place (`Catalog.grow_to`), so one database goes 1k -> 10k -> 100k -> 1M.
Rows go in through the driver's fast path: COPY on PostgreSQL, executemany (multi-row INSERT)
on MariaDB and SQLite, foreign-key checks off during the load (the rows are valid by construction).
"""

from __future__ import annotations

import os
import random
import sqlite3
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from zslite.clock import Clock
from zslite.config import Settings
from zslite.db.engine import Database, normalize_url
from zslite.db.migrate import upgrade
from zslite.server.app import prepare
from zslite.context import ADMIN_ACCOUNT_UUID

PG_ADMIN = os.environ.get("ZSLITE_BENCH_PG", os.environ.get("ZSLITE_TEST_PG",
                                                            "postgresql://postgres@127.0.0.1:5432/test"))
MY_ADMIN = os.environ.get("ZSLITE_BENCH_MYSQL", os.environ.get("ZSLITE_TEST_MYSQL",
                                                                "mysql://root@127.0.0.1:3306/test"))
BACKENDS = ("sqlite", "postgresql", "mariadb")
SECRET = "bench-master-key"
ADMIN_PASSWORD = "password"
NOW = datetime(2026, 1, 6, 3, 51, 16)
PIB = 1024**5
N_ZONES = 10
N_BS = 50
N_TENANTS = 5
PROBE_100 = 100
PROBE_10 = 10


# ---- throwaway databases ------------------------------------------------------------------------

@dataclass
class BenchDb:
    backend: str
    url: str
    name: str
    tmpdir: str | None = None

    def settings(self) -> Settings:
        return Settings(db_url=self.url, secret_key=SECRET, admin_password=ADMIN_PASSWORD, password_hash_n=2**10,
                        log_level="WARNING", migrate_on_start=False,
                        secret_key_file=os.path.join(tempfile.gettempdir(), f"{self.name}.key"))

    def drop(self) -> None:
        if self.backend == "sqlite":
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        elif self.backend == "postgresql":
            admin = create_engine(normalize_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            admin.dispose()
        else:
            admin = create_engine(normalize_url(MY_ADMIN))
            with admin.connect() as c:
                c.execute(text(f"DROP DATABASE IF EXISTS `{self.name}`"))
            admin.dispose()


MARIADB_BUFFER_POOL = 4 * 1024 ** 3  # bytes: the 1M catalog is ~1.9 GB of tables and indexes


@contextmanager
def server_settings(backend: str) -> Iterator[str]:
    """What the database server needs for the catalogs, for the run, put back afterwards; yields a note
    for the report. MariaDB's InnoDB reads with O_DIRECT, so its buffer pool is the only cache of the
    data: at its default 128 MiB a 1M-image catalog is read from disk on every probe (bench/notes.md).
    Any MariaDB sized for such a catalog has a pool that holds it: the bench raises it to
    MARIADB_BUFFER_POOL when it is smaller (SET GLOBAL; MariaDB resizes it online) and sets it back at
    the end. Without the privilege to, the run goes on with the server's pool, and the report says so."""
    if backend != "mariadb":
        yield ""
        return
    admin = create_engine(normalize_url(MY_ADMIN), isolation_level="AUTOCOMMIT")
    raised = False
    try:
        with admin.connect() as c:
            before = int(c.execute(text("SELECT @@innodb_buffer_pool_size")).scalar())
            note = f"innodb_buffer_pool_size {before / 1024 ** 2:g} MiB"
            if before < MARIADB_BUFFER_POOL:
                try:
                    c.execute(text(f"SET GLOBAL innodb_buffer_pool_size = {MARIADB_BUFFER_POOL}"))
                    raised = True
                    note = (f"innodb_buffer_pool_size {MARIADB_BUFFER_POOL / 1024 ** 3:g} GiB (set for the run;"
                            f" the server had {before / 1024 ** 2:g} MiB)")
                except DBAPIError as err:
                    note += f" (could not raise it: {str(err.orig).splitlines()[0]})"
        try:
            yield note
        finally:
            if raised:
                with admin.connect() as c:
                    c.execute(text(f"SET GLOBAL innodb_buffer_pool_size = {before}"))
    finally:
        admin.dispose()


def create_database(backend: str, label: str) -> BenchDb:
    """A new, uniquely named, migrated database (the same create code as tests/conftest.py)."""
    name = f"zslite_bench_{label}_{os.getpid()}_{secrets.token_hex(3)}"
    if backend == "sqlite":
        tmp = tempfile.mkdtemp(prefix="zslite-bench-")
        bdb = BenchDb(backend, f"sqlite:///{tmp}/{name}.db", name, tmp)
    elif backend == "postgresql":
        admin = create_engine(normalize_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        bdb = BenchDb(backend, PG_ADMIN.rsplit("/", 1)[0] + "/" + name, name)
    elif backend == "mariadb":
        admin = create_engine(normalize_url(MY_ADMIN))
        with admin.connect() as c:
            c.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"))
        admin.dispose()
        bdb = BenchDb(backend, MY_ADMIN.rsplit("/", 1)[0] + "/" + name, name)
    else:
        raise ValueError(f"unknown backend {backend}")
    database = Database(bdb.url)
    try:
        upgrade(database.engine)
        prepare(bdb.settings(), database, Clock(), None)  # the admin account, as at server start
    finally:
        database.dispose()
    return bdb


# SQLite stores datetimes as SQLAlchemy does (bools are ints already)
sqlite3.register_adapter(datetime, lambda d: d.strftime("%Y-%m-%d %H:%M:%S.%f"))


# ---- bulk load ------------------------------------------------------------------------------------

def _batched(rows: Iterable[tuple], n: int) -> Iterator[list[tuple]]:
    it = iter(rows)
    while chunk := list(islice(it, n)):
        yield chunk


class Loader:
    """One raw driver connection for a whole load; `insert` streams rows through the fast path."""

    def __init__(self, database: Database):
        self.backend = database.backend
        self.raw = database.engine.raw_connection()
        self.cur = self.raw.cursor()
        if self.backend == "sqlite":
            self.cur.execute("PRAGMA foreign_keys=OFF")
            self.cur.execute("PRAGMA cache_size=-1000000")  # 1 GB of page cache for this connection
            self.cur.execute("BEGIN")
        elif self.backend == "postgresql":
            self.cur.execute("SET session_replication_role = replica")  # no FK triggers during COPY
        else:
            self.cur.execute("SET foreign_key_checks=0, unique_checks=0")
        self.rows = 0

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        cols = ", ".join(columns)
        n = 0
        if self.backend == "postgresql":
            with self.cur.copy(f"COPY {table} ({cols}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
                    n += 1
        else:
            ph = ", ".join(["?" if self.backend == "sqlite" else "%s"] * len(columns))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({ph})"
            for chunk in _batched(rows, 5000):
                self.cur.executemany(sql, chunk)
                n += len(chunk)
        self.rows += n
        return n

    def close(self) -> None:
        try:
            if self.backend == "sqlite":
                self.cur.execute("COMMIT")
                self.cur.execute("PRAGMA foreign_keys=ON")
            else:
                self.raw.commit()
                if self.backend == "postgresql":
                    self.cur.execute("SET session_replication_role = origin")
                else:
                    self.cur.execute("SET foreign_key_checks=1, unique_checks=1")
                self.raw.commit()
        finally:
            self.raw.close()


def analyze(database: Database) -> None:
    """Fresh planner statistics after a bulk load, where the server keeps them itself (PostgreSQL's
    autovacuum, InnoDB's persistent statistics would get there on their own within minutes)."""
    with database.engine.connect() as c:
        if database.backend == "postgresql":
            # VACUUM too: autovacuum does it after a bulk insert (PostgreSQL >= 13); until it has, the
            # visibility map is empty and index-only scans read the table anyway
            c.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        elif database.backend == "mariadb" or database.backend == "mysql":
            for t in ("images", "image_backup_storage_refs", "backup_storages", "backup_storage_zone_refs",
                      "account_resource_refs", "shared_resources", "vm_instances", "volumes"):
                c.exec_driver_sql(f"ANALYZE TABLE {t}").all()
        # SQLite: nothing, as in production (zslite never runs ANALYZE there, so the planner works
        # without statistics, and the plan must be good without them)


# ---- the scene --------------------------------------------------------------------------------------

IMAGE_COLS = ("uuid", "name", "description", "state", "status", "size", "actual_size", "md5_sum", "url",
              "media_type", "guest_os_type", "type", "platform", "format", "system", "architecture", "virtio",
              "create_date", "last_op_date")
REF_COLS = ("image_uuid", "backup_storage_uuid", "install_path", "export_url", "export_md5_sum", "status",
            "create_date", "last_op_date")
OWNER_COLS = ("resource_uuid", "resource_type", "account_uuid", "create_date")
SHARE_COLS = ("resource_uuid", "resource_type", "owner_account_uuid", "receiver_account_uuid", "to_public",
              "create_date")
OS_NAMES = ("ubuntu", "centos", "debian", "rocky", "alma", "fedora", "windows", "opensuse", "alpine", "kylin",
            "TinyLinux", "Cirros", "arch", "freebsd", "RHEL", "oracle")
PS_LAYOUT = (("NFS", None), ("Ceph", "fsid-1"), ("LocalStorage", None), ("SharedMountPoint", None),
             ("Ceph", "fsid-2"), ("NFS", None), ("LocalStorage", None), ("Ceph", "fsid-1"), ("NFS", None),
             ("SharedMountPoint", None))


def _uuid(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


@dataclass
class Scene:
    """The fixed part (identical in every database of a run) and what the measurements need."""

    zones: list[str]
    clusters: list[str]
    hosts: list[list[str]]
    ps: list[str]
    bs: list[str]
    bulk_bs: list[str]
    tenants: list[str]
    probe_100_vm: str
    probe_10_vm: str
    probe_100_images: list[str]
    change_vms: list[str]  # Stopped VMs in zone 0 for ChangeVmImage
    bulk_bs_query: str  # a backup storage for the QueryImage relation condition
    n_vms: int
    fixed_images: int = 0
    tables: dict[str, tuple[Sequence[str], list[tuple]]] = field(default_factory=dict, repr=False)


def build_scene(n_vms: int, seed: int = 6) -> Scene:
    rng = random.Random(seed)
    t: dict[str, tuple[Sequence[str], list[tuple]]] = {}
    owners: list[tuple] = []

    def own(uuid, rtype, account=ADMIN_ACCOUNT_UUID):
        owners.append((uuid, rtype, account, NOW))

    from zslite.security import hash_password, sha512_hex
    pw = hash_password(sha512_hex("password"), 2**4)
    tenants = [_uuid(rng) for _ in range(N_TENANTS)]
    t["accounts"] = (("uuid", "name", "type", "password_hash", "description", "create_date", "last_op_date"),
                     [(u, f"tenant-{i}", "Normal", pw, None, NOW, NOW) for i, u in enumerate(tenants)])

    zones = [_uuid(rng) for _ in range(N_ZONES)]
    t["zones"] = (("uuid", "name", "description", "state", "type", "is_default", "create_date", "last_op_date"),
                  [(z, f"zone-{i}", None, "Enabled", "zstack", i == 0, NOW, NOW) for i, z in enumerate(zones)])
    clusters = [_uuid(rng) for _ in range(N_ZONES)]
    t["clusters"] = (("uuid", "name", "description", "state", "hypervisor_type", "zone_uuid", "type",
                      "architecture", "create_date", "last_op_date"),
                     [(c, f"cluster-{i}", None, "Enabled", "KVM", zones[i], "zstack",
                       "aarch64" if i == 9 else "x86_64", NOW, NOW) for i, c in enumerate(clusters)])
    hosts = [[_uuid(rng), _uuid(rng)] for _ in range(N_ZONES)]
    t["hosts"] = (("uuid", "name", "description", "zone_uuid", "cluster_uuid", "management_ip", "hypervisor_type",
                   "state", "status", "architecture", "username", "ssh_port", "total_cpu_capacity",
                   "available_cpu_capacity", "cpu_sockets", "cpu_num", "total_memory_capacity",
                   "available_memory_capacity", "create_date", "last_op_date"),
                  [(h, f"host-{i}-{j}", None, zones[i], clusters[i], f"10.0.{i}.{j + 1}", "KVM", "Enabled",
                    "Connected", "aarch64" if i == 9 else "x86_64", "root", 22, 4096, 4096, 2, 64, 2 * PIB, 2 * PIB,
                    NOW, NOW) for i in range(N_ZONES) for j, h in enumerate(hosts[i])])
    ps = [_uuid(rng) for _ in range(N_ZONES)]
    t["primary_storages"] = (
        ("uuid", "name", "description", "zone_uuid", "url", "type", "state", "status", "mount_path",
         "total_capacity", "available_capacity", "total_physical_capacity", "available_physical_capacity", "fsid",
         "mons", "pools", "create_date", "last_op_date"),
        [(p, f"ps-{i}-{PS_LAYOUT[i][0]}", None, zones[i], f"/ps/{i}", PS_LAYOUT[i][0], "Enabled", "Connected",
          None, PIB, PIB, PIB, PIB, PS_LAYOUT[i][1], "[]" if PS_LAYOUT[i][1] else None,
          "[]" if PS_LAYOUT[i][1] else None, NOW, NOW) for i, p in enumerate(ps)])
    t["primary_storage_cluster_refs"] = (("primary_storage_uuid", "cluster_uuid"),
                                         [(ps[i], clusters[i]) for i in range(N_ZONES)])

    # backup storages: 0 feeds probe-100 (zone 0, NFS), 1 feeds probe-10 (zone 1, Ceph fsid-1),
    # 2 is disabled in zone 0, 3 (Ceph fsid-9, zones 0 and 4) and 4 (Sftp, zones 1 and 2) hold bulk
    # images in the probes' zones that cannot feed their primary storage; 5..49 are mixed
    bs = [_uuid(rng) for _ in range(N_BS)]
    bs_rows, zref_rows = [], []
    types = ("ImageStoreBackupStorage", "SftpBackupStorage", "Ceph")

    def add_bs(i, btype, state, status, fsid, zone_idx):
        bs_rows.append((bs[i], f"bs-{i}-{btype}", None, f"/bs/{i}", btype, state, status, PIB, PIB,
                        None if btype == "Ceph" else "bs.local", None if btype == "Ceph" else "root",
                        None if btype == "Ceph" else 22, fsid, "zs-images" if btype == "Ceph" else None,
                        "[]" if btype == "Ceph" else None, NOW, NOW))
        zref_rows.extend((bs[i], zones[z]) for z in zone_idx)
        own(bs[i], "BackupStorageVO")

    add_bs(0, "ImageStoreBackupStorage", "Enabled", "Connected", None, [0])
    add_bs(1, "Ceph", "Enabled", "Connected", "fsid-1", [1])
    add_bs(2, "ImageStoreBackupStorage", "Disabled", "Connected", None, [0])
    add_bs(3, "Ceph", "Enabled", "Connected", "fsid-9", [0, 4])
    add_bs(4, "SftpBackupStorage", "Enabled", "Connected", None, [1, 2])
    for i in range(5, N_BS):
        btype = types[i % 3]
        z1 = 2 + i % 8
        zone_idx = [z1] if i % 2 else [z1, 2 + (i + 3) % 8]
        add_bs(i, btype, "Disabled" if i % 7 == 0 else "Enabled", "Disconnected" if i % 11 == 0 else "Connected",
               ("fsid-1", "fsid-2")[i % 2] if btype == "Ceph" else None, zone_idx)
    t["backup_storages"] = (("uuid", "name", "description", "url", "type", "state", "status", "total_capacity",
                             "available_capacity", "hostname", "username", "ssh_port", "fsid", "pool_name", "mons",
                             "create_date", "last_op_date"), bs_rows)
    t["backup_storage_zone_refs"] = (("backup_storage_uuid", "zone_uuid"), zref_rows)
    for z in zones:
        own(z, "ZoneVO")
    for c in clusters:
        own(c, "ClusterVO")
    for p in ps:
        own(p, "PrimaryStorageVO")
    for hs in hosts:
        for h in hs:
            own(h, "HostVO")

    # the probes' images: a fixed set, whatever the catalog size
    images, refs = [], []

    def image(name, *, media="RootVolumeTemplate", state="Enabled", status="Ready", system=False, arch="x86_64"):
        u = _uuid(rng)
        images.append(_image_row(u, name, media, state, status, system, arch, NOW - timedelta(seconds=len(images))))
        own(u, "ImageVO")
        return u

    def ref(img, bs_idx, status="Ready"):
        refs.append(_ref_row(img, bs[bs_idx], status, NOW - timedelta(seconds=len(refs))))

    probe_100 = []
    for k in range(PROBE_100):
        u = image(f"{OS_NAMES[k % len(OS_NAMES)]}-p100-{rng.randrange(10**6):06d}")
        ref(u, 0)
        if k % 3 == 0:
            ref(u, 5 + k % (N_BS - 5))  # a second copy elsewhere: the answer carries every ref
        probe_100.append(u)
    for k in range(10):  # each fails one rule, on the probe's usable storage
        ref(image(f"iso-p100-{k}", media="ISO"), 0)
        ref(image(f"disabled-p100-{k}", state="Disabled"), 0)
        ref(image(f"arm-p100-{k}", arch="aarch64"), 0)
        ref(image(f"system-p100-{k}", system=True), 0)
        ref(image(f"downloading-p100-{k}"), 0, status="Downloading")
        ref(image(f"on-disabled-bs-{k}"), 2)
    for k in range(PROBE_10):
        ref(image(f"{OS_NAMES[k % len(OS_NAMES)]}-p10-{rng.randrange(10**6):06d}"), 1)
    for k in range(10):
        ref(image(f"iso-p10-{k}", media="ISO"), 1)
        ref(image(f"notready-p10-{k}", status="Deleted"), 1)
    t["images"] = (IMAGE_COLS, images)
    t["image_backup_storage_refs"] = (REF_COLS, refs)

    # VMs, each with a root volume on its zone's primary storage
    vms, vols = [], []
    probe_vms: list[str] = []
    change_vms: list[str] = []
    for n in range(n_vms):
        z = n % N_ZONES
        vm, vol = _uuid(rng), _uuid(rng)
        host = hosts[z][n // N_ZONES % 2]
        img = probe_100[n % PROBE_100]
        state = "Stopped" if z in (0, 1) or n % 3 else "Running"
        tenant = tenants[n % N_TENANTS] if n % 7 == 3 else ADMIN_ACCOUNT_UUID
        vms.append((vm, f"vm-{n}", None, zones[z], clusters[z], img, host if state == "Running" else None, host,
                    None, vol, "Linux", "Linux", "aarch64" if z == 9 else "x86_64", None, "UserVm", "KVM",
                    1024**3, 1, 0, None, state, NOW, NOW))
        vols.append((vol, f"ROOT-for-vm-{n}", None, ps[z], vm, None, img, f"/ps/{z}/{vol}.qcow2", "Root",
                     "qcow2", 1024**3, 1024**3, 0, "Enabled", "Ready", False,
                     host if PS_LAYOUT[z][0] == "LocalStorage" else None, NOW, NOW))
        own(vm, "VmInstanceVO", tenant)
        own(vol, "VolumeVO", tenant)
        if n < 2:
            probe_vms.append(vm)
        elif z == 0 and tenant == ADMIN_ACCOUNT_UUID:
            change_vms.append(vm)
    t["vm_instances"] = (("uuid", "name", "description", "zone_uuid", "cluster_uuid", "image_uuid", "host_uuid",
                          "last_host_uuid", "instance_offering_uuid", "root_volume_uuid", "platform",
                          "guest_os_type", "architecture", "default_l3_network_uuid", "type", "hypervisor_type",
                          "memory_size", "cpu_num", "cpu_speed", "allocator_strategy", "state", "create_date",
                          "last_op_date"), vms)
    t["volumes"] = (("uuid", "name", "description", "primary_storage_uuid", "vm_instance_uuid", "disk_offering_uuid",
                     "root_image_uuid", "install_path", "type", "format", "size", "actual_size", "device_id", "state",
                     "status", "is_shareable", "host_uuid", "create_date", "last_op_date"), vols)
    t["account_resource_refs"] = (OWNER_COLS, owners)
    return Scene(zones=zones, clusters=clusters, hosts=hosts, ps=ps, bs=bs, bulk_bs=bs[3:], tenants=tenants,
                 probe_100_vm=probe_vms[0], probe_10_vm=probe_vms[1], probe_100_images=probe_100,
                 change_vms=change_vms, bulk_bs_query=bs[10], n_vms=n_vms, fixed_images=len(images), tables=t)


def _image_row(u, name, media, state, status, system, arch, when=NOW) -> tuple:
    return (u, name, None, state, status, 1024**3, 512 * 1024**2, None, f"http://images.local/{u}.qcow2", media,
            "Linux", "zstack", "Linux", "qcow2" if media != "ISO" else "iso", system, arch, True, when, when)


def _ref_row(img: str, bs: str, status: str = "Ready", when=NOW) -> tuple:
    return (img, bs, f"zstore://bench/{img}", None, None, status, when, when)


TABLE_ORDER = ("accounts", "zones", "clusters", "hosts", "primary_storages", "primary_storage_cluster_refs",
               "backup_storages", "backup_storage_zone_refs", "images", "image_backup_storage_refs",
               "vm_instances", "volumes", "account_resource_refs")


class Catalog:
    """One database's catalog: the scene, then bulk images added up to a size."""

    def __init__(self, database: Database, scene: Scene, seed: int = 7):
        self.database, self.scene = database, scene
        self.rng = random.Random(seed)
        self.images = 0
        self.refs = 0

    def load_scene(self) -> float:
        t0 = time.perf_counter()
        loader = Loader(self.database)
        try:
            for table in TABLE_ORDER:
                cols, rows = self.scene.tables[table]
                loader.insert(table, cols, rows)
        finally:
            loader.close()
        self.images = self.scene.fixed_images
        self.refs = len(self.scene.tables["image_backup_storage_refs"][1])
        return time.perf_counter() - t0

    def _bulk(self, n: int):
        """n bulk images: mostly passing rules 1-5, 1-3 refs each on the bulk backup storages."""
        rng, bulk_bs, tenants = self.rng, self.scene.bulk_bs, self.scene.tenants
        images, refs, owners, shares = [], [], [], []
        for k in range(self.images, self.images + n):
            u = _uuid(rng)
            r = rng.random()
            media = "RootVolumeTemplate" if r < 0.85 else ("ISO" if r < 0.95 else "DataVolumeTemplate")
            state = "Enabled" if rng.random() < 0.95 else "Disabled"
            r = rng.random()
            status = "Ready" if r < 0.97 else ("Downloading" if r < 0.99 else "Deleted")
            system = rng.random() < 0.01
            arch = "x86_64" if rng.random() < 0.9 else "aarch64"
            name = f"{OS_NAMES[rng.randrange(len(OS_NAMES))]}-{rng.randrange(10**8):08d}-{k}"
            when = NOW - timedelta(seconds=17 * k)
            images.append(_image_row(u, name, media, state, status, system, arch, when))
            nrefs = 1 + (rng.random() >= 0.3) + (rng.random() >= 4 / 7)  # 1, 2 or 3: 2 on average
            for b in rng.sample(bulk_bs, nrefs):
                refs.append(_ref_row(u, b, "Ready" if rng.random() < 0.97 else "Downloading", when))
            owner = ADMIN_ACCOUNT_UUID if rng.random() < 0.9 else tenants[rng.randrange(len(tenants))]
            owners.append((u, "ImageVO", owner, NOW))
            if owner != ADMIN_ACCOUNT_UUID and rng.random() < 0.2:
                shares.append((u, "ImageVO", owner, "", True, NOW))
        return images, refs, owners, shares

    def grow_to(self, size: int, chunk: int = 50_000) -> float:
        """Add bulk images until the catalog holds `size` images; returns the seconds it took."""
        t0 = time.perf_counter()
        loader = Loader(self.database)
        try:
            while self.images < size:
                n = min(chunk, size - self.images)
                images, refs, owners, shares = self._bulk(n)
                loader.insert("images", IMAGE_COLS, images)
                loader.insert("image_backup_storage_refs", REF_COLS, refs)
                loader.insert("account_resource_refs", OWNER_COLS, owners)
                loader.insert("shared_resources", SHARE_COLS, shares)
                self.images += n
                self.refs += len(refs)
        finally:
            loader.close()
        analyze(self.database)
        return time.perf_counter() - t0
