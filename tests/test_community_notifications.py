"""Notifications: each kind, grouping, read and unread, visibility, dedupe, query counts."""

import re

import pytest
from sqlalchemy import func, select, update

from tests.helpers import count_queries, page_named, queries_of, reply, save, start_topic
from wiki import events
from wiki.community.models import Notification
from wiki.community.watch import notifications, notify
from wiki.core.titles import parse_title
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.models import Page, Revision, Role
from wiki.talk import moderation
from wiki.talk import service as talk


def lines(user):
    return notifications.list_items(user).items


def html(client, url="/notifications") -> str:
    return client.get(url).get_data(as_text=True)


def test_an_edit_by_someone_else_notifies_the_watcher_with_a_diff_link(
    client, auth, people, make_page
):
    make_page("Spring Campaign", "Our spring launch.", author=people["bob"])
    result = save("Spring Campaign", "Our big spring launch.", people["alice"], summary="Bigger")
    [line] = lines(people["bob"])
    assert (line.kind, line.actors, line.count, line.unread) == ("edit", ["alice"], 1, True)
    assert line.from_revision == result.revision.parent_id
    assert line.to_revision == result.revision.id
    auth.login(people["bob"])
    page = html(client)
    assert "alice edited Spring Campaign" in page
    assert '<span class="summary">Bigger</span>' in page  # what the editor said of it
    diff = f"/diff/Spring_Campaign?from={result.revision.parent_id}&amp;to={result.revision.id}"
    assert diff in page


def test_ones_own_actions_never_notify_oneself(people, make_page):
    bob = people["bob"]
    make_page("Spring Campaign", "Our spring launch.", author=bob)
    save("Spring Campaign", "Our big spring launch.", bob)
    comment = start_topic("Spring Campaign", "Tone", "Hello @bob", bob)
    reply(comment.topic_id, "Answering myself", bob, parent=comment)
    assert lines(bob) == []


def test_a_run_of_edits_to_one_page_is_one_line_naming_who_and_how_many(
    client, auth, people, make_page
):
    bob, alice, carol, dave = (people[n] for n in ("bob", "alice", "carol", "dave"))
    make_page("Spring Campaign", "v0", author=bob)
    for number, author in enumerate((alice, alice, carol, carol, dave), start=1):
        last = save("Spring Campaign", f"v{number}", author, summary=f"Edit {number}")
    [line] = lines(bob)
    assert line.count == 5
    assert line.excerpt == "Edit 5"  # the latest edit's summary
    assert line.actors == ["dave", "carol", "alice"]
    first = db.session.scalar(
        select(Revision.id).where(Revision.page_id == page_named("Spring Campaign").id).limit(1)
    )
    assert (line.from_revision, line.to_revision) == (first, last.revision.id)
    auth.login(people["bob"])
    assert "dave and 2 others edited Spring Campaign — 5 edits" in html(client)


def test_a_read_group_is_closed_and_other_events_break_a_run(people, make_page):
    bob, alice = people["bob"], people["alice"]
    make_page("Spring Campaign", "v0", author=bob)
    make_page("Press Kit", "v0", author=bob)
    save("Spring Campaign", "v1", alice)
    save("Spring Campaign", "v2", alice)
    notifications.mark_all_read(bob)
    save("Spring Campaign", "v3", alice)
    save("Press Kit", "v1", alice)
    save("Spring Campaign", "v4", alice)
    shown = [(line.page_title, line.count, line.unread) for line in lines(bob)]
    assert shown == [
        ("Spring Campaign", 1, True),
        ("Press Kit", 1, True),
        ("Spring Campaign", 1, True),
        ("Spring Campaign", 2, False),
    ]


def test_a_new_topic_notifies_watchers_and_talk_followers(people, make_page, client, auth):
    bob, alice, carol = people["bob"], people["alice"], people["carol"]
    make_page("Spring Campaign", "v0", author=bob)
    page = page_named("Spring Campaign")
    from wiki.talk.subscriptions import follow_page

    follow_page(page, carol)
    start_topic("Spring Campaign", "Which colours?", "Green or blue?", alice)
    for person in (bob, carol):
        [line] = lines(person)
        assert (line.kind, line.topic_subject, line.actors) == (
            "topic",
            "Which colours?",
            ["alice"],
        )
        assert line.excerpt == "Green or blue?"
    assert lines(alice) == []
    auth.login(people["carol"])
    assert "alice started the topic “Which colours?” about Spring Campaign" in html(client)


