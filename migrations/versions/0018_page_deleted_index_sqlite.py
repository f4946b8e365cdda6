"""The partial index of deleted pages, written so that SQLite uses it.

Lists leave deleted pages out with "page_id NOT IN (SELECT id FROM page WHERE deleted)".
SQLite uses a partial index only when the query repeats the index's condition term for
term, and SQLAlchemy writes a boolean test as "deleted = 1" there (PostgreSQL: "deleted"),
so the index of 0010 ("WHERE deleted") was never used on SQLite: every list of changes
read the whole page table. PostgreSQL's index is recreated as it was.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_page_deleted", table_name="page")
    op.create_index(
        "ix_page_deleted",
        "page",
        ["id"],
        sqlite_where=sa.text("deleted = 1"),
        postgresql_where=sa.text("deleted"),
    )


def downgrade():
    op.drop_index("ix_page_deleted", table_name="page")
    op.create_index(
        "ix_page_deleted",
        "page",
        ["id"],
        sqlite_where=sa.text("deleted"),
        postgresql_where=sa.text("deleted"),
    )
