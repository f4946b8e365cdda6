"""What page views remember between requests (wiki/memo.py) follows changes made anywhere.

Each test reads a page once in this app (which fills the memos), changes something through
a second app on the same database — a second server process — and reads again here.
"""

import pytest

from tests.helpers import count_queries, page_named
from wiki.access.permissions import active_block
from wiki.access.policy import save_policy
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.i18n import preferences
from wiki.identity import user_key
from wiki.models import Page, User
from wiki.pages.service import save_page
from wiki.review.settings import save_settings, set_page_policy
from wiki.safety.accounts import block_user, issue_reset_link, reset_password
from wiki.safety.protection import protect, unprotect
from wiki.safety.sessions import end_all
from wiki.talk.moderation import hide_comment
from wiki.talk.service import start_topic


@pytest.fixture(autouse=True, params=[0, 60], ids=["page-cache-off", "page-cache-on"])
def page_cache(request, app):
    """Run each test with whole page views cached (per person) and without."""
    app.config["PAGE_CACHE_SECONDS"] = request.param


def in_app(app, change):
    """Run change(user_named) inside the app, with the people it names read there."""
    with app.app_context():

        def user(name: str) -> User:
            return db.session.scalar(db.select(User).where(User.key == user_key(name)))

        change(user)
        db.session.remove()


def save_as(user, title: str, text: str, author: str = "bob") -> None:
    """Save a page as a person would, on its latest revision."""
    page = db.session.scalar(db.select(Page).where(Page.key == parse_title(title).key))
    save_page(
        parse_title(title),
        text,
        author=user(author),
        base_revision_id=page.latest_revision_id if page else None,
    )


def page_of(title: str) -> Page:
    return db.session.scalar(db.select(Page).where(Page.key == parse_title(title).key))


def test_a_page_elsewhere_turns_a_red_link_blue(app, other, people, make_page, login_as):
    make_page("Launch", "See [[Press kit]].")
    people["bob"]  # made here, saves there
    alice = login_as(people["alice"])
    assert 'class="wikilink new"' in alice.get("/wiki/Launch").get_data(as_text=True)
    in_app(other, lambda user: save_as(user, "Press kit", "Logos and photos."))
    assert 'class="wikilink new"' not in alice.get("/wiki/Launch").get_data(as_text=True)


def test_categories_and_talk_follow_changes_elsewhere(app, other, people, make_page, login_as):
    make_page("Launch", "Plans.")
    people["bob"], people["mod"]  # made here, act there
    alice = login_as(people["alice"])
    first = alice.get("/wiki/Launch").get_data(as_text=True)
    assert "Launches" not in first and "Discussion (" not in first
    spam = []

    def change(user):
        save_as(user, "Launch", "Plans.\n\n[[Category:Launches]]")
        start_topic(page_of("Launch"), "Dates", "When do we start?", author=user("bob"))
        spam.append(start_topic(page_of("Launch"), "Offer", "Buy now", author=user("bob")).id)

    in_app(other, change)
    shown = alice.get("/wiki/Launch").get_data(as_text=True)
    assert "Launches" in shown and "Discussion (2)" in shown
    in_app(other, lambda user: hide_comment(spam[0], "spam", moderator=user("mod")))
    assert "Discussion (1)" in alice.get("/wiki/Launch").get_data(as_text=True)


def test_the_bell_follows_new_notifications_and_reading_them_elsewhere(
    app, other, people, make_page, login_as
):
    make_page("Launch", "Plans.", author=people["alice"])  # alice watches what she writes
    people["bob"]
    alice = login_as(people["alice"])
    assert "bell-count" not in alice.get("/wiki/Launch").get_data(as_text=True)
    in_app(other, lambda user: save_as(user, "Launch", "Plans, dated."))
    assert 'bell-count">1<' in alice.get("/wiki/Launch").get_data(as_text=True)
    # Alice marks it read on a page the other process serves (the same browser session).
    elsewhere = other.test_client()
    elsewhere.set_cookie("session", alice.get_cookie("session").value)
    response = elsewhere.post("/notifications/read-all", data={})
    assert response.status_code == 302, response.status_code
    alice.set_cookie("session", elsewhere.get_cookie("session").value)  # the browser's cookie
    assert "bell-count" not in alice.get("/wiki/Launch").get_data(as_text=True)


def test_a_read_policy_and_a_block_set_elsewhere_hold_at_once(
    app, other, people, make_page, login_as, client
):
    make_page("Launch", "Plans.")
    people["root"]
    alice = login_as(people["alice"])
    assert client.get("/wiki/Launch").status_code == 200
    assert "flash-blocked" not in alice.get("/wiki/Launch").get_data(as_text=True)

    def lock_down(user):
        save_policy(user("root"), read="users")
        block_user(user("root"), user("alice"), "Spam", "1d")

    in_app(other, lock_down)
    assert client.get("/wiki/Launch").status_code != 200
    assert "flash-blocked" in alice.get("/wiki/Launch").get_data(as_text=True)


