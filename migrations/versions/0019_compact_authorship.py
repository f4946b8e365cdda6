"""Word authorship stored compactly: each revision's runs and word counts as one text
("length revision" lines, an empty line, "revision words" lines), zlib-compressed, or as a
delta on the page's previous revision's (as texts are stored since 0009).

The JSON of 0016 cost ≈ 9.5 KB a revision on a 20 KB page after a few hundred small edits,
25× the text's own storage. This migration stores every existing row whole and compressed
(about a third of that); `flask compact-texts` then re-stores them as deltas.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import json
import zlib

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BATCH = 500


def _form(runs_json: str, words_json: str) -> str:
    lines = [f"{end - start} {rev}" for start, end, rev in json.loads(runs_json)]
    lines.append("")
    counts = {int(rev): n for rev, n in json.loads(words_json).items()}
    lines.extend(f"{rev} {counts[rev]}" for rev in sorted(counts))
    return "\n".join(lines)


def _rows(connection, query: str):
    """Yield the rows of a query on revision_authorship in batches, by revision_id."""
    last = 0
    while True:
        rows = connection.execute(sa.text(query), {"last": last, "batch": BATCH}).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def upgrade():
    with op.batch_alter_table("revision_authorship") as batch:
        batch.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("base_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("depth", sa.Integer(), server_default="0", nullable=False))
    connection = op.get_bind()
    update = sa.text("UPDATE revision_authorship SET data = :data WHERE revision_id = :id")
    query = (
        "SELECT revision_id, runs, words FROM revision_authorship"
        " WHERE revision_id > :last ORDER BY revision_id LIMIT :batch"
    )
    for revision_id, runs, words in _rows(connection, query):
        data = zlib.compress(_form(runs, words).encode("utf-8"), 6)
        connection.execute(update, {"data": data, "id": revision_id})
    with op.batch_alter_table("revision_authorship") as batch:
        batch.alter_column("data", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("runs")
        batch.drop_column("words")
        batch.create_foreign_key(
            op.f("fk_revision_authorship_base_id_revision_authorship"),
            "revision_authorship",
            ["base_id"],
            ["revision_id"],
        )


def downgrade():
    # Deltas need the delta format's reader (a pure module with no app behind it).
    from wiki.core.delta import apply_delta, rebuild

    with op.batch_alter_table("revision_authorship") as batch:
        batch.drop_constraint(
            op.f("fk_revision_authorship_base_id_revision_authorship"), type_="foreignkey"
        )
        batch.add_column(sa.Column("runs", sa.Text(), nullable=True))
        batch.add_column(sa.Column("words", sa.Text(), nullable=True))
    connection = op.get_bind()
    update = sa.text(
        "UPDATE revision_authorship SET runs = :runs, words = :words WHERE revision_id = :id"
    )
    query = (
        "SELECT revision_id, data, base_id, page_id FROM revision_authorship"
        " WHERE revision_id > :last ORDER BY revision_id LIMIT :batch"
    )
    last_form: dict[int, tuple[int, str]] = {}  # page id: (revision id, form)
    for revision_id, data, base_id, page_id in _rows(connection, query):
        if base_id is None:
            form = rebuild(data, ())
        else:
            # A delta's base is the page's previous revision: the last one met of the page.
            base_revision, base_form = last_form[page_id]
            assert base_revision == base_id, f"authorship {revision_id}: unexpected base"
            form = apply_delta(base_form, data)
        last_form[page_id] = (revision_id, form)
        lines = form.split("\n")
        blank = lines.index("")
        runs, at = [], 0
        for line in lines[:blank]:
            length, rev = map(int, line.split(" "))
            runs.append([at, at + length, rev])
            at += length
        words = {rev: n for rev, n in (map(int, line.split(" ")) for line in lines[blank + 1 :])}
        connection.execute(
            update,
            {
                "runs": json.dumps(runs, separators=(",", ":")),
                "words": json.dumps(words, separators=(",", ":")),
                "id": revision_id,
            },
        )
    with op.batch_alter_table("revision_authorship") as batch:
        batch.alter_column("runs", existing_type=sa.Text(), nullable=False)
        batch.alter_column("words", existing_type=sa.Text(), nullable=False)
        batch.drop_column("depth")
        batch.drop_column("base_id")
        batch.drop_column("data")
