"""Tokens made before tokens could expire keep working after the upgrade (migration 0024)."""

from flask_migrate import upgrade
from sqlalchemy import text as sql

from tests.helpers import base_config, insert_old_account, release
from wiki import create_app
from wiki.api import tokens
from wiki.extensions import db


def test_a_token_made_before_expiry_existed_keeps_working(tmp_path):
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite'}"))
    raw = tokens.PREFIX + "made-in-2026-before-expiry"
    with app.app_context():
        upgrade(revision="0023")
        with db.engine.begin() as connection:
            insert_old_account(connection, 1, "anna")
            connection.execute(
                sql(
                    "INSERT INTO api_token (user_id, name, token_hash, prefix, scopes, "
                    "created_at) VALUES (1, 'CMS', :hash, 'bot_made', 'read edit', '2026-01-01')"
                ),
                {"hash": tokens.token_hash(raw)},
            )
        upgrade(revision="heads")
        with app.test_request_context():
            token = tokens.authenticate(raw)
            assert (token.name, token.expires_at, token.expired) == ("CMS", None, False)
        response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
        assert response.status_code == 200 and response.get_json()["user"] == "anna"
        release(app)
