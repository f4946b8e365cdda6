"""The moderation log at /log: every action with who, when, why; filters; who may read it."""

from tests.helpers import latest_id, log_in
from wiki.access.policy import save_policy
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Role
from wiki.modlog import LogEntry
from wiki.safety import accounts, protection
from wiki.talk import moderation
from wiki.talk import service as talk


def actions() -> list[str]:
    return [
        entry.action for entry in db.session.scalars(db.select(LogEntry).order_by(LogEntry.id))
    ]


def test_talk_moderation_is_logged_with_who_and_why(client, people, make_user, make_page):
    page = make_page("Plan", "text")
    comment = talk.start_topic(page, "Offers", "Buy cheap pills", author=make_user("spammer"))
    moderation.hide_comment(comment.id, "Spam", moderator=people["mod"])
    moderation.hide_comment(comment.id, "Spam, really", moderator=people["mod"])
    moderation.unhide_comment(comment.id, moderator=people["mod"])
    moderation.lock_topic(comment.topic_id, True, moderator=people["mod"])
    moderation.lock_topic(comment.topic_id, True, moderator=people["mod"])
    moderation.lock_topic(comment.topic_id, False, moderator=people["mod"])
    assert actions() == ["hide", "hide", "unhide", "lock", "unlock"]
    hide = db.session.scalar(db.select(LogEntry).order_by(LogEntry.id))
    assert (hide.actor_id, hide.reason, hide.target, hide.page_id) == (
        people["mod"].id,
        "Spam",
        "Plan",
        page.id,
    )
    assert hide.facts["comment"] == comment.id


def test_hiding_through_the_site_logs_the_moderator(client, people, make_user, auth, make_page):
    page = make_page("Plan", "text")
    comment = talk.start_topic(page, "Offers", "spam", author=make_user("spammer"))
    auth.login(people["mod"])
    client.post(f"/comment/{comment.id}/hide", data={"reason": "Advertising"})
    client.post(f"/comment/{comment.id}/unhide", data={})
    entries = db.session.scalars(db.select(LogEntry).order_by(LogEntry.id)).all()
    assert [(e.action, e.actor_id) for e in entries] == [
        ("hide", people["mod"].id),
        ("unhide", people["mod"].id),
    ]


def test_the_log_lists_every_kind_of_action(client, people, make_user, make_page):
    make_page("Plan", "good")
    make_page("Plan", "good", "vandalism", author=make_user("vandal"))
    bob = make_user("bob")
    protection.protect(people["mod"], parse_title("Plan"), "editor", "1d", "Vandal target")
    accounts.block_user(people["root"], bob, "Personal attacks", "1w")
    accounts.set_role(people["root"], make_user("carol"), str(int(Role.MODERATOR)), "Trusted")
    log_in(client, "mod")
    seen = latest_id("Plan")
    client.post("/rollback/Plan", data={"latest": str(seen)})
    html = client.get("/log").get_data(as_text=True)
    for text in ("Vandal target", "Personal attacks", "Trusted", "Rollback", "editor → moderator"):
        assert text in html
    assert actions() == ["protect", "block", "role", "rollback"]


def test_log_filters(client, people, make_user, make_page):
    make_page("Plan", "text")
    protection.protect(people["mod"], parse_title("Plan"), "editor", "1d", "Busy")
    accounts.block_user(people["root"], make_user("bob"), "Spam", "1d")
    by_action = client.get("/log?action=block").get_data(as_text=True)
    assert "Spam" in by_action and "Busy" not in by_action
    by_actor = client.get("/log?actor=mod").get_data(as_text=True)
    assert "Busy" in by_actor and "Spam" not in by_actor
    by_target = client.get("/log?target=plan").get_data(as_text=True)
    assert "Busy" in by_target and "Spam" not in by_target
    assert client.get("/log?action=explode").status_code == 400
    assert client.get("/log?before=abc").status_code == 400
    assert client.get("/log?target=%25%25_").status_code == 200


def test_log_pages_through(client, people, make_user):
    for number in range(55):
        accounts.approve(people["root"], make_user(f"user{number:02d}"))
    log_in(client, "root")
    first = client.get("/log").get_data(as_text=True)
    assert "user54" in first and "user00" not in first
    import re

    before = re.search(r"before=(\d+)", first).group(1)
    assert "user00" in client.get(f"/log?before={before}").get_data(as_text=True)


def test_staff_only_entries_are_hidden_from_others(client, people, make_user, auth):
    bob = make_user("bob")
    accounts.issue_reset_link(people["root"], bob)
    accounts.block_user(people["root"], make_user("eve"), "Spam", "1d")
    public = client.get("/log").get_data(as_text=True)
    assert "Spam" in public and "Password reset link" not in public
    auth.login(people["mod"])
    assert "Password reset link" in client.get("/log").get_data(as_text=True)


def test_log_policy(client, people, make_user, auth):
    save_policy(people["root"], log="users")
    assert client.get("/log").headers["Location"].startswith("/login")
    make_user("bob")
    auth.login("bob")
    assert client.get("/log").status_code == 200
    save_policy(people["root"], log="moderators")
    refused = client.get("/log")
    assert refused.status_code == 403
    assert "only shown to moderators" in refused.get_data(as_text=True)
    auth.logout()
    auth.login(people["mod"])
    assert client.get("/log").status_code == 200
