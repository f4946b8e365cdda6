"""Talk pages at the service level: rules, limits, permissions, threads and their queries."""

import pytest
from sqlalchemy import func, select

from tests.helpers import count_queries
from wiki.extensions import db
from wiki.problems import UserError
from wiki.renderer import RenderTimeout
from wiki.talk import moderation, reading, service, subscriptions
from wiki.talk.models import (
    Comment,
    CommentMention,
    CommentVersion,
    PageTalkSubscription,
    Topic,
    TopicSubscription,
)
from wiki.talk.thread import walk


@pytest.fixture
def page(make_page):
    return make_page("Spring Launch", "We launch in spring.")


@pytest.fixture
def first(page, people):
    """The first comment of a topic started by "author"."""
    return service.start_topic(page, "Tone of voice", "Too formal?", author=people["author"])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def refresh(instance):
    db.session.expire_all()
    return db.session.get(type(instance), instance.id)


def test_starting_a_topic_keeps_subject_comment_first_version_and_follows_it(page, people):
    comment = service.start_topic(
        page, "  Tone\nof voice ", "Is it *too* formal?", author=people["editor"]
    )
    topic = db.session.get(Topic, comment.topic_id)
    assert (topic.subject, topic.page_id, topic.comment_count) == ("Tone of voice", page.id, 1)
    assert topic.last_activity_at == comment.created_at
    assert (comment.body, comment.html) == (
        "Is it *too* formal?",
        "<p>Is it <em>too</em> formal?</p>",
    )
    version = db.session.scalar(select(CommentVersion))
    assert (version.body, version.editor_id) == (comment.body, people["editor"].id)
    assert db.session.get(TopicSubscription, (people["editor"].id, topic.id)) is not None


def test_replies_nest_count_and_move_the_topic_up(page, people, first):
    other = service.start_topic(page, "Later topic", "second", author=people["editor"])
    answer = service.reply(first.topic_id, "Yes", author=people["editor"], parent_id=first.id)
    nested = service.reply(first.topic_id, "No", author=people["admin"], parent_id=answer.id)
    top = service.reply(first.topic_id, "Also", author=people["admin"], parent_id=None)
    assert (answer.depth, nested.depth, top.depth, top.parent_id) == (2, 3, 1, None)
    listed = reading.topics(page)
    assert [t.id for t in listed] == [first.topic_id, other.topic_id]
    assert listed[0].comment_count == 4
    assert reading.talk_count("spring launch") == 5
    assert db.session.get(TopicSubscription, (people["admin"].id, first.topic_id))


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ("", 400, "empty"),
        ("  \n\t ", 400, "empty"),
        ("x" * 2049, 413, "it has 2049 characters, and a comment may have about 2048 at most"),
    ],
)
def test_empty_and_oversized_comments_are_refused(app, page, people, body, status, words):
    app.config["MAX_COMMENT_BYTES"] = 2048
    with pytest.raises(UserError) as error:
        service.start_topic(page, "Subject", body, author=people["editor"])
    assert error.value.status == status
    assert words in error.value.message % error.value.params
    assert count(Topic) == 0
    service.start_topic(page, "Subject", "é" * 1024, author=people["editor"])


def test_a_subject_is_required_and_bounded(page, people):
    for subject in ("", "   ", "x" * 201):
        with pytest.raises(UserError) as error:
            service.start_topic(page, subject, "text", author=people["editor"])
        assert error.value.status == 400


def test_text_that_cannot_be_rendered_in_time_is_refused(monkeypatch, page, people):
    def slow(text):
        raise RenderTimeout(1.0)

    monkeypatch.setattr(service.content, "render", slow)
    with pytest.raises(UserError) as error:
        service.start_topic(page, "Subject", "[[[[", author=people["editor"])
    assert error.value.status == 422 and "too complex" in error.value.message


def test_replies_to_missing_or_foreign_comments_are_refused(page, people, first):
    other = service.start_topic(page, "Other", "elsewhere", author=people["editor"])
    with pytest.raises(UserError) as error:
        service.reply(first.topic_id, "x", author=people["editor"], parent_id=other.id)
    assert error.value.status == 400 and "another topic" in error.value.message
    with pytest.raises(UserError) as error:
        service.reply(first.topic_id, "x", author=people["editor"], parent_id=999)
    assert error.value.status == 404
    with pytest.raises(UserError) as error:
        service.reply(999, "x", author=people["editor"], parent_id=None)
    assert error.value.status == 404


