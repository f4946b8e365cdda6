"""Existing accounts keep working: the address each gave for notifications becomes theirs,
verified, when the sign-in tables arrive (migration 0011)."""

from flask_migrate import upgrade
from sqlalchemy import text as sql

from tests.helpers import base_config, insert_old_account, release
from wiki import create_app
from wiki.extensions import db


def test_notification_addresses_become_verified_addresses(tmp_path):
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite'}"))
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as connection:
            for number, name in enumerate(["anna", "bert", "cleo"], start=1):
                insert_old_account(connection, number, name)
            for user_id, email in [(1, "Anna@Example.test"), (2, "anna@example.test"), (3, "")]:
                connection.execute(
                    sql(
                        "INSERT INTO user_profile (user_id, display_name, bio, bio_html, "
                        "auto_watch, email, email_edit, email_topic, email_reply, "
                        "email_comment, email_mention, digest_last_id, updated_at) VALUES "
                        "(:id, '', '', '', 1, :email, 'digest', 'digest', 'immediate', "
                        "'digest', 'immediate', 0, '2026-01-01')"
                    ),
                    {"id": user_id, "email": email},
                )
        upgrade(revision="heads")
        rows = db.session.execute(
            sql("SELECT user_id, address, verified_key FROM email_address ORDER BY user_id")
        ).all()
        assert rows == [
            (1, "Anna@Example.test", "anna@example.test"),
            (2, "anna@example.test", None),  # the same address: only the older account's
        ]
        release(app)
