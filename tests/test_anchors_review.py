"""Threads about a passage never show visitors words that wait for review."""

import pytest
from sqlalchemy import select

from tests.helpers import page_named, save, text
from wiki.anchors.models import TopicAnchor
from wiki.extensions import db
from wiki.review import publishing

TEXT = "# Vetrina\n\nIl nostro negozio apre alle nove.\n"
SECRET = "girasoli luminosi in vetrina"


@pytest.fixture
def shop(app, make_page, people):
    """A published page, then review for newcomers."""
    make_page("Vetrina", TEXT, author=people["giulia"])
    app.config["REVIEW_POLICY"] = "newcomers"
    return page_named("Vetrina")


def comment_on(client, exact: str, body: str):
    return client.post("/anchor/Vetrina", data={"exact": exact, "body": body})


def test_a_thread_on_waiting_words_keeps_them_from_visitors(shop, people, login_as, client):
    newbie = login_as(people["newbie"])
    save("Vetrina", TEXT + f"\nAbbiamo {SECRET}.\n", people["newbie"])
    assert comment_on(newbie, SECRET, "Vi piacciono?").status_code == 302
    topic_id = db.session.scalar(select(TopicAnchor.topic_id))
    # Visitors: the list, the topic and the API show the comment, never the waiting words.
    for path in ("/talk/Vetrina", f"/talk/Vetrina/{topic_id}", "/api/v1/pages/Vetrina/talk"):
        assert "girasoli" not in text(client.get(path)), path
    assert "Vi piacciono?" in text(client.get(f"/talk/Vetrina/{topic_id}"))
    assert "About a change waiting for review" in text(client.get(f"/talk/Vetrina/{topic_id}"))
    # The community sees the passage, as it sees the waiting text.
    assert SECRET in text(login_as(people["alice"]).get(f"/talk/Vetrina/{topic_id}"))
    # Once published, visitors read the passage too.
    publishing.accept(people["moderator"], shop, page_named("Vetrina").latest_revision_id)
    assert SECRET in text(client.get(f"/talk/Vetrina/{topic_id}"))


def test_a_waiting_edit_of_a_passage_shows_visitors_the_published_words(
    shop, people, login_as, client
):
    alice = login_as(people["alice"])
    assert comment_on(alice, "negozio apre alle nove", "Anche la domenica?").status_code == 302
    topic_id = db.session.scalar(select(TopicAnchor.topic_id))
    save("Vetrina", TEXT.replace("negozio apre", "negozio segreto apre"), people["newbie"])
    visitor = text(client.get(f"/talk/Vetrina/{topic_id}"))
    assert "negozio apre alle nove" in visitor and "segreto" not in visitor
    assert "negozio segreto apre alle nove" in text(alice.get(f"/talk/Vetrina/{topic_id}"))


def test_a_passage_subject_is_quoted_once_in_notifications_and_lists(
    shop, people, login_as, client
):
    alice = login_as(people["alice"])
    assert (
        comment_on(alice, "negozio apre alle nove", "@giulia anche la domenica?").status_code
        == 302
    )
    notifications = text(login_as(people["giulia"]).get("/notifications"))
    assert "“negozio apre alle nove”" in notifications and "““" not in notifications
    recent = text(client.get("/recent"))
    assert "“negozio apre alle nove”" in recent and "““" not in recent
