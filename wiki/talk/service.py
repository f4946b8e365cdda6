"""The rules of talk pages: who may post, edit and moderate, and how comments are kept."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events
from ..access.permissions import post_refusal
from ..core.text import byte_size, clean_text
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..identity import user_key
from ..memo import content_changed
from ..models import Page, User, utcnow
from ..pages import content
from ..problems import BadRequest, CannotProcess, NotAllowed, NotFound, TooLarge
from ..renderer import RenderTimeout
from . import mentions
from .models import (
    MAX_SUBJECT_LENGTH,
    Comment,
    CommentMention,
    CommentVersion,
    Topic,
    TopicSubscription,
)
from .permissions import can_change, can_post, can_reply
from .reading import with_red_links
from .subscriptions import subscribe

#: Settings and their defaults; each can be set in instance/config.py or as WIKI_<NAME>.
DEFAULTS = {"MAX_COMMENT_BYTES": 20 * 1024}
PROFILE_PATH = "/user/"


LOG_IN = N_("Please log in with an editor account to take part in discussions.")


def refused(author: User | None) -> NotAllowed:
    """Return the refusal for someone who may not post: why (a block says until when)."""
    refusal = post_refusal(author)
    if refusal is None:
        return NotAllowed(LOG_IN)
    return NotAllowed(refusal.message, needs_login=refusal.needs_login, **refusal.params)


def setting(name: str) -> int:
    """Return a talk setting from the app's configuration, or its default."""
    return int(current_app.config.get(name, DEFAULTS[name]))


# Writing a comment: checks and rendering happen before the write transaction.


@dataclass(frozen=True)
class Prepared:
    """A comment's text, checked and rendered, with the people it mentions."""

    body: str
    html: str
    mentioned: tuple[int, ...]


def prepare(body: str) -> Prepared:
    """Check and render a comment, or raise BadRequest saying what is wrong with it."""
    text = clean_text(body).strip()
    if not text:
        raise BadRequest(N_("The comment is empty. Write something before posting."))
    limit = setting("MAX_COMMENT_BYTES")
    if byte_size(text) > limit:
        raise TooLarge(
            N_(
                "The comment is too long: it has %(count)s characters, and a comment may "
                "have about %(limit)s at most. Your text is kept; shorten it and post again."
            ),
            count=len(text),
            limit=limit,  # characters of one byte; letters with accents take two
        )
    try:
        rendered = content.render(text)
    except RenderTimeout as error:
        raise CannotProcess(str(error)) from error
    people = _find_people(mentions.find_mentions(rendered.html))
    html = mentions.link_mentions(
        rendered.html,
        lambda name: (
            PROFILE_PATH + quote(people[name].username, safe="") if name in people else None
        ),
    )
    return Prepared(text, html, tuple(dict.fromkeys(user.id for user in people.values())))


def preview(body: str) -> str:
    """Return the HTML a comment would have, without saving it."""
    prepared = prepare(body)
    return with_red_links({0: prepared.html})[0]


def _find_people(names: list[str]) -> dict[str, User]:
    """Return the existing accounts among names typed after "@", by the name as typed."""
    keys = {name: user_key(name) for name in names[:50]}
    if not keys:
        return {}
    users = db.session.scalars(select(User).where(User.key.in_(set(keys.values()))))
    by_key = {user.key: user for user in users}
    return {name: by_key[key] for name, key in keys.items() if key in by_key}


def check_subject(subject: str) -> str:
    """Return the subject on one line, or raise BadRequest."""
    subject = " ".join(clean_text(subject).split())
    if not subject:
        raise BadRequest(N_("The topic needs a subject."))
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise BadRequest(
            N_("The subject is too long: at most %(count)s characters."),
            count=MAX_SUBJECT_LENGTH,
        )
    return subject


def start_topic(
    page: Page,
    subject: str,
    body: str,
    *,
    author: User | None,
    also: Callable[[Session, Topic], None] | None = None,
) -> Comment:
    """Start a topic on the page's talk page with its first comment; return the comment.

    also(session, topic) runs in the same transaction (anchored threads add their passage).
    """
    if not can_post(author):
        raise refused(author)
    subject = check_subject(subject)
    prepared = prepare(body)
    with write_transaction() as session:
        now = utcnow()
        topic = Topic(
            page_id=page.id,
            subject=subject,
            author_id=author.id,
            created_at=now,
            last_activity_at=now,
            comment_count=1,
        )
        session.add(topic)
        session.flush()
        if also is not None:
            also(session, topic)
        comment = _add_comment(session, topic, None, author, prepared, now)
        subscribe(session, TopicSubscription, user_id=author.id, topic_id=topic.id)
        events.topic_created.send(
            current_app._get_current_object(),
            topic=topic,
            comment=comment,
            author=author,
            mentioned=prepared.mentioned,
        )
    return comment


