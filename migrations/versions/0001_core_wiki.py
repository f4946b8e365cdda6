"""The core wiki: accounts, pages, append-only revisions, texts, rendered HTML, links.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("key", name=op.f("uq_user_key")),
    )
    op.create_table(
        "text_blob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha1", sa.String(length=40), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_blob")),
        sa.UniqueConstraint("sha1", name=op.f("uq_text_blob_sha1")),
    )
    op.create_table(
        "rendered_text",
        sa.Column("sha1", sa.String(length=40), nullable=False),
        sa.Column("renderer_version", sa.Integer(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("headings", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sha1", "renderer_version", name=op.f("pk_rendered_text")),
    )
    # page and revision point at each other: the page → latest revision key is added last.
    op.create_table(
        "page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("latest_revision_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page")),
        sa.UniqueConstraint("key", name=op.f("uq_page_key")),
    )
    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("minor", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("size_change", sa.Integer(), nullable=False),
        sa.Column("sha1", sa.String(length=40), nullable=False),
        sa.Column("text_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_revision_author_id_user")
        ),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_revision_page_id_page")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["revision.id"], name=op.f("fk_revision_parent_id_revision")
        ),
        sa.ForeignKeyConstraint(
            ["text_id"], ["text_blob.id"], name=op.f("fk_revision_text_id_text_blob")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision")),
    )
    op.create_index(op.f("ix_revision_author_id"), "revision", ["author_id"])
    op.create_index("ix_revision_page_id_id", "revision", ["page_id", "id"])
    with op.batch_alter_table("page") as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_page_latest_revision_id_revision"), "revision", ["latest_revision_id"], ["id"]
        )
    op.create_table(
        "link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("target_key", sa.String(length=255), nullable=False),
        sa.Column("target_title", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_link_page_id_page")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link")),
        sa.UniqueConstraint("page_id", "target_key", name=op.f("uq_link_page_id")),
    )
    op.create_index(op.f("ix_link_page_id"), "link", ["page_id"])
    op.create_index(op.f("ix_link_target_key"), "link", ["target_key"])


def downgrade():
    op.drop_table("link")
    with op.batch_alter_table("page") as batch_op:
        batch_op.drop_constraint(op.f("fk_page_latest_revision_id_revision"), type_="foreignkey")
    op.drop_table("revision")
    op.drop_table("page")
    op.drop_table("rendered_text")
    op.drop_table("text_blob")
    op.drop_table("user")
