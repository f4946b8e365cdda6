"""The short-lived cache of page views: shared by anonymous readers, per person otherwise."""

import zlib

import pytest

from tests.helpers import base_config, edit, finish_jobs, page_named, release, save, text
from wiki import create_app
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.i18n import translations
from wiki.models import Role, User
from wiki.pages.service import save_page
from wiki.review import publishing
from wiki.safety.accounts import set_role


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


def test_logged_in_readers_never_get_the_anonymous_copy(
    cached, client, make_user, auth, make_page
):
    make_page("Mine", "text")
    client.get("/wiki/Mine")
    make_user("alice")
    auth.login("alice")
    assert "alice" in client.get("/wiki/Mine").get_data(as_text=True)


def rename_behind_the_cache(old: str, new: str) -> None:
    """Rename an account in the database without telling the wiki (no generation bump)."""
    user = db.session.scalar(db.select(User).where(User.username == old))
    user.username = new
    db.session.commit()


def test_a_person_gets_their_own_copy_until_they_act(cached, make_page, login_as, people):
    make_page("Plan", "first words")
    finish_jobs(cached)
    alice, bob = login_as(people["alice"]), login_as(people["bob"])
    alice.get("/wiki/Plan")  # shows the message of logging in: never kept
    assert "pagebot" in alice.get("/wiki/Plan").get_data(as_text=True)
    rename_behind_the_cache("pagebot", "renamedbot")
    assert "pagebot" in alice.get("/wiki/Plan").get_data(as_text=True)  # her copy
    # Another person never gets her copy: the page is drawn for him, with his name.
    shown = bob.get("/wiki/Plan").get_data(as_text=True)
    assert "renamedbot" in shown and 'class="me">bob<' in shown and ">alice<" not in shown
    # Anything she does (here: watching the page) is seen on her next view.
    assert alice.post("/watch/Plan", data={}).status_code == 302
    assert "renamedbot" in alice.get("/wiki/Plan").get_data(as_text=True)


def test_messages_waiting_for_a_person_are_never_lost_to_their_copy(
    cached, make_page, login_as, people
):
    make_page("Plan", "first words")
    finish_jobs(cached)
    alice = login_as(people["alice"])
    alice.get("/wiki/Plan")
    with alice.session_transaction() as session:
        session["_flashes"] = [("info", "A message for alice")]
    assert "A message for alice" in alice.get("/wiki/Plan").get_data(as_text=True)
    assert "A message for alice" not in alice.get("/wiki/Plan").get_data(as_text=True)


def test_a_change_of_role_shows_on_the_persons_next_view(cached, make_page, login_as, people):
    make_page("Plan", "first words")
    finish_jobs(cached)
    mod = login_as(people["mod"])
    mod.get("/wiki/Plan")  # shows the message of logging in: never kept
    assert "staff-link" in mod.get("/wiki/Plan").get_data(as_text=True)
    set_role(people["root"], people["mod"], str(int(Role.EDITOR)), "Rotation")
    assert "staff-link" not in mod.get("/wiki/Plan").get_data(as_text=True)


def test_kept_anonymous_views_are_answered_before_the_app_runs_with_the_same_headers(
    cached, client, make_page
):
    make_page("Plan", "first words")
    finish_jobs(cached)
    ran = []
    cached.before_request_funcs.setdefault(None, []).insert(0, lambda: ran.append(1))
    first = client.get("/wiki/Plan")
    assert len(ran) == 1
    again = client.get("/wiki/Plan")
    engine = cached.config["SQLALCHEMY_DATABASE_URI"].split(":")[0]
    # SQLite: the front door answers (no hook runs); elsewhere Flask serves the kept copy.
    assert len(ran) == (1 if engine == "sqlite" else 2)
    assert again.get_data() == first.get_data()
    for name in ("Content-Security-Policy", "X-Frame-Options", "Vary", "Content-Type"):
        assert again.headers[name] == first.headers[name]
    assert "Set-Cookie" not in again.headers
    # Another query, another language: not the kept copy.
    client.get("/wiki/Plan?stable=0")
    client.get("/wiki/Plan", headers={"Accept-Language": "it"})
    assert len(ran) == (3 if engine == "sqlite" else 4)


def test_a_view_asked_for_another_host_is_never_given_to_other_readers(cached, client, make_page):
    make_page("Plan", "first words")
    finish_jobs(cached)
    # The canonical address is the request's own (no SITE_URL): a forged Host header must
    # not plant its links in the copy every other anonymous reader is given.
    forged = client.get("/wiki/Plan", headers={"Host": "evil.example"})
    assert "http://evil.example/wiki/Plan" in forged.get_data(as_text=True)
    shown = client.get("/wiki/Plan").get_data(as_text=True)
    assert "evil.example" not in shown
    assert 'rel="canonical" href="http://localhost/wiki/Plan"' in shown


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_a_kept_view_read_often_still_ends_when_its_time_is_up(
    cached, make_page, login_as, people, monkeypatch
):
    # What no content change announces (how long ago the page was edited, a block or a
    # protection running out) is bounded by PAGE_CACHE_SECONDS, however often it is read.
    clock = Clock()
    monkeypatch.setattr("wiki.pages.cache.time", clock)
    make_page("Plan", "first words")
    finish_jobs(cached)
    alice = login_as(people["alice"])
    alice.get("/wiki/Plan")  # shows the message of logging in: never kept
    assert "pagebot" in alice.get("/wiki/Plan").get_data(as_text=True)  # kept for 60 s
    rename_behind_the_cache("pagebot", "renamedbot")
    clock.now += 50
    assert "pagebot" in alice.get("/wiki/Plan").get_data(as_text=True)  # still her copy
    clock.now += 20
    assert "renamedbot" in alice.get("/wiki/Plan").get_data(as_text=True)


