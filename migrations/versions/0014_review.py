"""Pending changes: a published revision per page, review states, per-page review policies,
scheduled publications.

Every existing page's latest revision becomes its published one.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # In place: a batch rebuild of "page" would drop the table every other table's
        # foreign keys point at, which SQLite refuses once pages have revisions.
        op.execute(
            "ALTER TABLE page ADD COLUMN published_revision_id INTEGER "
            "CONSTRAINT fk_page_published_revision_id_revision REFERENCES revision (id)"
        )
    else:
        op.add_column("page", sa.Column("published_revision_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_page_published_revision_id_revision"),
            "page",
            "revision",
            ["published_revision_id"],
            ["id"],
        )
    op.execute("UPDATE page SET published_revision_id = latest_revision_id")
    op.create_table(
        "revision_review",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revision.id"], name=op.f("fk_revision_review_revision_id_revision")
        ),
        sa.ForeignKeyConstraint(
            ["page_id"], ["page.id"], name=op.f("fk_revision_review_page_id_page")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["user.id"], name=op.f("fk_revision_review_reviewer_id_user")
        ),
        sa.PrimaryKeyConstraint("revision_id", name=op.f("pk_revision_review")),
    )
    op.create_index(
        op.f("ix_revision_review_page_id"), "revision_review", ["page_id"], unique=False
    )
    op.create_index(
        "ix_revision_review_state_page_id", "revision_review", ["state", "page_id"], unique=False
    )
    op.create_table(
        "page_review_policy",
        sa.Column("page_key", sa.String(length=255), nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["user.id"], name=op.f("fk_page_review_policy_set_by_id_user")
        ),
        sa.PrimaryKeyConstraint("page_key", name=op.f("pk_page_review_policy")),
    )
    op.create_table(
        "scheduled_publication",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("publish_at", sa.DateTime(), nullable=False),
        sa.Column("scheduled_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"], ["page.id"], name=op.f("fk_scheduled_publication_page_id_page")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revision.id"],
            name=op.f("fk_scheduled_publication_revision_id_revision"),
        ),
        sa.ForeignKeyConstraint(
            ["scheduled_by_id"],
            ["user.id"],
            name=op.f("fk_scheduled_publication_scheduled_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("page_id", name=op.f("pk_scheduled_publication")),
    )
    op.create_index(
        op.f("ix_scheduled_publication_publish_at"), "scheduled_publication", ["publish_at"]
    )


def downgrade():
    op.drop_index(op.f("ix_scheduled_publication_publish_at"), table_name="scheduled_publication")
    op.drop_table("scheduled_publication")
    op.drop_table("page_review_policy")
    op.drop_index("ix_revision_review_state_page_id", table_name="revision_review")
    op.drop_index(op.f("ix_revision_review_page_id"), table_name="revision_review")
    op.drop_table("revision_review")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column with a foreign key in place, and rebuilding "page"
        # fails once pages have revisions: the column stays, unused by the older code.
        return
    op.drop_constraint(op.f("fk_page_published_revision_id_revision"), "page", type_="foreignkey")
    op.drop_column("page", "published_revision_id")
