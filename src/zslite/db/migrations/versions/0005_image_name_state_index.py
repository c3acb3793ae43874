"""Images by name and state, with the uuid: a Query's page of uuids read from the index alone.

QueryImage pages by uuid first and reads whole rows only for the page (query/run.page_of). With
(name, state, uuid) a search by name prefix and state never reads the table's rows for the images it
passes over.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_images_name_state_uuid", "images", ["name", "state", "uuid"])


def downgrade() -> None:
    op.drop_index("ix_images_name_state_uuid", table_name="images")
