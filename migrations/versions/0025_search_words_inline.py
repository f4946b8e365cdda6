"""PostgreSQL: a page's searchable words stay in the search index's row, not in TOAST.

A phrase of two common words ("brand voice") can only be checked against each page's word
positions, which the GIN index does not keep: every page holding both words is read. A
tsvector over 2 KB was moved out of the row (TOAST), so each check was an index lookup and
two or three chunk reads (≈ 4.8 µs a page); kept in the row (up to the 8 KB a page holds,
the text itself going to TOAST instead) it is half that, and other searches, which rank
1,000 matches by reading their words, are faster too.

Rows are rewritten as pages are saved; `flask reindex` rewrites them all at once (updating
every row here would write each one's words into the GIN indexes one by one).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Rows may grow to almost a whole page before anything moves out; then the body
        # (EXTENDED: compressed, moved out first) leaves, and the words (MAIN) only last.
        op.execute("ALTER TABLE search_index SET (toast_tuple_target = 8160)")
        op.execute("ALTER TABLE search_index ALTER COLUMN tsv SET STORAGE MAIN")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_index ALTER COLUMN tsv SET STORAGE EXTENDED")
        op.execute("ALTER TABLE search_index RESET (toast_tuple_target)")