def test_editing_keeps_every_version_and_marks_the_comment(people, first):
    assert service.edit_comment(first.id, "Too formal? Yes.", editor=people["author"])
    assert not service.edit_comment(first.id, "Too formal? Yes.\n", editor=people["author"])
    comment = refresh(first)
    assert comment.body == "Too formal? Yes." and comment.edited_at is not None
    shown = reading.versions(comment, people["reader"])
    assert [v.body for v in shown] == ["Too formal? Yes.", "Too formal?"]


def test_deleting_leaves_a_placeholder_and_the_replies(people, first):
    answer = service.reply(first.topic_id, "answer", author=people["editor"], parent_id=first.id)
    service.delete_comment(first.id, user=people["author"])
    topic = db.session.get(Topic, first.topic_id)
    assert topic.comment_count == 1
    nodes = list(walk(reading.thread(topic).nodes))
    assert [(n.comment.id, n.level) for n in nodes] == [(first.id, 1), (answer.id, 2)]
    assert nodes[0].comment.deleted_at is not None
    with pytest.raises(UserError) as error:
        service.reply(first.topic_id, "x", author=people["editor"], parent_id=first.id)
    assert error.value.status == 400
    with pytest.raises(UserError) as error:
        service.edit_comment(first.id, "back", editor=people["author"])
    assert error.value.status == 403
    with pytest.raises(UserError):
        reading.versions(refresh(first), people["author"])
    assert reading.versions(refresh(first), people["moderator"])


def test_hiding_needs_a_reason_and_unhiding_restores_the_count(people, first):
    with pytest.raises(UserError) as error:
        moderation.hide_comment(first.id, "  ", moderator=people["moderator"])
    assert error.value.status == 400
    moderation.hide_comment(first.id, "off topic", moderator=people["moderator"])
    moderation.hide_comment(first.id, "spam, really", moderator=people["moderator"])
    comment = refresh(first)
    assert (comment.hidden_reason, comment.hidden_by_id) == (
        "spam, really",
        people["moderator"].id,
    )
    assert db.session.get(Topic, first.topic_id).comment_count == 0
    moderation.unhide_comment(first.id, moderator=people["moderator"])
    assert db.session.get(Topic, first.topic_id).comment_count == 1
    assert refresh(first).hidden_reason == ""


def test_locked_topics_take_replies_only_from_moderators(people, first):
    moderation.lock_topic(first.topic_id, True, moderator=people["moderator"])
    with pytest.raises(UserError) as error:
        service.reply(first.topic_id, "x", author=people["author"], parent_id=None)
    assert error.value.status == 403 and "locked" in error.value.message
    service.reply(first.topic_id, "Closing this.", author=people["moderator"], parent_id=None)
    moderation.lock_topic(first.topic_id, False, moderator=people["moderator"])
    service.reply(first.topic_id, "Thanks", author=people["author"], parent_id=None)


def test_mentions_link_existing_people_and_are_stored(people, page):
    editor, admin = people["editor"], people["admin"]  # they exist before being mentioned
    comment = service.start_topic(
        page, "Hi", "Ask @Editor and @nobody, not `@admin`.", author=people["author"]
    )
    assert '<a class="mention" href="/user/editor">@Editor</a>' in comment.html
    assert "@nobody" in comment.html and "/user/nobody" not in comment.html
    mentioned = db.session.scalars(select(CommentMention.user_id)).all()
    assert mentioned == [editor.id]
    service.edit_comment(comment.id, "Ask @admin instead", editor=people["author"])
    mentioned = db.session.scalars(select(CommentMention.user_id)).all()
    assert mentioned == [admin.id]


def test_comment_html_is_sanitised(people, page):
    comment = service.start_topic(
        page,
        "<b>x</b>",
        "<script>alert(1)</script> [a](javascript:alert(1))",
        author=people["author"],
    )
    assert "<script>" not in comment.html and "javascript:" not in comment.html
    assert db.session.get(Topic, comment.topic_id).subject == "<b>x</b>"


