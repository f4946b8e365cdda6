"""The short-lived cache of anonymous page views."""

import pytest

from wiki.extensions import db
from wiki.models import Revision

from .test_pages import edit


@pytest.fixture
def cached(app):
    """Turn the page cache on, as in production."""
    app.config["PAGE_CACHE_SECONDS"] = 60
    return app


def test_anonymous_view_sets_no_cookie(cached, client, make_page):
    make_page("Open", "hello")
    response = client.get("/wiki/Open")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_anonymous_views_are_served_from_cache_until_a_change(cached, client, make_page):
    make_page("Cached", "first words")
    assert "first words" in client.get("/wiki/Cached").get_data(as_text=True)
    # A write that bypasses this process (another server) is seen only after expiry...
    page = make_page("Cached", "second words")
    assert "first words" in client.get("/wiki/Cached").get_data(as_text=True)
    # ...while a change made through this process empties the cache at once.
    assert page.latest_revision_id == db.session.scalar(db.select(db.func.max(Revision.id)))
    writer = cached.test_client()
    writer.post("/login", data={"username": "pagebot", "password": "x"})  # a POST, even failed
    assert "first words" in client.get("/wiki/Cached").get_data(as_text=True)


def test_successful_post_empties_cache(cached, client, make_user, make_page):
    make_page("Fresh", "old text")
    client.get("/wiki/Fresh")
    make_user("alice")
    writer = cached.test_client()
    writer.post("/login", data={"username": "alice", "password": "correct horse battery"})
    edit(writer, "Fresh", "new text")
    assert "new text" in client.get("/wiki/Fresh").get_data(as_text=True)


def test_logged_in_readers_are_never_served_from_cache(cached, client, make_user, auth, make_page):
    make_page("Mine", "text")
    client.get("/wiki/Mine")
    make_user("alice")
    auth.login("alice")
    assert "alice" in client.get("/wiki/Mine").get_data(as_text=True)