def test_replies_comments_in_followed_topics_and_mentions(people, make_page):
    bob, alice, carol, dave = (people[n] for n in ("bob", "alice", "carol", "dave"))
    make_page("Spring Campaign", "v0", author=dave)
    opening = start_topic("Spring Campaign", "Tone", "Too formal?", bob)
    carol_says = reply(opening.topic_id, "I agree.", carol, parent=opening)  # follows it now
    alice_says = reply(opening.topic_id, "Not at all, @dave.", alice, parent=carol_says)
    kinds = {
        name: [(line.kind, line.comment_id) for line in lines(people[name])]
        for name in ("bob", "carol", "dave")
    }
    # Bob opened the topic (and follows it): Carol answered him, Alice posted in it.
    assert kinds["bob"] == [("comment", alice_says.id), ("reply", carol_says.id)]
    # Carol is answered by Alice; Dave, who watches the page, is mentioned.
    assert kinds["carol"] == [("reply", alice_says.id)]
    assert kinds["dave"] == [
        ("mention", alice_says.id),
        ("topic", opening.id),
    ]


def test_a_reply_to_the_topic_itself_answers_its_author(people, make_page):
    bob, alice = people["bob"], people["alice"]
    make_page("Spring Campaign", "v0", author=people["dave"])
    opening = start_topic("Spring Campaign", "Tone", "Too formal?", bob)
    reply(opening.topic_id, "Looks fine.", alice)
    assert [line.kind for line in lines(bob)] == ["reply"]


def test_a_mention_added_by_editing_a_comment_notifies_once(people, make_page):
    bob, alice = people["bob"], people["alice"]
    make_page("Spring Campaign", "v0", author=people["dave"])
    opening = start_topic("Spring Campaign", "Tone", "Too formal?", alice)
    talk.edit_comment(opening.id, "Too formal? What do you think, @bob?", editor=alice)
    talk.edit_comment(opening.id, "Too formal? What do you think, @bob? Anyone?", editor=alice)
    assert [line.kind for line in lines(bob)] == ["mention"]


def test_the_same_event_twice_notifies_once(app, people, make_page):
    bob = people["bob"]
    make_page("Spring Campaign", "v0", author=bob)
    result = save("Spring Campaign", "v1", people["alice"])
    revision = db.session.get(Revision, result.revision.id)
    with write_transaction():
        notify.on_revision_added(
            app,
            page=revision.page,
            revision=revision,
            previous=db.session.get(Revision, revision.parent_id),
            rendered=None,
            author=people["alice"],
        )
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_a_change_that_rolls_back_leaves_no_notification(app, people, make_page):
    bob = people["bob"]
    make_page("Spring Campaign", "v0", author=bob)

    def fail(sender, **extra):
        raise RuntimeError("the save fails after the notifications were written")

    events.page_saved.connect(fail)
    try:
        with pytest.raises(RuntimeError):
            save("Spring Campaign", "v1", people["alice"])
    finally:
        events.page_saved.disconnect(fail)
    assert lines(bob) == []
    assert page_named("Spring Campaign").latest.text == "v0"


def test_a_hidden_comment_is_not_shown_to_those_who_cannot_see_it(people, make_page, make_user):
    bob, alice = people["bob"], people["alice"]
    moderator = make_user("mona", role=Role.MODERATOR)
    make_page("Spring Campaign", "v0", author=bob)
    opening = start_topic("Spring Campaign", "Tone", "Hi @mona and @bob", alice)
    assert notifications.unread_count(bob) == 1
    moderation.hide_comment(opening.id, "spam", moderator=moderator)
    assert lines(bob) == [] and notifications.unread_count(bob) == 0
    assert [line.kind for line in lines(moderator)] == ["mention"]
    moderation.unhide_comment(opening.id, moderator=moderator)
    assert [line.kind for line in lines(bob)] == ["mention"]


def test_notifications_about_a_deleted_page_are_shown_to_moderators_only(
    people, make_page, make_user
):
    bob = people["bob"]
    moderator = make_user("mona", role=Role.MODERATOR)
    make_page("Spring Campaign", "v0", author=bob)
    make_page("Spring Campaign", "v0", "v1", author=moderator)  # Mona watches it too
    save("Spring Campaign", "v2", people["alice"])
    with write_transaction() as session:
        session.execute(update(Page).values(deleted=True))
    assert lines(bob) == [] and notifications.unread_count(bob) == 0
    assert [line.kind for line in lines(moderator)] == ["edit"]