def reply(topic_id: int, body: str, *, author: User | None, parent_id: int | None) -> Comment:
    """Post a comment in a topic, answering the topic or one of its comments."""
    if not can_post(author):
        raise refused(author)
    _reply_target(db.session, topic_id, parent_id, author)
    prepared = prepare(body)
    with write_transaction() as session:
        topic, parent = _reply_target(session, topic_id, parent_id, author, lock=True)
        now = utcnow()
        comment = _add_comment(session, topic, parent, author, prepared, now)
        topic.comment_count = Topic.comment_count + 1
        topic.last_activity_at = now
        subscribe(session, TopicSubscription, user_id=author.id, topic_id=topic.id)
        events.comment_posted.send(
            current_app._get_current_object(),
            topic=topic,
            comment=comment,
            parent=parent,
            author=author,
            mentioned=prepared.mentioned,
        )
    return comment


def _reply_target(session: Session, topic_id, parent_id, author, lock=False):
    """Return the topic and the comment answered, or raise why one cannot reply to them."""
    statement = select(Topic).where(Topic.id == topic_id)
    topic = session.scalar(statement.with_for_update(key_share=True) if lock else statement)
    if topic is None:
        raise NotFound(N_("This topic does not exist."))
    if not can_reply(author, topic):
        raise NotAllowed(N_("This topic is locked: it takes no new replies."))
    if parent_id is None:
        return topic, None
    parent = session.get(Comment, parent_id)
    if parent is None:
        raise NotFound(N_("The comment you are replying to does not exist."))
    if parent.topic_id != topic.id:
        raise BadRequest(N_("The comment you are replying to belongs to another topic."))
    if not parent.visible:
        raise BadRequest(N_("The comment you are replying to was deleted or hidden."))
    return topic, parent


def _add_comment(session, topic, parent, author, prepared: Prepared, now: datetime) -> Comment:
    """Add a comment, its first version and its mentions."""
    comment = Comment(
        topic_id=topic.id,
        parent_id=parent.id if parent else None,
        author_id=author.id,
        depth=parent.depth + 1 if parent else 1,
        created_at=now,
        body=prepared.body,
        html=prepared.html,
    )
    session.add(comment)
    session.flush()
    session.add(
        CommentVersion(
            comment_id=comment.id,
            body=prepared.body,
            html=prepared.html,
            edited_at=now,
            editor_id=author.id,
        )
    )
    for user_id in prepared.mentioned:
        session.add(CommentMention(comment_id=comment.id, user_id=user_id, created_at=now))
    return comment


def edit_comment(comment_id: int, body: str, *, editor: User | None) -> bool:
    """Save a new text for one's own comment, keeping the old one; return if it changed."""
    _changeable(db.session, comment_id, editor)
    prepared = prepare(body)
    with write_transaction() as session:
        comment = _changeable(session, comment_id, editor, lock=True)
        if comment.body == prepared.body:
            return False
        now = utcnow()
        comment.body, comment.html, comment.edited_at = prepared.body, prepared.html, now
        session.add(
            CommentVersion(
                comment_id=comment.id,
                body=prepared.body,
                html=prepared.html,
                edited_at=now,
                editor_id=editor.id,
            )
        )
        _replace_mentions(session, comment, prepared.mentioned, now)
        events.comment_edited.send(
            current_app._get_current_object(),
            comment=comment,
            author=editor,
            mentioned=prepared.mentioned,
        )
    return True


def delete_comment(comment_id: int, *, user: User | None) -> Comment:
    """Delete one's own comment: a placeholder stays, and so do the replies."""
    with write_transaction() as session:
        comment = _changeable(session, comment_id, user, lock=True)
        set_visibility(session, comment, deleted_at=utcnow())
    return comment


def _changeable(session: Session, comment_id: int, user, lock=False) -> Comment:
    """Return the comment if this person may change it, or raise why not."""
    statement = select(Comment).where(Comment.id == comment_id)
    comment = session.scalar(statement.with_for_update(key_share=True) if lock else statement)
    if comment is None:
        raise NotFound(N_("This comment does not exist."))
    if not can_change(user, comment):
        raise NotAllowed(
            N_("Only its author can change a comment, and only until it is deleted or hidden.")
        )
    return comment


def _replace_mentions(session, comment: Comment, user_ids: tuple[int, ...], now) -> None:
    """Keep the mentions that stay, add the new ones, drop the ones removed."""
    rows = session.scalars(select(CommentMention).where(CommentMention.comment_id == comment.id))
    kept = set()
    for row in rows:
        if row.user_id in user_ids:
            kept.add(row.user_id)
        else:
            session.delete(row)
    for user_id in user_ids:
        if user_id not in kept:
            session.add(CommentMention(comment_id=comment.id, user_id=user_id, created_at=now))


def set_visibility(session: Session, comment: Comment, **changes) -> None:
    """Change a comment's deleted or hidden state, keeping its topic's count right."""
    was_visible = comment.visible
    for name, value in changes.items():
        setattr(comment, name, value)
    change = int(comment.visible) - int(was_visible)
    if change:
        content_changed()  # the talk count, the anchored threads and the bell
        topic = session.scalar(
            select(Topic).where(Topic.id == comment.topic_id).with_for_update(key_share=True)
        )
        topic.comment_count = Topic.comment_count + change
