from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from zslite.db.base import TABLE_ARGS, Base, DatesMixin, UuidMixin
from zslite.db.types import Big, Bool, Str, Uuid32


class InstanceOffering(UuidMixin, DatesMixin, Base):
    __tablename__ = "instance_offerings"
    __table_args__ = (TABLE_ARGS,)
    name: Mapped[str] = mapped_column(Str(255))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    cpu_num: Mapped[int] = mapped_column()
    cpu_speed: Mapped[int] = mapped_column(default=0)
    memory_size: Mapped[int] = mapped_column(Big)
    allocator_strategy: Mapped[str | None] = mapped_column(Str(64), nullable=True)
    sort_key: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(Str(32))
    type: Mapped[str] = mapped_column(Str(32), default="UserVm")


class VmInstance(UuidMixin, DatesMixin, Base):
    __tablename__ = "vm_instances"
    __table_args__ = (TABLE_ARGS,)
    name: Mapped[str] = mapped_column(Str(255))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    zone_uuid: Mapped[str | None] = mapped_column(Uuid32(), ForeignKey("zones.uuid"), nullable=True, index=True)
    cluster_uuid: Mapped[str | None] = mapped_column(Uuid32(), ForeignKey("clusters.uuid"), nullable=True, index=True)
    image_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True, index=True)
    host_uuid: Mapped[str | None] = mapped_column(Uuid32(), ForeignKey("hosts.uuid"), nullable=True, index=True)
    last_host_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
    instance_offering_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
    root_volume_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
    platform: Mapped[str | None] = mapped_column(Str(32), nullable=True)
    guest_os_type: Mapped[str | None] = mapped_column(Str(255), nullable=True)
    architecture: Mapped[str | None] = mapped_column(Str(32), nullable=True)
    default_l3_network_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
    type: Mapped[str] = mapped_column(Str(32), default="UserVm")
    hypervisor_type: Mapped[str | None] = mapped_column(Str(32), nullable=True)
    memory_size: Mapped[int] = mapped_column(Big)
    cpu_num: Mapped[int] = mapped_column()
    cpu_speed: Mapped[int] = mapped_column(default=0)
    allocator_strategy: Mapped[str | None] = mapped_column(Str(64), nullable=True)
    state: Mapped[str] = mapped_column(Str(32))


class Volume(UuidMixin, DatesMixin, Base):
    __tablename__ = "volumes"
    __table_args__ = (TABLE_ARGS,)
    name: Mapped[str] = mapped_column(Str(255))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    primary_storage_uuid: Mapped[str | None] = mapped_column(
        Uuid32(), ForeignKey("primary_storages.uuid"), nullable=True, index=True)
    vm_instance_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True, index=True)
    disk_offering_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
    root_image_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
    install_path: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    type: Mapped[str] = mapped_column(Str(16))  # Root | Data
    format: Mapped[str | None] = mapped_column(Str(32), nullable=True)
    size: Mapped[int] = mapped_column(Big, default=0)
    actual_size: Mapped[int] = mapped_column(Big, default=0)
    device_id: Mapped[int | None] = mapped_column(nullable=True)
    state: Mapped[str] = mapped_column(Str(32))
    status: Mapped[str] = mapped_column(Str(32))
    is_shareable: Mapped[bool] = mapped_column(Bool, default=False)
    # the host a local-storage volume lives on
    host_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
