"""A reviewer's rejection is a revision of its own kind, "reject", no longer an "undo".

Rejecting waiting changes puts the published text back with a revision by the reviewer; it
was stored as an undo, so the history tagged it "undo" as if the reviewer had undone an edit
by hand. Earlier rejections are found by their summary ("reject"); nothing else changes.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE revision SET kind = 'reject' WHERE kind = 'undo' AND summary_key = 'reject'"
    )


def downgrade() -> None:
    op.execute("UPDATE revision SET kind = 'undo' WHERE kind = 'reject'")
