from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zslite.db.base import TABLE_ARGS, Base, DatesMixin, UuidMixin
from zslite.db.types import Bool, Str, Timestamp, Uuid32


class Account(UuidMixin, DatesMixin, Base):
    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("name"), TABLE_ARGS)
    name: Mapped[str] = mapped_column(Str(255))
    type: Mapped[str] = mapped_column(Str(32))  # SystemAdmin | Normal
    password_hash: Mapped[str] = mapped_column(Str(255))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)


class Session(UuidMixin, Base):
    __tablename__ = "sessions"
    __table_args__ = (TABLE_ARGS,)
    account_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("accounts.uuid", ondelete="CASCADE"), index=True)
    user_uuid: Mapped[str] = mapped_column(Uuid32())
    create_date: Mapped[datetime] = mapped_column(Timestamp)
    last_used: Mapped[datetime] = mapped_column(Timestamp)


class AccessKey(UuidMixin, DatesMixin, Base):
    """An access key. The secret is never stored: it is derived from the server's master key,
    the key id and a per-key salt (see services/accounts.py)."""

    __tablename__ = "access_keys"
    __table_args__ = (UniqueConstraint("key_id"), TABLE_ARGS)
    account_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("accounts.uuid", ondelete="CASCADE"), index=True)
    user_uuid: Mapped[str] = mapped_column(Uuid32())
    key_id: Mapped[str] = mapped_column(Str(64))
    salt: Mapped[str] = mapped_column(Str(64))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    state: Mapped[str] = mapped_column(Str(32))


class AccountResourceRef(Base):
    """Who owns a resource (ZStack's AccountResourceRefVO)."""

    __tablename__ = "account_resource_refs"
    __table_args__ = (Index(None, "account_uuid", "resource_type"), TABLE_ARGS)
    resource_uuid: Mapped[str] = mapped_column(Uuid32(), primary_key=True)
    resource_type: Mapped[str] = mapped_column(Str(64))
    account_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("accounts.uuid"))
    create_date: Mapped[datetime] = mapped_column(Timestamp)


class SharedResource(Base):
    """A resource shared with one account (receiver_account_uuid) or with everyone (to_public)."""

    __tablename__ = "shared_resources"
    __table_args__ = (
        UniqueConstraint("resource_uuid", "receiver_account_uuid", "to_public"),
        Index(None, "receiver_account_uuid", "resource_uuid"),
        Index(None, "to_public", "resource_uuid"),
        TABLE_ARGS,
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resource_uuid: Mapped[str] = mapped_column(Uuid32())
    resource_type: Mapped[str] = mapped_column(Str(64))
    owner_account_uuid: Mapped[str] = mapped_column(Uuid32())
    # the empty string stands for "no receiver" so that the unique constraint holds on every database
    receiver_account_uuid: Mapped[str] = mapped_column(Str(32), default="")
    to_public: Mapped[bool] = mapped_column(Bool, default=False)
    create_date: Mapped[datetime] = mapped_column(Timestamp)
