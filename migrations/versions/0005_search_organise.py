"""Search and organising pages: deleted and redirect columns, categories, full-text index.

The full-text index differs per engine and is kept out of the SQLAlchemy metadata
(wiki.search.engines.include_name hides it from `flask db check`):
- SQLite: an FTS5 table, unicode61 tokenizer folding case and accents;
- PostgreSQL: a table with tsvector columns (title; title and text) and GIN indexes.
Both have one row per page (id = page id) and per talk comment (id = -comment id).
Run `flask --app wiki reindex` after upgrading a wiki that already has pages.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("page") as batch_op:
        batch_op.add_column(
            sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("redirect_key", sa.String(length=255), nullable=True))
        batch_op.create_index(batch_op.f("ix_page_redirect_key"), ["redirect_key"])
    op.create_table(
        "category_member",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("category_key", sa.String(length=255), nullable=False),
        sa.Column("category_title", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"], ["page.id"], name=op.f("fk_category_member_page_id_page")
        ),
        sa.PrimaryKeyConstraint("page_id", "category_key", name=op.f("pk_category_member")),
    )
    op.create_index(
        op.f("ix_category_member_category_key"), "category_member", ["category_key"]
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "title, body, page_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE TABLE search_index ("
            "id bigint PRIMARY KEY, "
            "page_id integer NOT NULL REFERENCES page (id), "
            "title text NOT NULL, "
            "body text NOT NULL, "
            "title_tsv tsvector NOT NULL, "
            "tsv tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_search_index_tsv ON search_index USING gin (tsv)")
        op.execute(
            "CREATE INDEX ix_search_index_title_tsv ON search_index USING gin (title_tsv)"
        )
        op.execute("CREATE INDEX ix_search_index_page_id ON search_index (page_id)")


def downgrade():
    op.execute("DROP TABLE search_index")
    op.drop_table("category_member")
    with op.batch_alter_table("page") as batch_op:
        batch_op.drop_index(batch_op.f("ix_page_redirect_key"))
        batch_op.drop_column("redirect_key")
        batch_op.drop_column("deleted")
