"""The short-lived cache of anonymous page views."""

import zlib

import pytest

from tests.helpers import base_config, edit, finish_jobs, release
from wiki import create_app
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import User
from wiki.pages.service import save_page


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


def test_anonymous_views_are_served_from_cache_while_nothing_changes(cached, client, make_page):
    page = make_page("Cached", "first words")
    finish_jobs(cached)  # a job the save queued may change content (and the generation) later
    assert "first words" in client.get("/wiki/Cached").get_data(as_text=True)
    # Change the stored text behind the wiki's back (no save, no generation bump): the
    # reader still gets the cached view, which shows the cache is used.
    page.latest.summary = "changed behind the cache"
    page.latest.blob.data = zlib.compress(b"sneaky words")
    db.session.commit()
    assert "first words" in client.get("/wiki/Cached").get_data(as_text=True)


def test_a_save_is_seen_at_once_by_every_app_server(cached, database_url, tmp_path, make_page):
    latest = make_page("Shared", "first words").latest_revision_id
    reader = cached.test_client()
    assert "first words" in reader.get("/wiki/Shared").get_data(as_text=True)
    # A second app on the same database stands for a second server process.
    other = create_app(base_config(tmp_path / "other", database_url))
    with other.app_context():
        save_page(
            parse_title("Shared"),
            "second words",
            author=db.session.scalar(db.select(User).where(User.key == "pagebot")),
            base_revision_id=latest,
        )
        release(other)
    assert "second words" in reader.get("/wiki/Shared").get_data(as_text=True)


def test_successful_post_empties_cache(cached, client, make_user, make_page, login_as):
    make_page("Fresh", "old text")
    client.get("/wiki/Fresh")
    writer = login_as(make_user("alice"))
    edit(writer, "Fresh", "new text")
    assert "new text" in client.get("/wiki/Fresh").get_data(as_text=True)


def test_logged_in_readers_are_never_served_from_cache(cached, client, make_user, auth, make_page):
    make_page("Mine", "text")
    client.get("/wiki/Mine")
    make_user("alice")
    auth.login("alice")
    assert "alice" in client.get("/wiki/Mine").get_data(as_text=True)
