from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from zslite.db.base import TABLE_ARGS, Base, UuidMixin
from zslite.db.types import Big, Bool, LongText, Str, Timestamp, Uuid32


class Job(UuidMixin, Base):
    """An asynchronous API call: accepted (Queued), claimed by a node (Running), ended (Succeeded or
    Failed) with its result body, kept for the retention time.

    Everything a node needs to run a job another node accepted is in the row: the API, the caller
    and the validated parameters (encrypted with the master key; dropped when the job ends)."""

    __tablename__ = "jobs"
    __table_args__ = (Index(None, "state", "seq"), Index(None, "state", "node_uuid"), Index(None, "node", "state"),
                      Index(None, "expires_at"), TABLE_ARGS)
    api_name: Mapped[str] = mapped_column(Str(128))
    state: Mapped[str] = mapped_column(Str(16))  # Queued | Running | Succeeded | Failed
    account_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
    caller: Mapped[str | None] = mapped_column(LongText(), nullable=True)    # JSON of the Caller
    params: Mapped[str | None] = mapped_column(LongText(), nullable=True)    # encrypted JSON, until the end
    seq: Mapped[int] = mapped_column(Big, default=0)                         # acceptance order (µs)
    node: Mapped[str | None] = mapped_column(Str(255), nullable=True)        # name of the node running it
    node_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)  # the process running it
    with_schema: Mapped[bool] = mapped_column(Bool, default=False)
    webhook: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    result: Mapped[str | None] = mapped_column(LongText(), nullable=True)
    reveal: Mapped[bool] = mapped_column(Bool, default=False)  # a secret to put back on the first 200
    create_date: Mapped[datetime] = mapped_column(Timestamp)
    start_date: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    finish_date: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)


class ManagementNode(UuidMixin, Base):
    """A running `zslite serve` process (ZStack's ManagementNodeVO). Its heartbeat tells the other
    nodes that the jobs it runs are alive; name is the node's stable name (host:port by default),
    shared by the worker processes of one `serve --workers N`."""

    __tablename__ = "management_nodes"
    __table_args__ = (Index(None, "heartbeat"), TABLE_ARGS)
    name: Mapped[str] = mapped_column(Str(255))
    join_date: Mapped[datetime] = mapped_column(Timestamp)
    heartbeat: Mapped[datetime] = mapped_column(Timestamp)
