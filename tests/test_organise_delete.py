"""Deleting and undeleting pages: gone for readers, kept for moderators, logged with a reason."""

import pytest
from sqlalchemy import func, select

from tests.helpers import text
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Page, Revision, Role
from wiki.modlog import LogEntry
from wiki.organise import deletion
from wiki.pages.service import save_page
from wiki.problems import NotAllowed, UserError
from wiki.talk import service as talk


@pytest.fixture
def deleted(make_page, make_user, people):
    """A page with two revisions and a discussion, deleted by a moderator."""
    moderator = people["mod"]
    page = make_page("Spam page", "first", "second")
    talk.start_topic(page, "Subject", "a comment", author=make_user("talker"))
    deletion.delete_page(parse_title("Spam page"), user=moderator, reason="advertising")
    return page


def test_readers_see_that_the_page_was_deleted_with_the_log_entry(client, deleted):
    response = client.get("/wiki/Spam_page")
    html = text(response)
    assert response.status_code == 404
    assert "This page was deleted." in html and "advertising" in html and "mod" in html
    assert "Create this page" not in html


def test_history_and_talk_are_kept_but_hidden_from_readers(client, deleted, auth, make_user):
    revision = db.session.scalar(select(Revision.id).where(Revision.page_id == deleted.id))
    for url in ("/history/Spam_page", "/talk/Spam_page", f"/revision/{revision}"):
        assert client.get(url).status_code == 404, url
    make_user("reader", role=Role.READER)
    auth.login("reader")
    assert client.get("/history/Spam_page").status_code == 404
    auth.logout()
    auth.login("mod")
    for url in ("/history/Spam_page", "/talk/Spam_page", f"/revision/{revision}"):
        assert client.get(url).status_code == 200, url
    html = text(client.get("/wiki/Spam_page"))
    assert "/undelete/Spam_page" in html
    assert db.session.scalar(select(func.count(Revision.id))) == 2


def test_deleted_pages_cannot_be_edited(client, deleted, make_user, auth):
    author = make_user("writer")
    with pytest.raises(NotAllowed, match="deleted"):
        save_page(
            parse_title("Spam page"),
            "again",
            author=author,
            base_revision_id=deleted.latest_revision_id,
        )
    db.session.rollback()
    auth.login("writer")
    assert client.get("/edit/Spam_page").status_code == 404
    response = client.post("/edit/Spam_page", data={"text": "x", "base_revision": ""})
    assert response.status_code == 403


def test_links_to_a_deleted_page_are_red(client, make_page, people):
    moderator = people["mod"]
    make_page("Target", "x")
    make_page("Linker", "[[Target]]")
    assert 'class="wikilink new"' not in text(client.get("/wiki/Linker"))
    deletion.delete_page(parse_title("Target"), user=moderator, reason="x")
    assert 'class="wikilink new"' in text(client.get("/wiki/Linker"))


def test_undelete_restores_everything_and_is_logged(client, deleted, people):
    moderator = people["mod"]
    deletion.undelete_page(parse_title("Spam page"), user=moderator, reason="not spam")
    response = client.get("/wiki/Spam_page")
    assert response.status_code == 200 and "second" in text(response)
    assert client.get("/talk/Spam_page").status_code == 200
    actions = db.session.execute(
        select(LogEntry.action, LogEntry.reason).order_by(LogEntry.id)
    ).all()
    assert actions == [("delete", "advertising"), ("undelete", "not spam")]


def test_only_moderators_delete_and_a_reason_is_needed(make_page, make_user, people):
    moderator = people["mod"]
    make_page("Page", "x")
    with pytest.raises(NotAllowed):
        deletion.delete_page(parse_title("Page"), user=make_user("editor"), reason="x")
    with pytest.raises(UserError, match="Say why"):
        deletion.delete_page(parse_title("Page"), user=moderator, reason="  ")
    with pytest.raises(UserError):
        deletion.undelete_page(parse_title("Page"), user=moderator, reason="")
    assert not db.session.scalar(select(Page.deleted))


def test_delete_and_undelete_forms(client, make_page, make_user, people, auth):
    make_page("Page", "x")
    make_user("editor")
    auth.login("editor")
    assert client.get("/delete/Page").status_code == 403
    assert ">Delete</a>" not in text(client.get("/wiki/Page"))
    auth.logout()
    auth.login(people["mod"])
    assert ">Delete</a>" in text(client.get("/wiki/Page"))
    assert client.post("/delete/Page", data={"reason": ""}).status_code == 400
    response = client.post("/delete/Page", data={"reason": "duplicate"})
    assert response.status_code == 302
    assert client.get("/delete/Page").status_code == 404
    form = text(client.get("/undelete/Page"))
    assert "duplicate" in form and "Undelete page" in form
    assert client.post("/undelete/Page", data={"reason": "oops"}).status_code == 302
    assert client.get("/wiki/Page").status_code == 200
    assert client.get("/undelete/Page").status_code == 404
