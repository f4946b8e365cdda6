"""Generations: counters bumped after every committed change that cached views show, so
every app server process knows when its cached page views are stale.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    generation = op.create_table(
        "generation",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_generation")),
    )
    op.bulk_insert(generation, [{"name": "content", "value": 0}])


def downgrade():
    op.drop_table("generation")
