"""A comment a moderator hides: its author is told why and can read it; nobody else can."""

import re

import pytest
from sqlalchemy import select

from tests.helpers import finish_jobs, reply, start_topic, text
from wiki.community.models import Notification
from wiki.community.watch import notifications, preferences
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.signin import emails

REASON = "Off-topic test"
#: A word only Carol's hidden reply has, to look for wherever it could leak (not in a
#: search for it: the search page repeats the query).
SECRET = "zanzibar"
SEARCH = "/search?q=drawer&talk=1"


@pytest.fixture
def thread(people, make_page):
    """Alice asks on FAQ's talk page; Carol answers, naming @bob. Return (topic, reply)."""
    assert people["bob"] and people["admin"]  # accounts made before the mention names one
    make_page("FAQ", "Questions and answers.", author=people["alice"])
    opening = start_topic("FAQ", "Where is the manual?", "Does anyone know?", people["alice"])
    answer = reply(opening.topic_id, f"In the {SECRET} drawer, ask @bob", people["carol"])
    return opening.topic_id, answer.id


def hide(login_as, who, comment_id, reason=REASON):
    client = login_as(who)
    response = client.post(f"/comment/{comment_id}/hide", data={"reason": reason})
    assert response.status_code == 302
    return client


def article(html: str, comment_id: int) -> str:
    """Return the HTML of one comment of a thread."""
    found = re.search(rf'<article[^>]*id="comment-{comment_id}".*?</article>', html, re.S)
    assert found, f"comment {comment_id} is not on the page"
    return found.group(0)


def kinds(user) -> list[str]:
    return [line.kind for line in notifications.list_items(user).items]


def test_the_author_alone_is_told_once_that_their_comment_was_hidden_and_why(
    people, login_as, thread
):
    topic_id, comment_id = thread
    alice, bob, carol, admin = people["alice"], people["bob"], people["carol"], people["admin"]
    assert kinds(bob) == ["mention"] and kinds(alice) == ["reply"]
    hide(login_as, admin, comment_id)
    hide(login_as, admin, comment_id, "Still off-topic")  # already hidden: no news
    assert kinds(carol) == ["hidden"] and notifications.unread_count(carol) == 1
    assert kinds(bob) == [] and kinds(alice) == [] and kinds(admin) == []
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "hidden"))
    assert list(told) == [carol.id]

    page = text(login_as(carol).get("/notifications"))
    line = re.search(r'<li class="[^"]*notification-hidden.*?</li>', page, re.S).group(0)
    assert "A moderator hid your comment in “Where is the manual?” on FAQ" in line
    assert "Reason: Still off-topic" in line and "admin" not in line
    assert f'href="/comment/{comment_id}"' in line
    assert 'aria-label="Notifications, 1 unread"' in page

    # Shown again: the mention is back; Carol's news stays, with no reason left to give.
    login_as(admin).post(f"/comment/{comment_id}/unhide", data={})
    assert kinds(bob) == ["mention"] and kinds(carol) == ["hidden"]
    assert notifications.list_items(carol).items[0].excerpt == ""
    # Hidden again, it is news again; a moderator hiding their own comment is not told.
    hide(login_as, admin, comment_id)
    assert kinds(carol) == ["hidden", "hidden"]
    own = reply(topic_id, "A note of mine", admin)
    hide(login_as, admin, own.id)
    assert "hidden" not in kinds(admin)


def test_the_author_reads_their_hidden_comment_and_nobody_else_anywhere(
    app, client, people, login_as, thread
):
    topic_id, comment_id = thread
    url = f"/talk/FAQ/{topic_id}"
    clients = {name: login_as(people[name]) for name in ("carol", "bob", "alice")}
    api = (f"/api/v1/topics/{topic_id}", "/api/v1/search?q=drawer&talk=1", "/api/v1/recent")
    places = (SEARCH, "/recent", "/recent.atom", "/feed/user/carol")
    for place in places + api:  # each of them shows it while it is not hidden
        assert SECRET in text(client.get(place)), place
    hide(login_as, people["admin"], comment_id)

    mine = article(text(clients["carol"].get(url)), comment_id)
    assert "comment-hidden" in mine and f"Hidden by a moderator: {REASON}" in mine
    assert SECRET in mine and "Only you and the moderators can read it." in mine
    assert "/unhide" not in mine and "hidden by admin" not in mine

    readers = {"anonymous": client, "bob": clients["bob"], "alice": clients["alice"]}
    for name, reader in readers.items():
        thread_html = text(reader.get(url))
        theirs = article(thread_html, comment_id)
        assert f"Hidden by a moderator: {REASON}" in theirs, name
        assert 'href="/user/carol"' in theirs, name  # still signed, as in the API
        assert "Only you and the moderators" not in theirs, name
        assert SECRET not in thread_html and "1 comment" in thread_html, name
        for place in places + api:
            assert SECRET not in text(reader.get(place)), (name, place)
        shown = reader.get(f"/api/v1/topics/{topic_id}").get_json()
        assert shown["comments"] == 1 and len(shown["items"]) == 2, name
        assert reader.get("/api/v1/pages/FAQ/talk").get_json()["items"][0]["comments"] == 1
    assert client.get(f"/comment/{comment_id}/versions").status_code == 403

    login_as(people["admin"]).post(f"/comment/{comment_id}/unhide", data={})
    shown_again = article(text(client.get(url)), comment_id)
    assert SECRET in shown_again and "comment-hidden" not in shown_again
    assert SECRET in text(client.get(SEARCH))
    assert "2 comments" in text(client.get(url))


def test_the_author_is_emailed_only_if_they_chose_email_about_reviews(
    app, inbox, people, login_as, thread
):
    _topic_id, comment_id = thread
    for name, choice in (("carol", "immediate"), ("bob", "immediate")):
        with write_transaction() as session:
            emails.add_verified(session, people[name].id, f"{name}@example.test")
        preferences.save(people[name], preferences.Choices("", "", True, {"review": choice}))
    hide(login_as, people["admin"], comment_id)
    finish_jobs(app)
    [message] = inbox.wait_for(1)
    assert message["To"] == "carol@example.test"
    assert message["Subject"] == "A moderator hid your comment in “Where is the manual?” on FAQ"
    body = inbox.body(message).replace("\r\n", "\n")
    assert f"Reason:\n\n  {REASON}" in body and f"/comment/{comment_id}" in body
    assert SECRET not in body


@pytest.mark.parametrize("email_on", [False, True])
def test_the_notifications_page_offers_only_the_choices_preferences_have(
    app, client, people, login_as, email_on
):
    if email_on:
        app.config.update(MAIL_SERVER="127.0.0.1")
    page = text(login_as(people["carol"]).get("/notifications"))
    hint = re.search(r'<p class="hint notification-preferences">.*?</p>', page, re.S).group(0)
    if email_on:
        assert 'href="/preferences#email"' in hint
        assert "Choose what you hear about by email" in hint
    else:
        assert "email" not in hint.lower()
        assert 'href="/preferences#watching"' in hint
        assert "Choose whether the pages you create or edit are watched for you" in hint
        assert 'id="watching"' in text(login_as(people["carol"]).get("/preferences"))
