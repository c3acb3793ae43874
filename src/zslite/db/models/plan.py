"""Fleet image change (SPEC §11): a plan and its per-VM rows.

The plan's progress lives here and nowhere else, so that any management node can carry a plan on:
a VM row is claimed by a node (node_uuid) while it is Stopping, Changing or Starting, and each of
its steps commits together with the effect it records (jobs/plans.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from zslite.db.base import TABLE_ARGS, Base, DatesMixin, UuidMixin
from zslite.db.types import Bool, LongText, Str, Timestamp, Uuid32


class ImageChangePlan(UuidMixin, DatesMixin, Base):
    __tablename__ = "image_change_plans"
    __table_args__ = (Index(None, "state"), Index(None, "account_uuid"), Index(None, "api_id"), TABLE_ARGS)
    name: Mapped[str] = mapped_column(Str(255))
    description: Mapped[str | None] = mapped_column(Str(2048), nullable=True)
    image_uuid: Mapped[str] = mapped_column(Uuid32())
    account_uuid: Mapped[str] = mapped_column(Uuid32())
    caller: Mapped[str] = mapped_column(LongText())   # JSON of the creator (no session): the changes run as it
    api_id: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)  # the creating job (GetTaskProgress)
    state: Mapped[str] = mapped_column(Str(16))  # Planned | Running | Paused | Cancelled | Succeeded | Failed
    dry_run: Mapped[bool] = mapped_column(Bool, default=False)
    max_concurrency: Mapped[int] = mapped_column(Integer)
    stop_running_vms: Mapped[bool] = mapped_column(Bool, default=False)
    max_failures: Mapped[int] = mapped_column(Integer)


class ImageChangePlanVm(Base):
    """One VM of a plan, in the plan's fixed order (seq). state: WillChange | Refused (dry run and checks),
    Pending, Stopping, Changing, Starting (claimed by node_uuid), Succeeded, Failed, Skipped."""

    __tablename__ = "image_change_plan_vms"
    __table_args__ = (Index(None, "plan_uuid", "state", "seq"),  # claiming the next Pending VMs, counting
                      Index(None, "state", "node_uuid"),          # a dead node's VMs
                      Index(None, "vm_instance_uuid"),
                      TABLE_ARGS)
    plan_uuid: Mapped[str] = mapped_column(Uuid32(), ForeignKey("image_change_plans.uuid"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    vm_instance_uuid: Mapped[str] = mapped_column(Uuid32())
    vm_name: Mapped[str] = mapped_column(Str(255))
    old_image_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
    state: Mapped[str] = mapped_column(Str(16))
    reasons: Mapped[str | None] = mapped_column(LongText(), nullable=True)  # JSON: explain's reasons
    error: Mapped[str | None] = mapped_column(LongText(), nullable=True)    # JSON: an ErrorCode
    new_root_volume_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
    stopped_by_plan: Mapped[bool] = mapped_column(Bool, default=False)       # to be started again
    node_uuid: Mapped[str | None] = mapped_column(Uuid32(), nullable=True)
    start_date: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    end_date: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
