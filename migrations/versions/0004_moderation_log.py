"""The moderation log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "log_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("target_user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_log_entry_actor_id_user")),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_log_entry_page_id_page")),
        sa.ForeignKeyConstraint(
            ["target_user_id"], ["user.id"], name=op.f("fk_log_entry_target_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_entry")),
    )
    op.create_index(op.f("ix_log_entry_actor_id"), "log_entry", ["actor_id"])
    op.create_index(op.f("ix_log_entry_page_id"), "log_entry", ["page_id"])
    op.create_index(op.f("ix_log_entry_target_user_id"), "log_entry", ["target_user_id"])
    op.create_index("ix_log_entry_action_id", "log_entry", ["action", "id"])


def downgrade():
    op.drop_table("log_entry")
