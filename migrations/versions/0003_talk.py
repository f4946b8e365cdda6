"""Talk pages: topics, threaded comments and their versions, mentions, subscriptions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(), nullable=False),
        sa.Column("comment_count", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("locked_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"], name=op.f("fk_topic_author_id_user")),
        sa.ForeignKeyConstraint(
            ["locked_by_id"], ["user.id"], name=op.f("fk_topic_locked_by_id_user")
        ),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_topic_page_id_page")),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["user.id"], name=op.f("fk_topic_resolved_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic")),
    )
    op.create_index(
        "ix_topic_page_id_last_activity_at", "topic", ["page_id", "last_activity_at"]
    )
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("hidden_at", sa.DateTime(), nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_comment_author_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["user.id"], name=op.f("fk_comment_hidden_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comment.id"], name=op.f("fk_comment_parent_id_comment")
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topic.id"], name=op.f("fk_comment_topic_id_topic")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
    )
    op.create_index(op.f("ix_comment_topic_id"), "comment", ["topic_id"])
    op.create_index("ix_comment_author_id_created_at", "comment", ["author_id", "created_at"])
    op.create_table(
        "comment_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comment.id"], name=op.f("fk_comment_version_comment_id_comment")
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["user.id"], name=op.f("fk_comment_version_editor_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_version")),
    )
    op.create_index(op.f("ix_comment_version_comment_id"), "comment_version", ["comment_id"])
    op.create_table(
        "comment_mention",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"], ["comment.id"], name=op.f("fk_comment_mention_comment_id_comment")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_comment_mention_user_id_user")
        ),
        sa.PrimaryKeyConstraint("comment_id", "user_id", name=op.f("pk_comment_mention")),
    )
    op.create_index(op.f("ix_comment_mention_user_id"), "comment_mention", ["user_id"])
    op.create_table(
        "topic_subscription",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topic.id"], name=op.f("fk_topic_subscription_topic_id_topic")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_topic_subscription_user_id_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "topic_id", name=op.f("pk_topic_subscription")),
    )
    op.create_index(op.f("ix_topic_subscription_topic_id"), "topic_subscription", ["topic_id"])
    op.create_table(
        "page_talk_subscription",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"], ["page.id"], name=op.f("fk_page_talk_subscription_page_id_page")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_page_talk_subscription_user_id_user")
        ),
        sa.PrimaryKeyConstraint("user_id", "page_id", name=op.f("pk_page_talk_subscription")),
    )
    op.create_index(
        op.f("ix_page_talk_subscription_page_id"), "page_talk_subscription", ["page_id"]
    )


def downgrade():
    op.drop_table("page_talk_subscription")
    op.drop_table("topic_subscription")
    op.drop_table("comment_mention")
    op.drop_table("comment_version")
    op.drop_table("comment")
    op.drop_table("topic")
