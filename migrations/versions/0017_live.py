"""Live co-editing: live drafts (a Yjs update log per page), their typists, co-authors.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "live_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("base_revision_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_live_draft_page_id_page")),
        sa.ForeignKeyConstraint(
            ["base_revision_id"],
            ["revision.id"],
            name=op.f("fk_live_draft_base_revision_id_revision"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_draft")),
        sa.UniqueConstraint("page_id", name=op.f("uq_live_draft_page_id")),
    )
    op.create_table(
        "live_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["live_draft.id"], name=op.f("fk_live_update_draft_id_live_draft")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_update")),
    )
    op.create_index("ix_live_update_draft_id_id", "live_update", ["draft_id", "id"])
    op.create_table(
        "live_author",
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["live_draft.id"], name=op.f("fk_live_author_draft_id_live_draft")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_live_author_user_id_user")),
        sa.PrimaryKeyConstraint("draft_id", "user_id", name=op.f("pk_live_author")),
    )
    op.create_table(
        "revision_coauthor",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revision.id"],
            name=op.f("fk_revision_coauthor_revision_id_revision"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_revision_coauthor_user_id_user")
        ),
        sa.PrimaryKeyConstraint("revision_id", "user_id", name=op.f("pk_revision_coauthor")),
    )
    op.create_index("ix_revision_coauthor_user_id", "revision_coauthor", ["user_id"])


def downgrade():
    op.drop_index("ix_revision_coauthor_user_id", table_name="revision_coauthor")
    op.drop_table("revision_coauthor")
    op.drop_table("live_author")
    op.drop_index("ix_live_update_draft_id_id", table_name="live_update")
    op.drop_table("live_update")
    op.drop_table("live_draft")
