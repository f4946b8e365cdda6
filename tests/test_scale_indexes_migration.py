"""Migration 0018 on an existing wiki: lists of changes find deleted pages through the small
partial index (before, SQLite's had a condition no query could use), and PostgreSQL's search
indexes keep no pending list."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text as sql

from tests.helpers import ENGINES, on_new_database, plan, release
from wiki.community.sql import deleted_pages
from wiki.extensions import db


def add_pages(deleted: dict[int, bool]) -> None:
    """Insert pages by id, deleted or not, as a wiki of revision 0017 holds them."""
    with db.engine.begin() as connection:
        for page_id, gone in deleted.items():
            connection.execute(
                sql(
                    "INSERT INTO page (id, title, key, created_at, deleted) "
                    "VALUES (:id, :title, :title, '2026-01-01', :deleted)"
                ),
                {"id": page_id, "title": f"page {page_id}", "deleted": gone},
            )


def gin_options() -> dict:
    """Return the storage options of the search index's GIN indexes (PostgreSQL)."""
    rows = db.session.execute(
        sql(
            "SELECT relname, reloptions FROM pg_class WHERE relkind = 'i' "
            "AND relname LIKE 'ix_search_index_%tsv' "
            "AND relnamespace = CAST(current_schema() AS regnamespace)"
        )
    )
    return dict(rows.all())


def check_upgrade(app) -> None:
    with app.app_context():
        upgrade(revision="0017")
        add_pages({1: False, 2: True, 3: False, 4: True})
        upgrade(revision="heads")
        assert sorted(db.session.scalars(deleted_pages())) == [2, 4]
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sql("SET enable_seqscan = off"))  # a four-row table
            # Searches read no pending list: saves write into the GIN indexes directly.
            assert gin_options() == {
                "ix_search_index_tsv": ["fastupdate=off"],
                "ix_search_index_title_tsv": ["fastupdate=off"],
            }
        assert "ix_page_deleted" in plan(deleted_pages())
        db.session.rollback()
        # And back: 0017's indexes again, the pages untouched.
        downgrade(revision="0017")
        assert db.session.execute(sql("SELECT count(*) FROM page")).scalar() == 4
        if db.engine.dialect.name == "postgresql":
            assert set(gin_options().values()) == {None}
        release(app)


@pytest.mark.parametrize("engine", ENGINES)
def test_lists_find_deleted_pages_through_the_index_after_the_upgrade(engine, tmp_path):
    on_new_database(engine, tmp_path, "bottega_migration", check_upgrade)
