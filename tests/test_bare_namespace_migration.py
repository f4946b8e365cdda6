"""Migration 0021 on an existing wiki: pages titled with a bare namespace prefix get a name
they can be opened by, with their subpages, keeping their history and what follows them by
key (protection, review policy, drafts); other pages are left alone."""

import pytest
from flask_migrate import upgrade
from sqlalchemy import text as sql

from tests.helpers import (
    ENGINES,
    add_user,
    on_new_database,
    release,
    save,
    saves_on_an_older_schema,
)
from wiki.access.models import Protection
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Draft, Page, Role
from wiki.pages.drafts import save_draft
from wiki.review.models import PageReviewPolicy

#: Titles the wiki accepted before, made here by renaming pages saved normally.
OLD = {
    "Category:Bare": "Category:",
    "Category:Bare/Ideas": "Category:/Ideas",
    "Template:Bare": "template :",
    "File:Bare": "Ｆile:",  # a full-width letter: its key is NFKC, "file:"
}


def check_upgrade(app) -> None:
    with app.app_context():
        upgrade(revision="0020")
        giulia = add_user("giulia", role=Role.ADMIN)
        with saves_on_an_older_schema():
            for title, old in OLD.items():
                save(title, f"Text of {old}", giulia)
            save("Category:Untitled", "Already taken.", giulia)
            save("File:Logo.png", "The logo.", giulia)
        # What follows a page by its key: a protection, a review policy, a draft.
        db.session.add(Protection(page_key="category:bare", title="Category:Bare", level=2))
        db.session.add(PageReviewPolicy(page_key="category:bare", policy="all"))
        db.session.commit()
        save_draft(giulia, parse_title("Category:Bare"), "Half written.", "", None)
        for title, old in OLD.items():
            key = parse_title(title).key
            new_key = old.casefold().replace("ｆ", "f")
            for table, column in (
                ("page", "key"),
                ("protection", "page_key"),
                ("draft", "page_key"),
            ):
                db.session.execute(
                    sql(f"UPDATE {table} SET title = :old, {column} = :new WHERE {column} = :key"),
                    {"old": old, "new": new_key, "key": key},
                )
            db.session.execute(
                sql("UPDATE page_review_policy SET page_key = :new WHERE page_key = :key"),
                {"new": new_key, "key": key},
            )
        db.session.commit()
        upgrade()
        db.session.remove()
        titles = {page.title: page for page in db.session.query(Page)}
        renamed = {
            "Category:Untitled 2": "Category:",
            "Category:Untitled 2/Ideas": "Category:/Ideas",  # stays under its page
            "template:Untitled": "template :",
            "Ｆile:Untitled": "Ｆile:",
        }
        for new, old in renamed.items():
            assert titles[new].latest.text == f"Text of {old}"
            assert titles[new].key == parse_title(new).key  # found by its address
        assert not set(OLD.values()) & set(titles)
        assert titles["Category:Untitled"].latest.text == "Already taken."
        assert titles["File:Logo.png"].latest.text == "The logo."
        new_key = parse_title("Category:Untitled 2").key
        assert db.session.query(Protection).one().page_key == new_key
        assert db.session.query(PageReviewPolicy).one().page_key == new_key
        assert db.session.query(Draft).one().page_key == new_key
        client = app.test_client()
        for new, old in renamed.items():
            page = client.get("/wiki/" + new.replace(" ", "_"))
            assert page.status_code == 200 and f"Text of {old}" in page.get_data(as_text=True)
        assert client.get("/history/template:Untitled").status_code == 200
        release(app)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bare_namespace_title_gets_a_name_and_keeps_its_page(engine, tmp_path):
    on_new_database(engine, tmp_path, "bottega_migration_bare", check_upgrade)
