"""A partial index of deleted pages, so that lists of revisions can leave them out without
joining every page (SQLite would read the whole page table for each list).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_page_deleted",
        "page",
        ["id"],
        sqlite_where=sa.text("deleted"),
        postgresql_where=sa.text("deleted"),
    )


def downgrade():
    op.drop_index("ix_page_deleted", table_name="page")
