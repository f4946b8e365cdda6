"""An index of revisions by their stored text: a save asks whether a page still shows the
text it replaced, which read every revision without it.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07
"""

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_revision_text_id", "revision", ["text_id"])


def downgrade() -> None:
    op.drop_index("ix_revision_text_id", table_name="revision")
