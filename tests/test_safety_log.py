"""The moderation log at /log: every action with who, when, why; filters; who may read it."""

import pytest

from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Role
from wiki.modlog import LogEntry
from wiki.safety import accounts, protection
from wiki.safety.policy import save_policy
from wiki.talk import moderation
from wiki.talk import service as talk


@pytest.fixture
def staff(make_user):
    return {
        "admin": make_user("root", role=Role.ADMIN),
        "mod": make_user("mod", role=Role.MODERATOR),
    }


def actions() -> list[str]:
    return [
        entry.action for entry in db.session.scalars(db.select(LogEntry).order_by(LogEntry.id))
    ]


def test_talk_moderation_is_logged_with_who_and_why(client, staff, make_user, make_page):
    page = make_page("Plan", "text")
    comment = talk.start_topic(page, "Offers", "Buy cheap pills", author=make_user("spammer"))
    moderation.hide_comment(comment.id, "Spam", moderator=staff["mod"])
    moderation.hide_comment(comment.id, "Spam, really", moderator=staff["mod"])
    moderation.unhide_comment(comment.id, moderator=staff["mod"])
    moderation.lock_topic(comment.topic_id, True, moderator=staff["mod"])
    moderation.lock_topic(comment.topic_id, True, moderator=staff["mod"])
    moderation.lock_topic(comment.topic_id, False, moderator=staff["mod"])
    assert actions() == ["hide", "hide", "unhide", "lock", "unlock"]
    hide = db.session.scalar(db.select(LogEntry))
    assert (hide.actor_id, hide.reason, hide.target, hide.page_id) == (
        staff["mod"].id,
        "Spam",
        "Plan",
        page.id,
    )
    assert hide.facts["comment"] == comment.id


def test_hiding_through_the_site_logs_the_moderator(client, staff, make_user, auth, make_page):
    page = make_page("Plan", "text")
    comment = talk.start_topic(page, "Offers", "spam", author=make_user("spammer"))
    auth.login("mod")
    client.post(f"/comment/{comment.id}/hide", data={"reason": "Advertising"})
    client.post(f"/comment/{comment.id}/unhide", data={})
    entries = db.session.scalars(db.select(LogEntry).order_by(LogEntry.id)).all()
    assert [(e.action, e.actor_id) for e in entries] == [
        ("hide", staff["mod"].id),
        ("unhide", staff["mod"].id),
    ]


def test_the_log_lists_every_kind_of_action(client, staff, make_user, make_page):
    make_page("Plan", "good")
    make_page("Plan", "good", "vandalism", author=make_user("vandal"))
    bob = make_user("bob")
    protection.protect(staff["mod"], parse_title("Plan"), "editor", "1d", "Vandal target")
    accounts.block_user(staff["admin"], bob, "Personal attacks", "1w")
    accounts.set_role(staff["admin"], make_user("carol"), str(int(Role.MODERATOR)), "Trusted")
    client.post("/login", data={"username": "mod", "password": "correct horse battery"})
    seen = _latest("Plan")
    client.post("/rollback/Plan", data={"latest": str(seen)})
    html = client.get("/log").get_data(as_text=True)
    for text in ("Vandal target", "Personal attacks", "Trusted", "Rollback", "editor → moderator"):
        assert text in html
    assert actions() == ["protect", "block", "role", "rollback"]


def _latest(title: str) -> int:
    from wiki.pages.service import get_page

    return get_page(parse_title(title)).latest_revision_id


def test_log_filters(client, staff, make_user, make_page):
    make_page("Plan", "text")
    protection.protect(staff["mod"], parse_title("Plan"), "editor", "1d", "Busy")
    accounts.block_user(staff["admin"], make_user("bob"), "Spam", "1d")
    by_action = client.get("/log?action=block").get_data(as_text=True)
    assert "Spam" in by_action and "Busy" not in by_action
    by_actor = client.get("/log?actor=mod").get_data(as_text=True)
    assert "Busy" in by_actor and "Spam" not in by_actor
    by_target = client.get("/log?target=plan").get_data(as_text=True)
    assert "Busy" in by_target and "Spam" not in by_target
    assert client.get("/log?action=explode").status_code == 400
    assert client.get("/log?before=abc").status_code == 400
    assert client.get("/log?target=%25%25_").status_code == 200


def test_log_pages_through(client, staff, make_user):
    for number in range(55):
        accounts.approve(staff["admin"], make_user(f"user{number:02d}"))
    client.post("/login", data={"username": "root", "password": "correct horse battery"})
    first = client.get("/log").get_data(as_text=True)
    assert "user54" in first and "user00" not in first
    import re

    before = re.search(r"before=(\d+)", first).group(1)
    assert "user00" in client.get(f"/log?before={before}").get_data(as_text=True)


def test_staff_only_entries_are_hidden_from_others(client, staff, make_user, auth):
    bob = make_user("bob")
    accounts.issue_reset_link(staff["admin"], bob)
    accounts.block_user(staff["admin"], make_user("eve"), "Spam", "1d")
    public = client.get("/log").get_data(as_text=True)
    assert "Spam" in public and "Password reset link" not in public
    auth.login("mod")
    assert "Password reset link" in client.get("/log").get_data(as_text=True)


def test_log_policy(client, staff, make_user, auth):
    save_policy(staff["admin"], log="users")
    assert client.get("/log").headers["Location"].startswith("/login")
    make_user("bob")
    auth.login("bob")
    assert client.get("/log").status_code == 200
    save_policy(staff["admin"], log="moderators")
    refused = client.get("/log")
    assert refused.status_code == 403
    assert "only shown to moderators" in refused.get_data(as_text=True)
    auth.logout()
    auth.login("mod")
    assert client.get("/log").status_code == 200
