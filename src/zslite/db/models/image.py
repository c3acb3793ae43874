from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zslite.db.base import TABLE_ARGS, Base, DatesMixin, UuidMixin
from zslite.db.types import Big, Bool, Str, Timestamp, Uuid32


class Image(UuidMixin, DatesMixin, Base):
    __tablename__ = "images"
    __table_args__ = (Index(None, "name", "uuid"),
                      # a page of uuids by name and state from the index alone (migration 0005)
                      Index(None, "name", "state", "uuid"),
                      # the candidate rules 1-5 as an index prefix (migration 0002)
                      Index("ix_images_candidate_rules", "architecture", "media_type", "state", "status", "system"),
                      TABLE_ARGS)
    name: Mapped[str] = mapped_column(Str(255))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    state: Mapped[str] = mapped_column(Str(32))
    status: Mapped[str] = mapped_column(Str(32))
    size: Mapped[int] = mapped_column(Big, default=0)
    actual_size: Mapped[int] = mapped_column(Big, default=0)
    md5_sum: Mapped[str | None] = mapped_column(Str(255), nullable=True)
    url: Mapped[str] = mapped_column(Str(2048))
    media_type: Mapped[str] = mapped_column(Str(32))
    guest_os_type: Mapped[str | None] = mapped_column(Str(255), nullable=True)
    type: Mapped[str] = mapped_column(Str(32), default="zstack")
    platform: Mapped[str] = mapped_column(Str(32))
    format: Mapped[str] = mapped_column(Str(32))
    system: Mapped[bool] = mapped_column(Bool, default=False)
    architecture: Mapped[str] = mapped_column(Str(32))
    virtio: Mapped[bool] = mapped_column(Bool, default=True)


class ImageBackupStorageRef(Base):
    __tablename__ = "image_backup_storage_refs"
    __table_args__ = (UniqueConstraint("image_uuid", "backup_storage_uuid"),
                      # rule 7 driven from the storage side: refs of a backup storage by status (migration 0002)
                      Index("ix_image_refs_bs_status_image", "backup_storage_uuid", "status", "image_uuid"),
                      TABLE_ARGS)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    image_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("images.uuid"))
    backup_storage_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("backup_storages.uuid"))
    install_path: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    export_url: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    export_md5_sum: Mapped[str | None] = mapped_column(Str(255), nullable=True)
    status: Mapped[str] = mapped_column(Str(32))
    create_date: Mapped[datetime] = mapped_column(Timestamp)
    last_op_date: Mapped[datetime] = mapped_column(Timestamp)
