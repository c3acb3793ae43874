from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from zslite.db.base import TABLE_ARGS, Base, DatesMixin, UuidMixin
from zslite.db.types import Big, Bool, Str, Uuid32


class Zone(UuidMixin, DatesMixin, Base):
    __tablename__ = "zones"
    __table_args__ = (TABLE_ARGS,)
    name: Mapped[str] = mapped_column(Str(255))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    state: Mapped[str] = mapped_column(Str(32))
    type: Mapped[str] = mapped_column(Str(32), default="zstack")
    is_default: Mapped[bool] = mapped_column(Bool, default=False)


class Cluster(UuidMixin, DatesMixin, Base):
    __tablename__ = "clusters"
    __table_args__ = (TABLE_ARGS,)
    name: Mapped[str] = mapped_column(Str(255))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    state: Mapped[str] = mapped_column(Str(32))
    hypervisor_type: Mapped[str] = mapped_column(Str(32))
    zone_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("zones.uuid"), index=True)
    type: Mapped[str] = mapped_column(Str(32), default="zstack")
    architecture: Mapped[str] = mapped_column(Str(32))


class Host(UuidMixin, DatesMixin, Base):
    __tablename__ = "hosts"
    __table_args__ = (TABLE_ARGS,)
    name: Mapped[str] = mapped_column(Str(255))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    zone_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("zones.uuid"), index=True)
    cluster_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("clusters.uuid"), index=True)
    management_ip: Mapped[str] = mapped_column(Str(255), unique=True)
    hypervisor_type: Mapped[str] = mapped_column(Str(32))
    state: Mapped[str] = mapped_column(Str(32))
    status: Mapped[str] = mapped_column(Str(32))
    architecture: Mapped[str] = mapped_column(Str(32))
    username: Mapped[str | None] = mapped_column(Str(255), nullable=True)
    ssh_port: Mapped[int] = mapped_column(default=22)
    total_cpu_capacity: Mapped[int] = mapped_column(Big)
    available_cpu_capacity: Mapped[int] = mapped_column(Big)
    cpu_sockets: Mapped[int] = mapped_column(default=1)
    cpu_num: Mapped[int] = mapped_column(default=0)
    total_memory_capacity: Mapped[int] = mapped_column(Big)
    available_memory_capacity: Mapped[int] = mapped_column(Big)