def test_two_browsers_of_one_person_each_see_what_the_other_did(
    app, other, people, make_page, login_as
):
    make_page("Launch", "Plans.", author=people["alice"])
    people["bob"]  # made here, saves there: alice is notified
    in_app(other, lambda user: save_as(user, "Launch", "Plans, dated."))
    laptop, phone = login_as(people["alice"]), login_as(people["alice"])
    # The laptop does something, then reads the page: the bell's count is remembered for it.
    laptop.post("/watch/Launch", data={})
    assert 'bell-count">1<' in laptop.get("/wiki/Launch").get_data(as_text=True)
    # The phone, as many requests old as the laptop, marks everything read.
    assert phone.post("/notifications/read-all", data={}).status_code == 302
    assert "bell-count" not in phone.get("/wiki/Launch").get_data(as_text=True)
    # The laptop's remembered count is not shown again: read is read in every browser.
    assert "bell-count" not in laptop.get("/wiki/Launch").get_data(as_text=True)


def test_what_a_request_read_before_a_change_elsewhere_is_never_remembered_as_current(
    app, other, people, make_page, login_as
):
    make_page("Launch", "Plans.")
    people["root"]
    alice_id = people["alice"].id
    with app.app_context(), app.test_request_context("/wiki/Launch"):
        db.session.scalar(db.select(Page.id))  # this request's transaction has begun reading
        in_app(other, lambda user: block_user(user("root"), user("alice"), "Spam", "1d"))
        # What this request goes on to read may predate the block (its snapshot) ...
        active_block(db.session.get(User, alice_id))
    # ... but no later request may be told, from memory, that alice is not blocked.
    with app.app_context(), app.test_request_context("/wiki/Launch"):
        assert active_block(db.session.get(User, alice_id)) is not None
    alice = login_as(db.session.get(User, alice_id))
    assert "flash-blocked" in alice.get("/wiki/Launch").get_data(as_text=True)


def alice_on_launch(people, make_page, login_as):
    """Return alice's browser, logged in, past the page Launch's first view (the message of
    logging in shows once)."""
    make_page("Launch", "Plans.")
    alice = login_as(people["alice"])
    alice.get("/wiki/Launch")
    return alice


def test_sessions_ended_elsewhere_log_the_browser_out_at_once(
    app, other, people, make_page, login_as
):
    alice = alice_on_launch(people, make_page, login_as)
    assert 'class="me">alice<' in alice.get("/wiki/Launch").get_data(as_text=True)
    in_app(other, lambda user: end_all(user("alice")))  # "log out everywhere", elsewhere
    assert 'class="me">alice<' not in alice.get("/wiki/Launch").get_data(as_text=True)


def test_a_language_chosen_elsewhere_shows_at_once_and_a_save_reads_none(
    app, other, people, make_page, login_as
):
    alice = alice_on_launch(people, make_page, login_as)
    assert '<html lang="en"' in alice.get("/wiki/Launch").get_data(as_text=True)
    # Saving edit after edit does not read the person's language again for the notice.
    read = []
    for text in ("Plans for May.", "Plans for June."):
        form = {"text": text, "base_revision": str(page_named("Launch").latest_revision_id)}
        with count_queries() as seen:
            assert alice.post("/edit/Launch", data=form).status_code == 302
        read += seen
    assert "from language_preference " not in " ".join(read).lower()
    in_app(other, lambda user: preferences.save(user("alice"), "it", ""))  # another process
    assert '<html lang="it"' in alice.get("/wiki/Launch").get_data(as_text=True)


def test_a_password_reset_elsewhere_logs_every_browser_out_at_once(
    app, other, people, make_page, login_as
):
    people["root"]
    alice = alice_on_launch(people, make_page, login_as)
    assert 'class="me">alice<' in alice.get("/wiki/Launch").get_data(as_text=True)

    def reset(user):
        token = issue_reset_link(user("root"), user("alice"))
        reset_password(token, "a new long password 42", "a new long password 42")

    in_app(other, reset)  # an administrator's reset link, used through another process
    assert 'class="me">alice<' not in alice.get("/wiki/Launch").get_data(as_text=True)


#: What a page view reads that an edit of some other page cannot change: sessions, blocks,
#: the site policy, a person's language, talk counts, translation links, and that other
#: page's credits, categories and anchored threads.
UNTOUCHED_BY_AN_EDIT_ELSEWHERE = (
    "user_session",
    "block",
    "site_setting",
    "language_preference",
    "topic",
    "page_translation",
    "page_contributor",
    "category_member",
    "topic_anchor",
    "rendered_text",
)