def test_rejected_changes_leave_every_kept_view_at_once(cached, people, login_as):
    cached.config["REVIEW_POLICY"] = "newcomers"
    result = save("Launch", "Secret launch zanzibarquux", people["newbie"])
    finish_jobs(cached)
    carol = login_as(people["carol"])
    carol.get("/wiki/Launch")  # shows the message of logging in: never kept
    assert "1 change waits for review" in text(carol.get("/wiki/Launch"))
    publishing.reject(people["moderator"], page_named("Launch"), result.revision.id, "Spam")
    assert "1 change waits for review" not in text(carol.get("/wiki/Launch"))


def _save_elsewhere(database_url, tmp_path, title: str, text: str) -> None:
    """Save a page through a second app on the same database (another server process)."""
    other = create_app(base_config(tmp_path / "other", database_url))
    with other.app_context():
        page = page_named(title)
        save_page(
            parse_title(title),
            text,
            author=db.session.scalar(db.select(User).where(User.key == "pagebot")),
            base_revision_id=page.latest_revision_id if page else None,
        )
        release(other)


def test_an_edit_of_another_page_leaves_a_kept_view_in_place(
    cached, client, database_url, tmp_path, make_page, make_user
):
    writer = make_user("writer")
    make_page("Pricing", "first words, see [[Press kit]]", author=writer)
    make_page("Launch", "Plans.")
    finish_jobs(cached)
    assert ">writer<" in client.get("/wiki/Pricing").get_data(as_text=True)
    assert "Plans." in client.get("/wiki/Launch").get_data(as_text=True)
    writer.username = "renamed"  # behind the cache's back: an uncached view would show it
    db.session.commit()
    _save_elsewhere(database_url, tmp_path, "Launch", "Plans, dated.")
    # The edited page is shown anew at once; the other page's copy was kept.
    assert "Plans, dated." in client.get("/wiki/Launch").get_data(as_text=True)
    assert ">writer<" in client.get("/wiki/Pricing").get_data(as_text=True)
    # A new page is more than an edit: every kept view goes (its red link turns blue).
    _save_elsewhere(database_url, tmp_path, "Press kit", "Logos.")
    shown = client.get("/wiki/Pricing").get_data(as_text=True)
    assert ">renamed<" in shown and 'class="wikilink new"' not in shown


def test_a_category_and_a_translation_follow_edits_of_other_pages_at_once(
    cached, client, database_url, tmp_path, make_page, people
):
    make_page("Category:Launches", "Every launch.")
    spring = make_page("Spring", "Plans.")
    primavera = make_page("Primavera", "Piani.")
    primavera.lang = "it"
    db.session.commit()
    translations.link(primavera, spring, people["alice"], synced_revision_id=spring.latest.id)
    finish_jobs(cached)
    assert "Spring" not in client.get("/wiki/Category:Launches").get_data(as_text=True)
    assert "translation-outdated" not in client.get("/wiki/Primavera").get_data(as_text=True)
    _save_elsewhere(database_url, tmp_path, "Spring", "Plans.\n\n[[Category:Launches]]")
    assert "Spring" in client.get("/wiki/Category:Launches").get_data(as_text=True)
    assert "translation-outdated" in client.get("/wiki/Primavera").get_data(as_text=True)


def test_a_persons_copy_survives_edits_elsewhere_but_not_news_for_them(
    cached, database_url, tmp_path, make_page, make_user, login_as, people
):
    writer = make_user("writer")
    make_page("Pricing", "Prices.", author=writer)
    make_page("Launch", "Plans.", author=people["alice"])  # alice watches what she writes
    make_page("Other", "Words.")
    finish_jobs(cached)
    alice = login_as(people["alice"])
    alice.get("/wiki/Pricing")  # shows the message of logging in
    assert ">writer<" in alice.get("/wiki/Pricing").get_data(as_text=True)
    writer.username = "renamed"  # behind the cache's back: an uncached view would show it
    db.session.commit()
    _save_elsewhere(database_url, tmp_path, "Other", "More words.")  # alice does not watch it
    shown = alice.get("/wiki/Pricing").get_data(as_text=True)
    assert ">writer<" in shown and "bell-count" not in shown
    _save_elsewhere(database_url, tmp_path, "Launch", "Plans, dated.")  # she is told
    shown = alice.get("/wiki/Pricing").get_data(as_text=True)
    assert 'bell-count">1<' in shown and ">renamed<" in shown
