"""Durable, claimable jobs and management nodes with a uuid (SPEC §9)

A job row now holds what any node needs to run it (the caller and the encrypted parameters), its
acceptance order and the node that claimed it; management nodes get ZStack's inventory fields.
The management_nodes table holds only live processes, so it is recreated empty.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# Frozen copies of zslite.db.types as they were at this revision.
def _str(n):
    return (sa.String(n).with_variant(sa.String(n, collation="C"), "postgresql")
            .with_variant(mysql.VARCHAR(n, charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb"))


def _text():
    return sa.Text().with_variant(mysql.MEDIUMTEXT(charset="utf8mb4", collation="utf8mb4_bin"), "mysql", "mariadb")


def _big():
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


TABLE = dict(mysql_charset="utf8mb4", mysql_collate="utf8mb4_bin", mysql_engine="InnoDB")


def upgrade() -> None:
    with op.batch_alter_table("jobs") as b:
        b.add_column(sa.Column("caller", _text(), nullable=True))
        b.add_column(sa.Column("params", _text(), nullable=True))
        b.add_column(sa.Column("seq", _big(), nullable=False, server_default="0"))
        b.add_column(sa.Column("node_uuid", _str(32), nullable=True))
        b.add_column(sa.Column("reveal", sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column("start_date", sa.DateTime(), nullable=True))
        b.alter_column("node", existing_type=_str(255), nullable=True)
        b.drop_index("ix_jobs_state_node")
        b.create_index("ix_jobs_state_seq", ["state", "seq"])
        b.create_index("ix_jobs_state_node_uuid", ["state", "node_uuid"])
        b.create_index("ix_jobs_node_state", ["node", "state"])
    with op.batch_alter_table("jobs") as b:  # the defaults were only for the rows already there
        b.alter_column("seq", existing_type=_big(), server_default=None, existing_nullable=False)
        b.alter_column("reveal", existing_type=sa.Boolean(), server_default=None, existing_nullable=False)

    op.drop_table("management_nodes")
    op.create_table(
        "management_nodes",
        sa.Column("uuid", _str(32), nullable=False),
        sa.Column("name", _str(255), nullable=False),
        sa.Column("join_date", sa.DateTime(), nullable=False),
        sa.Column("heartbeat", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_management_nodes")),
        **TABLE)
    op.create_index("ix_management_nodes_heartbeat", "management_nodes", ["heartbeat"])


def downgrade() -> None:
    op.drop_index("ix_management_nodes_heartbeat", table_name="management_nodes")
    op.drop_table("management_nodes")
    op.create_table(
        "management_nodes",
        sa.Column("name", _str(255), nullable=False),
        sa.Column("heartbeat", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_management_nodes")),
        **TABLE)
    # a job accepted but never started cannot be run by the older version: it ends as interrupted
    op.execute(sa.text("UPDATE jobs SET state = 'Failed', node = COALESCE(node, '') WHERE state = 'Queued'"))
    with op.batch_alter_table("jobs") as b:
        b.drop_index("ix_jobs_node_state")
        b.drop_index("ix_jobs_state_node_uuid")
        b.drop_index("ix_jobs_state_seq")
        b.create_index("ix_jobs_state_node", ["state", "node"])
        b.alter_column("node", existing_type=_str(255), nullable=False)
        b.drop_column("start_date")
        b.drop_column("reveal")
        b.drop_column("node_uuid")
        b.drop_column("seq")
        b.drop_column("params")
        b.drop_column("caller")
