from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from zslite.db.base import TABLE_ARGS, Base, DatesMixin, UuidMixin
from zslite.db.types import Big, LongText, Str, Uuid32


class PrimaryStorage(UuidMixin, DatesMixin, Base):
    __tablename__ = "primary_storages"
    __table_args__ = (TABLE_ARGS,)
    name: Mapped[str] = mapped_column(Str(255))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    zone_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("zones.uuid"), index=True)
    url: Mapped[str] = mapped_column(Str(2048))
    type: Mapped[str] = mapped_column(Str(32))  # LocalStorage | NFS | SharedMountPoint | Ceph
    state: Mapped[str] = mapped_column(Str(32))
    status: Mapped[str] = mapped_column(Str(32))
    mount_path: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    total_capacity: Mapped[int] = mapped_column(Big)
    available_capacity: Mapped[int] = mapped_column(Big)
    total_physical_capacity: Mapped[int] = mapped_column(Big)
    available_physical_capacity: Mapped[int] = mapped_column(Big)
    fsid: Mapped[str | None] = mapped_column(Str(64), nullable=True)
    mons: Mapped[str | None] = mapped_column(LongText(), nullable=True)  # JSON list
    pools: Mapped[str | None] = mapped_column(LongText(), nullable=True)  # JSON list


class PrimaryStorageClusterRef(Base):
    __tablename__ = "primary_storage_cluster_refs"
    __table_args__ = (TABLE_ARGS,)
    primary_storage_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("primary_storages.uuid"), primary_key=True)
    cluster_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("clusters.uuid"), primary_key=True, index=True)


class BackupStorage(UuidMixin, DatesMixin, Base):
    __tablename__ = "backup_storages"
    __table_args__ = (TABLE_ARGS,)
    name: Mapped[str] = mapped_column(Str(255))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    url: Mapped[str] = mapped_column(Str(2048))
    type: Mapped[str] = mapped_column(Str(32))  # ImageStoreBackupStorage | SftpBackupStorage | Ceph
    state: Mapped[str] = mapped_column(Str(32))
    status: Mapped[str] = mapped_column(Str(32))
    total_capacity: Mapped[int] = mapped_column(Big)
    available_capacity: Mapped[int] = mapped_column(Big)
    hostname: Mapped[str | None] = mapped_column(Str(255), nullable=True)
    username: Mapped[str | None] = mapped_column(Str(255), nullable=True)
    ssh_port: Mapped[int | None] = mapped_column(nullable=True)
    fsid: Mapped[str | None] = mapped_column(Str(64), nullable=True)
    pool_name: Mapped[str | None] = mapped_column(Str(255), nullable=True)
    mons: Mapped[str | None] = mapped_column(LongText(), nullable=True)  # JSON list


class BackupStorageZoneRef(Base):
    __tablename__ = "backup_storage_zone_refs"
    __table_args__ = (TABLE_ARGS,)
    backup_storage_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("backup_storages.uuid"), primary_key=True)
    zone_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("zones.uuid"), primary_key=True, index=True)
