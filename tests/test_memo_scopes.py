"""Scoped generations (wiki/memo.py): what an edit of one page changes on other pages' views.

Each test reads a page in this app, edits ANOTHER existing page through a second app on the
same database (another server process), and reads again here. Before the scopes, every
save bumped the one content generation, and each of these passed.
"""

from datetime import timedelta

import pytest

from tests import file_samples as samples
from tests.helpers import finish_jobs
from wiki.api import tokens
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.identity import user_key
from wiki.models import Page, User, utcnow
from wiki.pages.service import save_page
from wiki.review import scheduling


@pytest.fixture(autouse=True, params=[0, 60], ids=["page-cache-off", "page-cache-on"])
def page_cache(request, app):
    app.config["PAGE_CACHE_SECONDS"] = request.param


def edit_elsewhere(app, title: str, text: str, author: str = "bob", **options) -> None:
    """Edit an existing page through the other app, as a person would."""
    with app.app_context():
        page = db.session.scalar(db.select(Page).where(Page.key == parse_title(title).key))
        assert page is not None and page.latest_revision_id is not None  # an edit, not a new page
        user = db.session.scalar(db.select(User).where(User.key == user_key(author)))
        save_page(
            parse_title(title),
            text,
            author=user,
            base_revision_id=page.latest_revision_id,
            **options,
        )
        db.session.remove()


def test_an_embedded_file_follows_an_edit_of_the_redirect_it_goes_through(
    app, other, client, people, make_page, login_as
):
    """files/reading.embedded follows one redirect (Page.redirect_key, set by an edit)."""
    alice = login_as(people["alice"])
    assert samples.upload(alice, samples.png(), "Logo.png").status_code == 302
    make_page("File:Old logo.png", "The old logo was lost.")
    make_page("Launch", "Our logo: ![Logo](File:Old logo.png)")
    people["bob"]
    finish_jobs(app)
    assert 'class="wikifile new"' in client.get("/wiki/Launch").get_data(as_text=True)
    edit_elsewhere(other, "File:Old logo.png", "#REDIRECT [[File:Logo.png]]")
    shown = client.get("/wiki/Launch").get_data(as_text=True)
    assert 'class="wikifile new"' not in shown and "<img" in shown


def test_a_category_page_published_by_an_edit_turns_its_links_blue(
    app, other, client, people, make_page
):
    """organise.service.page_categories says whether the category page is published."""
    make_page("Launch", "Plans.\n\n[[Category:Drafts]]")
    people["root"]
    app.config["REVIEW_POLICY"] = "newcomers"
    make_page("Category:Drafts", "Pages not ready yet.", author=people["newbie"])  # waits
    finish_jobs(app)
    assert 'class="new">Drafts<' in client.get("/wiki/Launch").get_data(as_text=True)
    # An administrator edits it and publishes what waited: an edit of an existing page.
    edit_elsewhere(other, "Category:Drafts", "Pages not ready.", "root", publish_waiting=True)
    with app.app_context():
        assert page_named_published("Category:Drafts")
    assert 'class="new">Drafts<' not in client.get("/wiki/Launch").get_data(as_text=True)


def page_named_published(title: str) -> bool:
    page = db.session.scalar(db.select(Page).where(Page.key == parse_title(title).key))
    db.session.refresh(page)
    return page.published_revision_id is not None


def test_a_save_through_the_api_shows_the_watch_star_it_set(
    app, client, people, make_page, login_as
):
    """The save watches the page for its author (auto_watch); an API request renews no
    person version, so the star's memo (RULES) is not read again."""
    make_page("Pricing", "Prices.")
    alice = login_as(people["alice"])
    alice.get("/wiki/Pricing")  # the message of logging in
    assert "Unwatch" not in alice.get("/wiki/Pricing").get_data(as_text=True)
    _token, raw = tokens.create_token(people["alice"], "CMS", ["edit"])
    base = db.session.scalar(db.select(Page).where(Page.key == "pricing")).latest_revision_id
    response = client.put(
        "/api/v1/pages/Pricing",
        json={"text": "Prices, lower.", "base_revision": base},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    shown = alice.get("/wiki/Pricing").get_data(as_text=True)
    assert "Prices, lower." in shown
    assert "Unwatch" in shown


def test_a_publication_scheduled_elsewhere_shows_on_the_page_at_once(
    app, other, people, make_page, login_as
):
    people["root"]
    app.config["REVIEW_POLICY"] = "newcomers"
    make_page("Launch", "Plans.")
    make_page("Launch", "Plans, by a newcomer.", author=people["newbie"])  # waits
    finish_jobs(app)
    alice = login_as(people["alice"])
    alice.get("/wiki/Launch")  # shows the message of logging in
    assert "Scheduled to be published" not in alice.get("/wiki/Launch").get_data(as_text=True)
    with other.app_context():
        page = db.session.scalar(db.select(Page).where(Page.key == parse_title("Launch").key))
        root = db.session.scalar(db.select(User).where(User.key == user_key("root")))
        scheduling.schedule(root, page, page.latest_revision_id, utcnow() + timedelta(days=2))
        db.session.remove()
    assert "Scheduled to be published" in alice.get("/wiki/Launch").get_data(as_text=True)
