"""Scenes for the image, VM, volume, tag and sharing tests: infrastructure rows straight into the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from tests import factories as f


@dataclass
class Scene:
    zone: str
    cluster: str
    host: str
    ps: str
    bs: str


def basic(database, ps_type: str = "NFS", bs_type: str = "ImageStoreBackupStorage", **host_kw) -> Scene:
    """zone → x86_64 cluster → host; a primary storage attached to the cluster; a backup storage in the zone."""
    with database.write() as s:
        z = f.zone(s, name="zone1")
        c = f.cluster(s, z.uuid, name="cluster1")
        h = f.host(s, c, name="host1", **host_kw)
        ps = f.primary_storage(s, z.uuid, type=ps_type, cluster_uuids=[c.uuid], name="ps1", url="/nfs/ps1")
        bs = f.backup_storage(s, type=bs_type, zone_uuids=[z.uuid], name="bs1", url="/bs1")
        return Scene(z.uuid, c.uuid, h.uuid, ps.uuid, bs.uuid)


def count(database, model, *where) -> int:
    with database.read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def counts(database) -> dict[str, int]:

    from zslite.db.base import Base
    out = {}
    with database.read() as s:
        for table in Base.metadata.sorted_tables:
            out[table.name] = s.scalar(select(func.count()).select_from(table))
    return out


def row(database, model, uuid):
    with database.read() as s:
        return s.get(model, uuid)
