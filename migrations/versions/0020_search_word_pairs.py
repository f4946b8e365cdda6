"""PostgreSQL search: an index of word pairs, so a phrase is found without reading the
word positions of every page holding its words.

Each document's pairs of words in a row (within its title, within its body) become the
lexemes of a new tsvector column with its own GIN index; a search for a phrase first
looks up its pairs there. Existing documents get their pairs from the positions in their
tsv column (title words are weighted A and body words B, so no pair spans the two).
SQLite (FTS5) is unchanged.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# Every word with its positions and weights, then each word followed by the next one.
FILL = """
UPDATE search_index AS s SET pairs_tsv = coalesce((
    SELECT array_to_tsvector(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme))
    FROM (
        SELECT w.lexeme, p.pos, p.weight
        FROM unnest(s.tsv) AS w, unnest(w.positions, w.weights) AS p(pos, weight)
    ) AS a
    JOIN (
        SELECT w.lexeme, p.pos, p.weight
        FROM unnest(s.tsv) AS w, unnest(w.positions, w.weights) AS p(pos, weight)
    ) AS b ON b.pos = a.pos + 1 AND b.weight = a.weight
), ''::tsvector)
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_index ADD COLUMN pairs_tsv tsvector NOT NULL DEFAULT ''")
    op.execute(FILL)
    op.execute(
        "CREATE INDEX ix_search_index_pairs_tsv ON search_index USING gin (pairs_tsv) "
        "WITH (fastupdate = off)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_search_index_pairs_tsv")
    op.execute("ALTER TABLE search_index DROP COLUMN pairs_tsv")
