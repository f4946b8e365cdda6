"""Trust and safety: site policy, blocks, page protection, approvals, live sessions,
login failures, one-time links, and the masked address of anonymous edits.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _fk(table, column, target="user"):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade():
    op.create_table(
        "site_setting",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        _fk("site_setting", "updated_by_id"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_site_setting")),
    )
    op.create_table(
        "block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        _fk("block", "user_id"),
        _fk("block", "created_by_id"),
        _fk("block", "lifted_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_block")),
    )
    op.create_index("ix_block_user_id_lifted_at", "block", ["user_id", "lifted_at"])
    op.create_index("ix_block_address_lifted_at", "block", ["address", "lifted_at"])
    op.create_table(
        "protection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_key", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        _fk("protection", "created_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protection")),
        sa.UniqueConstraint("page_key", name=op.f("uq_protection_page_key")),
    )
    op.create_table(
        "approval",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        _fk("approval", "user_id"),
        _fk("approval", "approved_by_id"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_approval")),
    )
    op.create_table(
        "user_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("user_session", "user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
    )
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"])
    op.create_table(
        "login_failure",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_failure")),
    )
    op.create_table(
        "one_time_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        _fk("one_time_link", "user_id"),
        _fk("one_time_link", "created_by_id"),
        _fk("one_time_link", "used_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_one_time_link_token_hash")),
    )
    # A nullable column with no default: SQLite adds it without rebuilding the table.
    op.add_column("revision", sa.Column("author_ip", sa.String(length=64), nullable=True))


def downgrade():
    # SQLite 3.35+ drops a plain column in place; a batch rebuild of "revision" would break
    # the foreign keys that point at it.
    op.drop_column("revision", "author_ip")
    for table in (
        "one_time_link",
        "login_failure",
        "user_session",
        "approval",
        "protection",
        "block",
        "site_setting",
    ):
        op.drop_table(table)
