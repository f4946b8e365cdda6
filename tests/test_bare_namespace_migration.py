"""Migration 0021 on an existing wiki: a page titled with a bare namespace prefix gets a
name it can be opened by, keeping its history; other pages are left alone."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import text as sql

from tests.helpers import ENGINES, add_user, on_new_database, release, save
from wiki.extensions import db
from wiki.models import Page


def check_upgrade(app) -> None:
    with app.app_context():
        upgrade(revision="0020")
        giulia = add_user("giulia")
        # Titles the wiki accepted before: made here by renaming pages saved normally.
        for title, old in (
            ("Category:Bare", "Category:"),
            ("Template:Bare", "template :"),
            ("Category:Bare/Ideas", "Category:/Ideas"),
        ):
            save(title, f"Text of {old}", giulia)
            db.session.execute(
                sql("UPDATE page SET title = :old, key = :key WHERE title = :title"),
                {"old": old, "key": old.casefold(), "title": title},
            )
        save("Category:Untitled", "Already taken.", giulia)
        save("File:Logo.png", "The logo.", giulia)
        db.session.commit()
        upgrade()
        db.session.remove()
        titles = {page.title: page for page in db.session.query(Page)}
        assert {"Category:Untitled 2", "template:Untitled", "Category:Untitled/Ideas"} <= set(
            titles
        )
        assert not {"Category:", "template :", "Category:/Ideas"} & set(titles)
        assert titles["Category:Untitled"].latest.text == "Already taken."
        assert titles["Category:Untitled 2"].latest.text == "Text of Category:"
        assert titles["File:Logo.png"].latest.text == "The logo."
        client = app.test_client()
        page = client.get("/wiki/Category:Untitled_2")
        assert page.status_code == 200 and "Text of Category:" in page.get_data(as_text=True)
        history = client.get("/history/template:Untitled")
        assert history.status_code == 200
        release(app)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bare_namespace_title_gets_a_name_and_keeps_its_page(engine, tmp_path):
    on_new_database(engine, tmp_path, "bottega_migration_bare", check_upgrade)
