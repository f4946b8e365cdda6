"""Email about reviews: a reviewer accepting or rejecting one's changes can be emailed.

A new choice in each person's email preferences, at once by default (as replies and
mentions: news one waits for). Existing profiles get the default.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_profile") as batch_op:
        batch_op.add_column(
            sa.Column(
                "email_review", sa.String(length=10), nullable=False, server_default="immediate"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("user_profile") as batch_op:
        batch_op.drop_column("email_review")
