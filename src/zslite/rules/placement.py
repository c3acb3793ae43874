"""Where a new VM goes, as ZStack's allocator would choose (SPEC §8).

A place is (host, primary storage, backup storage) such that:
- the host is Enabled and Connected, in an Enabled cluster of the image's architecture, with the free
  CPUs and memory the VM needs (when it is to run now);
- the primary storage is attached to the host's cluster, Enabled, Connected, with room for the root
  volume (the image's size);
- the image has a Ready copy on a backup storage that is Enabled, Connected, attached to the host's
  zone, and able to feed that primary storage (rules/compat.py);
- everything explicitly named (zone, cluster, host, primary storage) is honoured.

A fixed number of queries whatever the size of the cloud: the image's copies, their zones, the hosts
in scope and the primary storage attached to their clusters. When nothing fits, NoPlacement says
which condition no candidate met.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from zslite.db.models import (
    BackupStorage,
    BackupStorageZoneRef,
    Cluster,
    Host,
    Image,
    ImageBackupStorageRef,
    PrimaryStorage,
    PrimaryStorageClusterRef,
)
from zslite.errors import OperationError
from zslite.rules.compat import feed_problems


class NoPlacement(OperationError):
    """No host and primary storage can take the VM; the details say why."""


@dataclass(frozen=True)
class Demand:
    cpu: int
    memory: int
    run: bool = True                    # reserve host CPU and memory (the VM starts now)
    zone_uuid: str | None = None
    cluster_uuid: str | None = None
    host_uuid: str | None = None
    ps_uuid: str | None = None


@dataclass(frozen=True)
class Place:
    host: Host
    cluster: Cluster
    ps: PrimaryStorage
    backup_storage_uuid: str


def _scope(d: Demand) -> str:
    parts = [f"{kind}[uuid:{uuid}]" for kind, uuid in
             (("zone", d.zone_uuid), ("cluster", d.cluster_uuid), ("host", d.host_uuid)) if uuid]
    return " in " + ", ".join(parts) if parts else ""


def usable_sources(db, image: Image) -> list[tuple[BackupStorage, frozenset[str]]]:
    """The image's Ready copies on Enabled, Connected backup storage, with the zones each is attached to."""
    rows = db.execute(select(BackupStorage).join(ImageBackupStorageRef,
                                                 ImageBackupStorageRef.backup_storage_uuid == BackupStorage.uuid)
                      .where(ImageBackupStorageRef.image_uuid == image.uuid,
                             ImageBackupStorageRef.status == "Ready", BackupStorage.state == "Enabled",
                             BackupStorage.status == "Connected")
                      .order_by(BackupStorage.uuid)).scalars().all()
    zones: dict[str, set[str]] = defaultdict(set)
    if rows:
        for ref in db.scalars(select(BackupStorageZoneRef)
                              .where(BackupStorageZoneRef.backup_storage_uuid.in_([b.uuid for b in rows]))):
            zones[ref.backup_storage_uuid].add(ref.zone_uuid)
    return [(b, frozenset(zones[b.uuid])) for b in rows]


def _hosts_in_scope(db, d: Demand) -> list[tuple[Host, Cluster]]:
    stmt = select(Host, Cluster).join(Cluster, Cluster.uuid == Host.cluster_uuid)
    if d.zone_uuid:
        stmt = stmt.where(Host.zone_uuid == d.zone_uuid)
    if d.cluster_uuid:
        stmt = stmt.where(Host.cluster_uuid == d.cluster_uuid)
    if d.host_uuid:
        stmt = stmt.where(Host.uuid == d.host_uuid)
    rows = db.execute(stmt).all()
    return sorted(((h, c) for h, c in rows), key=lambda hc: (-hc[0].available_memory_capacity, hc[0].uuid))


def _storage_by_cluster(db, cluster_uuids, d: Demand) -> dict[str, list[PrimaryStorage]]:
    out: dict[str, list[PrimaryStorage]] = defaultdict(list)
    if not cluster_uuids:
        return out
    stmt = (select(PrimaryStorage, PrimaryStorageClusterRef.cluster_uuid)
            .join(PrimaryStorageClusterRef, PrimaryStorageClusterRef.primary_storage_uuid == PrimaryStorage.uuid)
            .where(PrimaryStorageClusterRef.cluster_uuid.in_(sorted(cluster_uuids))))
    if d.ps_uuid:
        stmt = stmt.where(PrimaryStorage.uuid == d.ps_uuid)
    for ps, cluster_uuid in db.execute(stmt):
        out[cluster_uuid].append(ps)
    for lst in out.values():
        lst.sort(key=lambda p: (-p.available_capacity, p.uuid))
    return out