def test_following_is_idempotent_and_can_stop(people, page, first):
    topic = db.session.get(Topic, first.topic_id)
    reader = people["reader"]
    for _ in range(2):
        subscriptions.follow_page(page, reader)
        subscriptions.follow_topic(topic, reader)
    assert subscriptions.is_following(reader, page=page)
    assert subscriptions.is_following(reader, topic=topic)
    subscriptions.follow_page(page, reader, False)
    subscriptions.follow_topic(topic, reader, False)
    assert not subscriptions.is_following(reader, page=page)
    assert count(PageTalkSubscription) == 0
    assert count(TopicSubscription) == 1  # the author's own


# Who may do what. "author" started the topic and wrote its first comment.
EVERYONE = ["anonymous", "reader", "editor", "author", "moderator", "admin"]
ALLOWED = {
    "start_topic": {"editor", "author", "moderator", "admin"},
    "reply": {"editor", "author", "moderator", "admin"},
    "reply_when_locked": {"moderator", "admin"},
    "edit": {"author"},
    "delete": {"author"},
    "hide": {"moderator", "admin"},
    "unhide": {"moderator", "admin"},
    "lock": {"moderator", "admin"},
    "resolve": {"author", "moderator", "admin"},
    "follow": {"reader", "editor", "author", "moderator", "admin"},
}


def attempt(action, user, page, first, people):
    """Try one action as user."""
    topic_id = first.topic_id
    if action == "start_topic":
        service.start_topic(page, "New", "text", author=user)
    elif action == "reply":
        service.reply(topic_id, "text", author=user, parent_id=first.id)
    elif action == "reply_when_locked":
        moderation.lock_topic(topic_id, True, moderator=people["admin"])
        service.reply(topic_id, "text", author=user, parent_id=None)
    elif action == "edit":
        service.edit_comment(first.id, "changed", editor=user)
    elif action == "delete":
        service.delete_comment(first.id, user=user)
    elif action == "hide":
        moderation.hide_comment(first.id, "spam", moderator=user)
    elif action == "unhide":
        moderation.hide_comment(first.id, "spam", moderator=people["admin"])
        moderation.unhide_comment(first.id, moderator=user)
    elif action == "lock":
        moderation.lock_topic(topic_id, True, moderator=user)
    elif action == "resolve":
        moderation.resolve_topic(topic_id, True, user=user)
    elif action == "follow":
        subscriptions.follow_topic(db.session.get(Topic, topic_id), user)


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_permission_matrix(action, who, page, people, first):
    if who in ALLOWED[action]:
        attempt(action, people[who], page, first, people)
    else:
        with pytest.raises(UserError) as error:
            attempt(action, people[who], page, first, people)
        assert error.value.status == 403


def test_a_thread_takes_the_same_queries_for_3_or_60_comments(page, people, first):
    topic = db.session.get(Topic, first.topic_id)

    def queries() -> int:
        db.session.expire_all()
        shown = db.session.get(Topic, topic.id)
        with count_queries() as seen:
            thread = reading.thread(shown)
            for node in walk(thread.nodes):
                assert node.comment.author.username
        return len(seen)

    parent = first.id
    for n in range(2):
        parent = service.reply(
            topic.id, f"[[Page {n}]]", author=people["editor"], parent_id=parent
        ).id
    few = queries()
    db.session.add_all(
        Comment(
            topic_id=topic.id,
            parent_id=parent,
            author_id=people["admin"].id,
            depth=4,
            body="x",
            html="<p>x</p>",
        )
        for _ in range(57)
    )
    db.session.commit()
    assert queries() == few == 2  # the comments with their authors; the red-link check


def test_listing_topics_is_one_query(page, people):
    for n in range(5):
        service.start_topic(page, f"Topic {n}", "text", author=people[EVERYONE[2 + n % 4]])
    db.session.expire_all()
    page = db.session.get(type(page), page.id)
    with count_queries() as seen:
        listed = reading.topics(page)
        assert {t.author.username for t in listed} == {"editor", "author", "moderator", "admin"}
    assert len(seen) == 1
