"""Fleet image change plans and their per-VM rows (SPEC §11)

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# Frozen copies of zslite.db.types as they were at this revision.
def _str(n):
    return (sa.String(n).with_variant(sa.String(n, collation="C"), "postgresql")
            .with_variant(mysql.VARCHAR(n, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"))


def _text():
    return sa.Text().with_variant(mysql.MEDIUMTEXT(charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb")


TABLE = dict(mysql_charset="utf8mb4", mysql_collate="utf8mb4_bin", mysql_engine="InnoDB")


def upgrade() -> None:
    op.create_table(
        "image_change_plans",
        sa.Column("uuid", _str(32), nullable=False),
        sa.Column("name", _str(255), nullable=False),
        sa.Column("description", _str(2048), nullable=True),
        sa.Column("image_uuid", _str(32), nullable=False),
        sa.Column("account_uuid", _str(32), nullable=False),
        sa.Column("caller", _text(), nullable=False),
        sa.Column("api_id", _str(32), nullable=True),
        sa.Column("state", _str(16), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("max_concurrency", sa.Integer(), nullable=False),
        sa.Column("stop_running_vms", sa.Boolean(), nullable=False),
        sa.Column("max_failures", sa.Integer(), nullable=False),
        sa.Column("create_date", sa.DateTime(), nullable=False),
        sa.Column("last_op_date", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_image_change_plans")),
        **TABLE)
    op.create_index("ix_image_change_plans_state", "image_change_plans", ["state"])
    op.create_index("ix_image_change_plans_account_uuid", "image_change_plans", ["account_uuid"])
    op.create_index("ix_image_change_plans_api_id", "image_change_plans", ["api_id"])
    op.create_table(
        "image_change_plan_vms",
        sa.Column("plan_uuid", _str(32), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("vm_instance_uuid", _str(32), nullable=False),
        sa.Column("vm_name", _str(255), nullable=False),
        sa.Column("old_image_uuid", _str(32), nullable=True),
        sa.Column("state", _str(16), nullable=False),
        sa.Column("reasons", _text(), nullable=True),
        sa.Column("error", _text(), nullable=True),
        sa.Column("new_root_volume_uuid", _str(32), nullable=True),
        sa.Column("stopped_by_plan", sa.Boolean(), nullable=False),
        sa.Column("node_uuid", _str(32), nullable=True),
        sa.Column("start_date", sa.DateTime(), nullable=True),
        sa.Column("end_date", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["plan_uuid"], ["image_change_plans.uuid"],
                                name=op.f("fk_image_change_plan_vms_plan_uuid_image_change_plans")),
        sa.PrimaryKeyConstraint("plan_uuid", "seq", name=op.f("pk_image_change_plan_vms")),
        **TABLE)
    op.create_index("ix_image_change_plan_vms_plan_uuid_state_seq", "image_change_plan_vms",
                    ["plan_uuid", "state", "seq"])
    op.create_index("ix_image_change_plan_vms_state_node_uuid", "image_change_plan_vms", ["state", "node_uuid"])
    op.create_index("ix_image_change_plan_vms_vm_instance_uuid", "image_change_plan_vms", ["vm_instance_uuid"])


def downgrade() -> None:
    op.drop_index("ix_image_change_plan_vms_vm_instance_uuid", table_name="image_change_plan_vms")
    op.drop_index("ix_image_change_plan_vms_state_node_uuid", table_name="image_change_plan_vms")
    op.drop_index("ix_image_change_plan_vms_plan_uuid_state_seq", table_name="image_change_plan_vms")
    op.drop_table("image_change_plan_vms")
    op.drop_index("ix_image_change_plans_api_id", table_name="image_change_plans")
    op.drop_index("ix_image_change_plans_account_uuid", table_name="image_change_plans")
    op.drop_index("ix_image_change_plans_state", table_name="image_change_plans")
    op.drop_table("image_change_plans")
