"""Languages: each person's language and time zone, page languages, translations, and
revision summaries kept as a message key with arguments.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "language_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_language_preference_user_id_user")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_language_preference")),
    )
    op.create_table(
        "page_translation",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("synced_revision_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"], ["page.id"], name=op.f("fk_page_translation_page_id_page")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["page.id"], name=op.f("fk_page_translation_source_id_page")
        ),
        sa.ForeignKeyConstraint(
            ["synced_revision_id"],
            ["revision.id"],
            name=op.f("fk_page_translation_synced_revision_id_revision"),
        ),
        sa.PrimaryKeyConstraint("page_id", name=op.f("pk_page_translation")),
    )
    op.create_index(op.f("ix_page_translation_source_id"), "page_translation", ["source_id"])
    # Existing pages and revisions keep working: no language means the site's, no key means
    # the summary is shown as it was typed.
    # Plain ADD COLUMN (nullable) on every engine: no copy of the big revision table.
    op.add_column("page", sa.Column("lang", sa.String(length=16), nullable=True))
    op.add_column("revision", sa.Column("summary_key", sa.String(length=32), nullable=True))
    op.add_column("revision", sa.Column("summary_args", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("revision") as batch:
        batch.drop_column("summary_args")
        batch.drop_column("summary_key")
    with op.batch_alter_table("page") as batch:
        batch.drop_column("lang")
    op.drop_index(op.f("ix_page_translation_source_id"), table_name="page_translation")
    op.drop_table("page_translation")
    op.drop_table("language_preference")
