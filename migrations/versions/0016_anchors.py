"""Anchored talk threads and word authorship: per-revision authors, page memory, anchors.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "revision_authorship",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("sha1", sa.String(length=40), nullable=False),
        sa.Column("runs", sa.Text(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revision.id"], name=op.f("fk_revision_authorship_revision_id_revision")
        ),
        sa.ForeignKeyConstraint(
            ["page_id"], ["page.id"], name=op.f("fk_revision_authorship_page_id_page")
        ),
        sa.PrimaryKeyConstraint("revision_id", name=op.f("pk_revision_authorship")),
    )
    op.create_index(
        "ix_revision_authorship_page_id_sha1", "revision_authorship", ["page_id", "sha1"]
    )
    op.create_table(
        "page_authorship",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("memory", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_page_authorship_page_id_page")),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revision.id"], name=op.f("fk_page_authorship_revision_id_revision")
        ),
        sa.PrimaryKeyConstraint("page_id", name=op.f("pk_page_authorship")),
    )
    op.create_table(
        "topic_anchor",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("exact", sa.Text(), nullable=False),
        sa.Column("prefix", sa.String(length=200), nullable=False),
        sa.Column("suffix", sa.String(length=200), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("removed_revision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["topic_id"], ["topic.id"], name=op.f("fk_topic_anchor_topic_id_topic")),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_topic_anchor_page_id_page")),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revision.id"], name=op.f("fk_topic_anchor_revision_id_revision")
        ),
        sa.ForeignKeyConstraint(
            ["removed_revision_id"],
            ["revision.id"],
            name=op.f("fk_topic_anchor_removed_revision_id_revision"),
        ),
        sa.PrimaryKeyConstraint("topic_id", name=op.f("pk_topic_anchor")),
    )
    op.create_index(op.f("ix_topic_anchor_page_id"), "topic_anchor", ["page_id"])
    op.create_table(
        "anchor_position",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revision.id"], name=op.f("fk_anchor_position_revision_id_revision")
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topic.id"], name=op.f("fk_anchor_position_topic_id_topic")
        ),
        sa.PrimaryKeyConstraint("revision_id", "topic_id", name=op.f("pk_anchor_position")),
    )


def downgrade():
    op.drop_table("anchor_position")
    op.drop_index(op.f("ix_topic_anchor_page_id"), table_name="topic_anchor")
    op.drop_table("topic_anchor")
    op.drop_table("page_authorship")
    op.drop_index("ix_revision_authorship_page_id_sha1", table_name="revision_authorship")
    op.drop_table("revision_authorship")