def _host_problem(h: Host, c: Cluster, architecture: str | None, cpu: int, memory: int, run: bool) -> str | None:
    if h.state != "Enabled":
        return f"host[uuid:{h.uuid}] is {h.state}, not Enabled"
    if h.status != "Connected":
        return f"host[uuid:{h.uuid}] is {h.status}, not Connected"
    if c.state != "Enabled":
        return f"cluster[uuid:{c.uuid}] of host[uuid:{h.uuid}] is {c.state}, not Enabled"
    if architecture and c.architecture != architecture:
        return f"cluster[uuid:{c.uuid}] is of architecture {c.architecture}, the VM needs {architecture}"
    if run and (h.available_cpu_capacity < cpu or h.available_memory_capacity < memory):
        return (f"host[uuid:{h.uuid}] has {h.available_cpu_capacity} free CPUs and {h.available_memory_capacity} "
                f"bytes of free memory, the VM needs {cpu} and {memory}")
    return None


def _storage_problem(ps: PrimaryStorage, zone_uuid: str, sources, size: int) -> str | None:
    if ps.state != "Enabled":
        return f"primary storage[uuid:{ps.uuid}] is {ps.state}, not Enabled"
    if ps.status != "Connected":
        return f"primary storage[uuid:{ps.uuid}] is {ps.status}, not Connected"
    in_zone = [b for b, zones in sources if zone_uuid in zones]
    if not in_zone:
        return (f"no backup storage holding the image is attached to zone[uuid:{zone_uuid}] of primary "
                f"storage[uuid:{ps.uuid}]")
    if not any(not feed_problems(b.type, b.fsid, ps.type, ps.fsid) for b in in_zone):
        return (f"primary storage[uuid:{ps.uuid}] of type {ps.type} cannot take the image from backup "
                f"storage {', '.join(f'[uuid:{b.uuid}, type:{b.type}]' for b in in_zone)}")
    if ps.available_capacity < size:
        return (f"primary storage[uuid:{ps.uuid}] has {ps.available_capacity} bytes available, the root volume "
                f"needs {size}")
    return None


def place(db, image: Image, d: Demand) -> Place:
    """The first place that fits (hosts with the most free memory first), or NoPlacement with the reasons."""
    sources = usable_sources(db, image)
    if not sources:
        raise NoPlacement(f"image[uuid:{image.uuid}] has no Ready copy on an Enabled and Connected backup storage")
    hosts = _hosts_in_scope(db, d)
    if not hosts:
        raise NoPlacement(f"no host{_scope(d) or ' at all'}")
    host_problems: list[str] = []
    fit = []
    for h, c in hosts:
        problem = _host_problem(h, c, image.architecture, d.cpu, d.memory, d.run)
        if problem:
            host_problems.append(problem)
        else:
            fit.append((h, c))
    if not fit:
        raise NoPlacement(f"no host{_scope(d)} can run the VM: " + "; ".join(host_problems[:5])
                          + ("; ..." if len(host_problems) > 5 else ""))
    storage = _storage_by_cluster(db, {c.uuid for _, c in fit}, d)
    ps_problems: list[str] = []
    for h, c in fit:
        attached = storage.get(c.uuid, [])
        for ps in attached:
            problem = _storage_problem(ps, h.zone_uuid, sources, image.size)
            if problem:
                if problem not in ps_problems:
                    ps_problems.append(problem)
                continue
            bs = next(b for b, zones in sources
                      if h.zone_uuid in zones and not feed_problems(b.type, b.fsid, ps.type, ps.fsid))
            return Place(host=h, cluster=c, ps=ps, backup_storage_uuid=bs.uuid)
    if not ps_problems:
        clusters = ", ".join(sorted({c.uuid for _, c in fit}))
        what = f"primary storage[uuid:{d.ps_uuid}] is not" if d.ps_uuid else "no primary storage is"
        raise NoPlacement(f"{what} attached to the cluster(s) [{clusters}] of the usable hosts")
    raise NoPlacement("no primary storage can take the root volume: " + "; ".join(ps_problems[:5])
                      + ("; ..." if len(ps_problems) > 5 else ""))


def host_to_start(db, *, cluster_uuid: str, architecture: str | None, cpu: int, memory: int,
                  prefer: str | None = None, only: str | None = None) -> Host:
    """A host of the VM's cluster to start it on: only (local storage: where its root volume lives), else the
    preferred (last) host when it fits, else the one with the most free memory. NoPlacement otherwise."""
    stmt = select(Host, Cluster).join(Cluster, Cluster.uuid == Host.cluster_uuid)
    stmt = stmt.where(Host.uuid == only) if only else stmt.where(Host.cluster_uuid == cluster_uuid)
    rows = sorted(db.execute(stmt).all(),
                  key=lambda hc: (hc[0].uuid != prefer, -hc[0].available_memory_capacity, hc[0].uuid))
    problems = []
    for h, c in rows:
        problem = _host_problem(h, c, architecture, cpu, memory, True)
        if problem is None:
            return h
        problems.append(problem)
    if not rows:
        raise NoPlacement(f"host[uuid:{only}] is gone" if only else f"no host in cluster[uuid:{cluster_uuid}]")
    raise NoPlacement("no host can start the VM: " + "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else ""))
