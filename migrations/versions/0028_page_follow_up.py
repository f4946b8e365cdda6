"""Work a save leaves for after its answer (word authorship, the search index), kept in a
table until its job has done it.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("noted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"], ["page.id"], name=op.f("fk_page_follow_up_page_id_page")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page_follow_up")),
    )
    op.create_index(op.f("ix_page_follow_up_page_id"), "page_follow_up", ["page_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_page_follow_up_page_id"), table_name="page_follow_up")
    op.drop_table("page_follow_up")
