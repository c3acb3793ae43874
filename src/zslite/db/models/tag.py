from __future__ import annotations

from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from zslite.db.base import TABLE_ARGS, Base, DatesMixin, UuidMixin
from zslite.db.types import Bool, Str, Uuid32


class Tag(UuidMixin, DatesMixin, Base):
    """System and user tags in one table; kind is 'System' or 'User'."""

    __tablename__ = "tags"
    __table_args__ = (Index(None, "resource_uuid", "kind"), Index(None, "kind", "tag"), TABLE_ARGS)
    kind: Mapped[str] = mapped_column(Str(16))
    resource_uuid: Mapped[str] = mapped_column(Uuid32())
    resource_type: Mapped[str] = mapped_column(Str(64))
    tag: Mapped[str] = mapped_column(Str(512))
    inherent: Mapped[bool] = mapped_column(Bool, default=False)
    type: Mapped[str] = mapped_column(Str(32), default="System")
