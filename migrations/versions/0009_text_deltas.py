"""Texts stored as deltas: a text blob may hold a delta against another blob (its base),
with the length of the chain of deltas behind it. Existing texts stay whole; `flask
compact-texts` re-stores them as deltas.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("text_blob") as batch:
        batch.add_column(sa.Column("base_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("depth", sa.Integer(), server_default="0", nullable=False))
        batch.create_foreign_key(
            op.f("fk_text_blob_base_id_text_blob"), "text_blob", ["base_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("text_blob") as batch:
        batch.drop_constraint(op.f("fk_text_blob_base_id_text_blob"), type_="foreignkey")
        batch.drop_column("depth")
        batch.drop_column("base_id")
