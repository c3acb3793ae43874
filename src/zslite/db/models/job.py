from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from zslite.db.base import TABLE_ARGS, Base, UuidMixin
from zslite.db.types import Bool, LongText, Str, Timestamp, Uuid32


class Job(UuidMixin, Base):
    """An asynchronous API call and, once it ends, its result body (kept for the retention time)."""

    __tablename__ = "jobs"
    __table_args__ = (Index(None, "state", "node"), Index(None, "expires_at"), TABLE_ARGS)
    api_name: Mapped[str] = mapped_column(Str(128))
    state: Mapped[str] = mapped_column(Str(16))  # Running | Succeeded | Failed
    account_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
    node: Mapped[str] = mapped_column(Str(255))
    with_schema: Mapped[bool] = mapped_column(Bool, default=False)
    webhook: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    result: Mapped[str | None] = mapped_column(LongText(), nullable=True)
    create_date: Mapped[datetime] = mapped_column(Timestamp)
    finish_date: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)


class ManagementNode(Base):
    """A running server process; its heartbeat tells whether its running jobs are still alive."""

    __tablename__ = "management_nodes"
    __table_args__ = (TABLE_ARGS,)
    name: Mapped[str] = mapped_column(Str(255), primary_key=True)
    heartbeat: Mapped[datetime] = mapped_column(Timestamp)