def test_bell_shows_the_unread_count_and_marking_read_clears_it(client, auth, people, make_page):
    bob, alice = people["bob"], people["alice"]
    make_page("Spring Campaign", "v0", author=bob)
    make_page("Press Kit", "v0", author=bob)
    save("Spring Campaign", "v1", alice)
    save("Press Kit", "v1", alice)
    auth.login(people["bob"])
    page = html(client, "/wiki/Spring_Campaign")
    assert 'aria-label="Notifications, 2 unread"' in page
    assert re.search(r'<span class="bell-count">2</span>', page)
    press_kit = lines(bob)[0].id
    response = client.post(f"/notifications/{press_kit}/read", data={})
    assert response.status_code == 302
    assert 'aria-label="Notifications, 1 unread"' in html(client, "/wiki/Spring_Campaign")
    assert [line.unread for line in lines(bob)] == [False, True]
    client.post("/notifications/read-all", data={})
    page = html(client, "/wiki/Spring_Campaign")
    assert "bell-count" not in page and 'aria-label="Notifications"' in page


def test_marking_read_answers_the_script_with_the_new_count(client, auth, people, make_page):
    make_page("Spring Campaign", "v0", author=people["bob"])
    save("Spring Campaign", "v1", people["alice"])
    auth.login(people["bob"])
    line = lines(people["bob"])[0].id
    response = client.post(
        f"/notifications/{line}/read", data={}, headers={"X-Requested-With": "fetch"}
    )
    assert response.get_json() == {"unread": 0, "label": "Notifications"}


def test_nobody_can_mark_someone_elses_notifications(client, auth, people, make_page):
    make_page("Spring Campaign", "v0", author=people["bob"])
    save("Spring Campaign", "v1", people["alice"])
    line = lines(people["bob"])[0].id
    auth.login(people["alice"])
    assert client.post(f"/notifications/{line}/read", data={}).status_code == 404
    assert lines(people["bob"])[0].unread
    auth.logout()
    assert client.post(f"/notifications/{line}/read", data={}).status_code == 403
    assert client.get("/notifications").status_code == 302


def test_unread_filter_and_key_pagination(client, auth, people, make_page):
    bob, alice = people["bob"], people["alice"]
    for n in range(35):
        make_page(f"Page {n}", "v0", author=bob)
        save(f"Page {n}", "v1", alice)
    auth.login(people["bob"])
    first = html(client)
    assert first.count('class="notification-link"') == 30
    older = re.search(r'href="/notifications\?before=(\d+)"', first).group(1)
    second = html(client, f"/notifications?before={older}")
    assert second.count('class="notification-link"') == 5
    assert "alice edited Page 0" in second and "alice edited Page 34" in first
    notifications.mark_read(bob, lines(bob)[0].id)
    assert html(client, "/notifications?unread=1").count('class="notification-link"') == 30


def test_the_notification_list_runs_the_same_queries_for_few_or_many(
    app, client, auth, people, make_page
):
    bob, alice, carol = people["bob"], people["alice"], people["carol"]
    make_page("Spring Campaign", "v0", author=bob)
    save("Spring Campaign", "v1", alice)
    opening = start_topic("Spring Campaign", "Tone", "Hi", carol)
    auth.login(people["bob"])
    few = queries_of(client, "/notifications")
    for n in range(25):
        save("Spring Campaign", f"v{n + 2}", alice if n % 2 else carol)
        reply(opening.topic_id, f"Comment {n} for @bob", alice)
        make_page(f"Page {n}", "v0", author=bob)
        save(f"Page {n}", "v1", carol)
    assert len(lines(bob)) == 30
    assert queries_of(client, "/notifications") == few
    bob_id = bob.id
    with count_queries() as seen:
        notifications.unread_count(bob)
    assert len([s for s in seen if "notification" in s]) == 1
    assert bob.id == bob_id


def test_a_move_keeps_the_watch_and_notifies_and_a_deletion_hides(people, make_page, make_user):
    moves = pytest.importorskip("wiki.organise.moves")
    deletion = pytest.importorskip("wiki.organise.deletion")
    bob, alice = people["bob"], people["alice"]
    mona = make_user("mona", role=Role.MODERATOR)
    make_page("Spring Campaign", "v0", author=bob)
    moves.move_page(
        parse_title("Spring Campaign"), parse_title("Spring Campaign 2026"), user=alice
    )
    [line] = lines(bob)
    assert (line.kind, line.page_title) == ("edit", "Spring Campaign 2026")
    save("Spring Campaign 2026", "v1", alice)
    assert [(line.page_title, line.count) for line in lines(bob)] == [("Spring Campaign 2026", 2)]
    deletion.delete_page(parse_title("Spring Campaign 2026"), user=mona, reason="obsolete")
    assert lines(bob) == [] and notifications.unread_count(bob) == 0
