"""Live drafts remember when an app process last had them open.

`flask live-expire` runs in a process of its own (a cron job), which holds no room: it
could not tell that a draft idle for two weeks was still open in someone's editor on an
app server, and handed it over and deleted it under them. Each process with the room open
now writes the time every minute or so, and a draft seen open lately is not expired.
Existing drafts start with none (no process has written one yet).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("live_draft") as batch_op:
        batch_op.add_column(sa.Column("open_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("live_draft") as batch_op:
        batch_op.drop_column("open_at")
