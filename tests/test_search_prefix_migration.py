"""Migration 0020 on an existing wiki: SQLite's search index gets prefix indexes without
a reindex, finds the same pages for prefixes and words as before, and goes back."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text as sql

from tests.helpers import (
    ENGINES,
    add_user,
    on_new_database,
    release,
    save,
    saves_on_an_older_schema,
)
from wiki.extensions import db
from wiki.search.service import search

PAGES = {
    "Partner Program": "Our partners resell the suite.",
    "Partnerships": "How a partnership starts.",
    "Spring Campaign": "The launch of the spring campaign with partner shops.",
    "Pricing": "What the suite costs.",
}
QUERIES = ("partn", "partner", "partnership", "camp", "the suite", '"spring campaign"', "sui")


def found() -> dict[str, list[str]]:
    """Return the titles each query finds, in order (ending the read: migrations alter the
    search table, which an open read would hold)."""
    db.session.remove()
    try:
        return {q: [hit.page.title for hit in search(q).hits] for q in QUERIES}
    finally:
        db.session.remove()


def table_sql() -> str:
    statement = sql("SELECT sql FROM sqlite_master WHERE name = 'search_index'")
    return db.session.execute(statement).scalar_one()


def check_upgrade(app) -> None:
    with app.app_context():
        upgrade(revision="0019")
        giulia = add_user("giulia")
        with saves_on_an_older_schema():
            for title, text in PAGES.items():
                save(title, text, giulia)
        before = found()
        assert before["partn"] and set(before["partn"]) == {
            "Partner Program",
            "Partnerships",
            "Spring Campaign",
        }
        upgrade()
        assert found() == before
        if db.engine.dialect.name == "sqlite":
            assert "prefix" in table_sql()
        # A save after the upgrade is indexed in the new table.
        giulia = db.session.merge(giulia)
        save("Partner Day", "A day for resellers.", giulia)
        assert "Partner Day" in found()["partn"]
        after = found()
        downgrade(revision="0019")
        assert found() == after
        if db.engine.dialect.name == "sqlite":
            assert "prefix" not in table_sql()
        release(app)


@pytest.mark.parametrize("engine", ENGINES)
def test_prefix_indexes_keep_every_search_result_both_ways(engine, tmp_path):
    on_new_database(engine, tmp_path, "bottega_migration_prefix", check_upgrade)
