"""Personal access tokens remember when their owner was told they expire soon.

A week before a token stops working its owner gets an email (once); tokens that expire
sooner than a week after the upgrade are told at once, as tokens made from now on.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.add_column(sa.Column("expiry_warned_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.drop_column("expiry_warned_at")
