"""Sign-in: provider identities, email addresses, two-factor secrets and recovery codes;
the outbox can address a message to any address (verification links, password resets).

The address each person gave for notifications becomes a verified address of theirs: it
has been receiving the wiki's email, and nothing about existing accounts changes. Where
two accounts gave the same address, only the older account's copy is verified.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _fk(table, column, target="user"):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade():
    op.create_table(
        "provider_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("display", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        _fk("provider_identity", "user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_identity")),
        sa.UniqueConstraint("provider", "subject", name=op.f("uq_provider_identity_provider")),
    )
    op.create_index("ix_provider_identity_user_id", "provider_identity", ["user_id"])
    email_address = op.create_table(
        "email_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("key", sa.String(length=254), nullable=False),
        sa.Column("verified_key", sa.String(length=254), nullable=True),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("email_address", "user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_address")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_email_address_user_id")),
        sa.UniqueConstraint("verified_key", name=op.f("uq_email_address_verified_key")),
    )
    op.create_index("ix_email_address_user_id", "email_address", ["user_id"])
    op.create_index("ix_email_address_key", "email_address", ["key"])
    op.create_table(
        "two_factor",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("two_factor", "user_id"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_two_factor")),
    )
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        _fk("recovery_code", "user_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
    )
    op.create_index("ix_recovery_code_user_id", "recovery_code", ["user_id"])
    with op.batch_alter_table("email_outbox") as batch:
        batch.add_column(sa.Column("recipient", sa.String(length=254), nullable=True))
    _adopt_notification_addresses(email_address)


def _adopt_notification_addresses(email_address):
    """Make each notification address its owner's verified address (the oldest owner's)."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT user_id, email FROM user_profile WHERE email <> '' ORDER BY user_id")
    ).all()
    now = datetime.now(UTC).replace(tzinfo=None)
    seen = set()
    adopted = []
    for user_id, address in rows:
        key = address.strip().lower()
        verified = key not in seen
        seen.add(key)
        adopted.append(
            {
                "user_id": user_id,
                "address": address,
                "key": key,
                "verified_key": key if verified else None,
                "verified_at": now if verified else None,
                "created_at": now,
            }
        )
    if adopted:
        op.bulk_insert(email_address, adopted)


def downgrade():
    with op.batch_alter_table("email_outbox") as batch:
        batch.drop_column("recipient")
    op.drop_table("recovery_code")
    op.drop_table("two_factor")
    op.drop_table("email_address")
    op.drop_table("provider_identity")
