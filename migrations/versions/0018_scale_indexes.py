"""Indexes that lists and search need on a large wiki, as the queries actually use them.

SQLite: lists leave deleted pages out with "page_id NOT IN (SELECT id FROM page WHERE
deleted)". SQLite uses a partial index only when the query repeats the index's condition
term for term, and SQLAlchemy writes a boolean test as "deleted = 1" there, so the index of
0010 ("WHERE deleted") was never used: every list of changes read the whole page table.
PostgreSQL's index is recreated as it was.

PostgreSQL: the GIN indexes of the search index stop collecting new entries in a pending
list (fastupdate), which every search reads in full — up to gin_pending_list_limit (4 MB)
between vacuums, 245 pages after building 100,000 pages. A save now writes its words into
the index directly; the list already pending is merged now.

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

GIN_INDEXES = ("ix_search_index_tsv", "ix_search_index_title_tsv")


def _page_deleted_index(sqlite_condition: str) -> None:
    op.drop_index("ix_page_deleted", table_name="page")
    op.create_index(
        "ix_page_deleted",
        "page",
        ["id"],
        sqlite_where=sa.text(sqlite_condition),
        postgresql_where=sa.text("deleted"),
    )


def upgrade():
    _page_deleted_index("deleted = 1")
    if op.get_bind().dialect.name == "postgresql":
        for name in GIN_INDEXES:
            op.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
            op.execute(f"SELECT gin_clean_pending_list('{name}'::regclass)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in GIN_INDEXES:
            op.execute(f"ALTER INDEX {name} RESET (fastupdate)")
    _page_deleted_index("deleted")
