"""Files: stored bytes by content hash, every uploaded version, each file's current one.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "file_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_file_blob")),
    )
    op.create_table(
        "file_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=True),
        sa.Column("location_removed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["page_id"], ["page.id"], name=op.f("fk_file_version_page_id_page")
        ),
        sa.ForeignKeyConstraint(
            ["sha256"], ["file_blob.sha256"], name=op.f("fk_file_version_sha256_file_blob")
        ),
        sa.ForeignKeyConstraint(
            ["uploader_id"], ["user.id"], name=op.f("fk_file_version_uploader_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"], ["revision.id"], name=op.f("fk_file_version_revision_id_revision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_version")),
    )
    op.create_index("ix_file_version_page_id_id", "file_version", ["page_id", "id"])
    op.create_index(
        "ix_file_version_uploader_id_created_at", "file_version", ["uploader_id", "created_at"]
    )
    op.create_index(op.f("ix_file_version_sha256"), "file_version", ["sha256"])
    op.create_table(
        "wiki_file",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_wiki_file_page_id_page")),
        sa.ForeignKeyConstraint(
            ["version_id"], ["file_version.id"], name=op.f("fk_wiki_file_version_id_file_version")
        ),
        sa.ForeignKeyConstraint(
            ["uploader_id"], ["user.id"], name=op.f("fk_wiki_file_uploader_id_user")
        ),
        sa.PrimaryKeyConstraint("page_id", name=op.f("pk_wiki_file")),
    )
    op.create_index(op.f("ix_wiki_file_version_id"), "wiki_file", ["version_id"])
    op.create_index(
        "ix_wiki_file_uploader_id_version_id", "wiki_file", ["uploader_id", "version_id"]
    )
    op.create_index(
        "ix_wiki_file_media_type_version_id", "wiki_file", ["media_type", "version_id"]
    )


def downgrade():
    op.drop_table("wiki_file")
    op.drop_table("file_version")
    op.drop_table("file_blob")
