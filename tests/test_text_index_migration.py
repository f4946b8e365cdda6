"""Migration 0029 on an existing wiki: a save's check whether a page still shows the text
it replaced finds that text's revisions through an index (it read every revision)."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select
from sqlalchemy import text as sql

from tests.helpers import ENGINES, on_new_database, plan, release
from wiki.extensions import db
from wiki.models import RenderedText
from wiki.pages import content


def forget_plan() -> str:
    """Return the plan of the condition of the statement dropping a replaced text's HTML."""
    condition = select(RenderedText.sha1).where(content._FORGET_RENDERED.whereclause)
    return plan(condition.params(sha1="0" * 40, text_id=1))


def check_upgrade(app) -> None:
    with app.app_context():
        upgrade(revision="0028")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sql("SET enable_seqscan = off"))  # empty tables
        assert "ix_revision_text_id" not in forget_plan()
        db.session.rollback()
        upgrade(revision="heads")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sql("SET enable_seqscan = off"))
        assert "ix_revision_text_id" in forget_plan()
        db.session.rollback()
        downgrade(revision="0028")
        db.session.remove()
        db.engine.dispose()  # a new connection: SQLite's kept statements knew the index
        assert "ix_revision_text_id" not in forget_plan()
        db.session.rollback()
        release(app)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_saves_check_of_the_replaced_text_uses_the_index_after_the_upgrade(engine, tmp_path):
    on_new_database(engine, tmp_path, "bottega_text_index", check_upgrade)
