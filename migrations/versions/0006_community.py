"""Community: profiles and preferences, watches, notifications, page credits, email outbox;
indexes for recent changes and contributions at 100,000 revisions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _fk(table, column, target):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade():
    delivery = [
        sa.Column(f"email_{kind}", sa.String(length=10), nullable=False)
        for kind in ("edit", "topic", "reply", "comment", "mention")
    ]
    op.create_table(
        "user_profile",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("bio_html", sa.Text(), nullable=False),
        sa.Column("auto_watch", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        *delivery,
        sa.Column("feed_token_hash", sa.String(length=64), nullable=True),
        sa.Column("digest_last_id", sa.Integer(), nullable=False),
        sa.Column("digest_sent_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("user_profile", "user_id", "user"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_profile")),
        sa.UniqueConstraint("feed_token_hash", name=op.f("uq_user_profile_feed_token_hash")),
    )
    op.create_table(
        "watch",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("watch", "page_id", "page"),
        _fk("watch", "user_id", "user"),
        sa.PrimaryKeyConstraint("user_id", "page_id", name=op.f("pk_watch")),
    )
    op.create_index(op.f("ix_watch_page_id"), "watch", ["page_id"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("dedupe_key", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("page_id", sa.Integer(), nullable=True),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("base_revision_id", sa.Integer(), nullable=True),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        _fk("notification", "actor_id", "user"),
        _fk("notification", "base_revision_id", "revision"),
        _fk("notification", "comment_id", "comment"),
        _fk("notification", "group_id", "notification"),
        _fk("notification", "page_id", "page"),
        _fk("notification", "revision_id", "revision"),
        _fk("notification", "topic_id", "topic"),
        _fk("notification", "user_id", "user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("user_id", "dedupe_key", name=op.f("uq_notification_user_id")),
    )
    op.create_index(op.f("ix_notification_group_id"), "notification", ["group_id"])
    op.create_index("ix_notification_user_id_id", "notification", ["user_id", "id"])
    op.create_index(
        "ix_notification_user_id_read_at_id", "notification", ["user_id", "read_at", "id"]
    )
    op.create_table(
        "page_contributor",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("edits", sa.Integer(), nullable=False),
        sa.Column("bytes_added", sa.Integer(), nullable=False),
        sa.Column("created", sa.Boolean(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        _fk("page_contributor", "page_id", "page"),
        _fk("page_contributor", "user_id", "user"),
        sa.PrimaryKeyConstraint("page_id", "user_id", name=op.f("pk_page_contributor")),
    )
    op.create_index(op.f("ix_page_contributor_user_id"), "page_contributor", ["user_id"])
    op.create_table(
        "email_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        _fk("email_outbox", "notification_id", "notification"),
        _fk("email_outbox", "user_id", "user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_outbox")),
    )
    op.create_index("ix_email_outbox_sent_at_id", "email_outbox", ["sent_at", "id"])
    op.create_index("ix_revision_created_at_id", "revision", ["created_at", "id"])
    op.create_index(
        "ix_revision_author_id_created_at_id", "revision", ["author_id", "created_at", "id"]
    )
    op.create_index(
        "ix_revision_page_id_created_at_id", "revision", ["page_id", "created_at", "id"]
    )
    op.create_index("ix_comment_created_at_id", "comment", ["created_at", "id"])
    # Credit the revisions saved before this migration.
    op.execute(
        """
        INSERT INTO page_contributor
            (page_id, user_id, edits, bytes_added, created, first_at, last_at)
        SELECT page_id, author_id, COUNT(id),
               SUM(CASE WHEN size_change > 0 THEN size_change ELSE 0 END),
               MAX(CASE WHEN parent_id IS NULL THEN 1 ELSE 0 END) = 1,
               MIN(created_at), MAX(created_at)
        FROM revision
        WHERE author_id IS NOT NULL
        GROUP BY page_id, author_id
        """
    )


def downgrade():
    op.drop_index("ix_comment_created_at_id", table_name="comment")
    op.drop_index("ix_revision_page_id_created_at_id", table_name="revision")
    op.drop_index("ix_revision_author_id_created_at_id", table_name="revision")
    op.drop_index("ix_revision_created_at_id", table_name="revision")
    op.drop_table("email_outbox")
    op.drop_table("page_contributor")
    op.drop_table("notification")
    op.drop_table("watch")
    op.drop_table("user_profile")
