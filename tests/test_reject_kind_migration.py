"""Rejections made before migration 0027 read as reviews, not as undos, after the upgrade;
undos made by hand stay undos, and a downgrade puts every rejection back as it was."""

import zlib

from flask_migrate import downgrade, upgrade
from sqlalchemy import text as sql

from tests.helpers import base_config, insert_old_account, release
from wiki import create_app
from wiki.extensions import db

KINDS = "SELECT id, kind FROM revision ORDER BY id"


def test_earlier_rejections_become_their_own_kind_and_hand_made_undos_stay(tmp_path):
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite'}"))
    with app.app_context():
        upgrade(revision="0026")
        with db.engine.begin() as connection:
            insert_old_account(connection, 1, "anna")
            connection.execute(
                sql("INSERT INTO text_blob (id, sha1, data, depth) VALUES (1, :sha, :data, 0)"),
                {"sha": "a" * 40, "data": zlib.compress(b"Hello")},
            )
            connection.execute(
                sql(
                    "INSERT INTO page (id, title, key, created_at, deleted) "
                    "VALUES (1, 'Home', 'home', '2026-01-01', 0)"
                )
            )
            for revision_id, kind, key in (
                (1, "create", None),
                (2, "undo", "undo"),
                (3, "undo", "reject"),
            ):
                connection.execute(
                    sql(
                        "INSERT INTO revision (id, page_id, author_id, created_at, summary, "
                        "summary_key, minor, kind, size, size_change, sha1, text_id) VALUES "
                        "(:id, 1, 1, '2026-01-01', '', :key, 0, :kind, 5, 0, :sha, 1)"
                    ),
                    {"id": revision_id, "kind": kind, "key": key, "sha": "a" * 40},
                )
        upgrade(revision="heads")
        assert db.session.execute(sql(KINDS)).all() == [(1, "create"), (2, "undo"), (3, "reject")]
        db.session.rollback()
        downgrade(revision="0026")
        assert db.session.execute(sql(KINDS)).all() == [(1, "create"), (2, "undo"), (3, "undo")]
        db.session.rollback()
        release(app)
