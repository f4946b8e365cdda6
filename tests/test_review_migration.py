"""An existing wiki keeps showing what it showed: migration 0014 publishes every page's
latest revision, and nothing waits for review afterwards."""

import zlib

from flask_migrate import upgrade
from sqlalchemy import text as sql

from tests.helpers import base_config, insert_old_account, release
from wiki import create_app
from wiki.extensions import db


def test_every_pages_latest_revision_is_published_after_the_upgrade(tmp_path):
    app = create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite'}"))
    with app.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as connection:
            insert_old_account(connection, 1, "anna")
            connection.execute(
                sql("INSERT INTO text_blob (id, sha1, data, depth) VALUES (1, :sha, :data, 0)"),
                {"sha": "a" * 40, "data": zlib.compress(b"Hello")},
            )
            for page_id, revisions in ((1, (1, 2)), (2, (3,))):
                connection.execute(
                    sql(
                        "INSERT INTO page (id, title, key, created_at, deleted) "
                        "VALUES (:id, :title, :title, '2026-01-01', 0)"
                    ),
                    {"id": page_id, "title": f"page {page_id}"},
                )
                for revision_id in revisions:
                    connection.execute(
                        sql(
                            "INSERT INTO revision (id, page_id, author_id, created_at, summary, "
                            "minor, kind, size, size_change, sha1, text_id) VALUES "
                            "(:id, :page, 1, '2026-01-01', '', 0, 'edit', 5, 5, :sha, 1)"
                        ),
                        {"id": revision_id, "page": page_id, "sha": "a" * 40},
                    )
                connection.execute(
                    sql("UPDATE page SET latest_revision_id = :latest WHERE id = :id"),
                    {"latest": revisions[-1], "id": page_id},
                )
        upgrade(revision="heads")
        rows = db.session.execute(
            sql("SELECT id, latest_revision_id, published_revision_id FROM page ORDER BY id")
        ).all()
        assert rows == [(1, 2, 2), (2, 3, 3)]
        assert db.session.execute(sql("SELECT count(*) FROM revision_review")).scalar() == 0
        release(app)
