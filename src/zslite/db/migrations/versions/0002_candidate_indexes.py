"""Indexes for the candidate rules: rules 1-5 on images, rule 7 from the backup-storage side.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_images_candidate_rules", "images",
                    ["architecture", "media_type", "state", "status", "system"])
    op.create_index("ix_image_refs_bs_status_image", "image_backup_storage_refs",
                    ["backup_storage_uuid", "status", "image_uuid"])
    # the new index starts with backup_storage_uuid, so it also serves the foreign key on MariaDB
    op.drop_index("ix_image_backup_storage_refs_backup_storage_uuid", table_name="image_backup_storage_refs")


def downgrade() -> None:
    op.create_index("ix_image_backup_storage_refs_backup_storage_uuid", "image_backup_storage_refs",
                    ["backup_storage_uuid"])
    op.drop_index("ix_image_refs_bs_status_image", table_name="image_backup_storage_refs")
    op.drop_index("ix_images_candidate_rules", table_name="images")