def test_an_edit_elsewhere_shows_on_its_page_and_spares_the_others(
    app, other, people, make_page, login_as
):
    make_page("Launch", "Plans.", author=people["alice"])
    make_page("Pricing", "Prices, see [[Launch]].", author=people["alice"])
    make_page("Category:Launches", "Every launch.")
    people["bob"]  # made here, edits there
    alice = login_as(people["alice"])
    alice.get("/wiki/Launch")  # shows the message of logging in
    assert "1 contributor<" in alice.get("/wiki/Launch").get_data(as_text=True)
    alice.get("/wiki/Pricing")
    in_app(other, lambda user: save_as(user, "Launch", "Plans.\n\n[[Category:Launches]]"))
    with count_queries() as seen:
        pricing = alice.get("/wiki/Pricing")
    assert pricing.status_code == 200 and 'bell-count">1<' in pricing.get_data(as_text=True)
    read = " ".join(seen).lower()
    assert not [name for name in UNTOUCHED_BY_AN_EDIT_ELSEWHERE if f"from {name} " in read]
    launch = alice.get("/wiki/Launch").get_data(as_text=True)
    assert "2 contributors<" in launch and "Launches" in launch


def test_a_change_that_is_not_an_edit_is_seen_by_every_page(
    app, other, people, make_page, login_as
):
    make_page("Launch", "Plans.")
    make_page("Pricing", "Prices, see [[Press kit]].")
    people["root"]
    alice = login_as(people["alice"])
    alice.get("/wiki/Pricing")  # shows the message of logging in
    assert 'class="wikilink new"' in alice.get("/wiki/Pricing").get_data(as_text=True)
    # A new page is more than an edit: the red link on another page turns blue.
    in_app(other, lambda user: save_as(user, "Press kit", "Logos.", author="root"))
    assert 'class="wikilink new"' not in alice.get("/wiki/Pricing").get_data(as_text=True)
    # An edit, then a block: the block holds on every page at once.
    in_app(other, lambda user: save_as(user, "Launch", "Plans, dated.", author="root"))
    assert "flash-blocked" not in alice.get("/wiki/Pricing").get_data(as_text=True)
    in_app(other, lambda user: block_user(user("root"), user("alice"), "Spam", "1d"))
    assert "flash-blocked" in alice.get("/wiki/Pricing").get_data(as_text=True)


def test_protecting_a_page_elsewhere_holds_at_once_and_so_does_lifting_it(
    app, other, people, make_page, login_as
):
    base = str(make_page("Launch", "Plans.").latest_revision_id)
    people["mod"]
    alice = login_as(people["alice"])
    assert alice.get("/edit/Launch").status_code == 200  # the editor opens: remembered
    in_app(
        other,
        lambda user: protect(user("mod"), parse_title("Launch"), "moderator", "never", "Hot"),
    )
    refused = alice.post(
        "/edit/Launch", data={"text": "Mine.", "action": "save", "base_revision": base}
    )
    assert refused.status_code == 403 and "Mine." in refused.get_data(as_text=True)
    in_app(other, lambda user: unprotect(user("mod"), parse_title("Launch"), "Calm"))
    assert (
        alice.post(
            "/edit/Launch", data={"text": "Mine.", "action": "save", "base_revision": base}
        ).status_code
        == 302
    )


def test_review_settings_set_elsewhere_hold_for_the_next_save(
    app, other, people, make_page, login_as, client
):
    make_page("Launch", "Plans.")
    make_page("Pricing", "Prices.")
    people["root"], people["mod"]
    alice = login_as(people["alice"])

    def save(title: str, text: str) -> None:
        base = page_of(title).latest_revision_id
        data = {"text": text, "action": "save", "base_revision": str(base)}
        assert alice.post(f"/edit/{title}", data=data).status_code == 302
        db.session.remove()

    save("Launch", "Plans, dated.")  # published at once: the settings are remembered
    assert "Plans, dated." in client.get("/wiki/Launch").get_data(as_text=True)
    in_app(other, lambda user: set_page_policy(user("mod"), parse_title("Launch"), "all"))
    save("Launch", "Plans, dated and priced.")
    assert "dated and priced" not in client.get("/wiki/Launch").get_data(as_text=True)
    save("Pricing", "Prices, lower.")
    assert "lower" in client.get("/wiki/Pricing").get_data(as_text=True)
    in_app(other, lambda user: save_settings(user("root"), "all", 0, 0))
    save("Pricing", "Prices, lower still.")
    assert "lower still" not in client.get("/wiki/Pricing").get_data(as_text=True)
