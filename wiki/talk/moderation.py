"""Moderating talk pages: hiding comments, locking topics, marking them resolved."""

from flask import current_app
from sqlalchemy import select

from .. import events, modlog
from ..access.permissions import require_moderator
from ..core.titles import N_
from ..database import write_transaction
from ..models import User, utcnow
from ..problems import BadRequest, NotAllowed, NotFound
from .models import MAX_REASON_LENGTH, Comment, Topic
from .permissions import can_resolve
from .service import set_visibility


def hide_comment(comment_id: int, reason: str, *, moderator: User | None) -> Comment:
    """Hide a comment from everyone but moderators and its author, saying why (its author is
    told, unless they hide it themselves)."""
    require_moderator(moderator)
    reason = " ".join(reason.split())
    if not reason:
        raise BadRequest(N_("Say why you hide the comment: the reason is shown in its place."))
    if len(reason) > MAX_REASON_LENGTH:
        raise BadRequest(
            N_("The reason is too long: at most %(count)s characters."), count=MAX_REASON_LENGTH
        )
    with write_transaction() as session:
        comment = _comment(session, comment_id)
        was_hidden = comment.hidden_at is not None
        set_visibility(
            session, comment, hidden_at=utcnow(), hidden_by_id=moderator.id, hidden_reason=reason
        )
        _log_comment("hide", moderator, comment, reason)
        if not was_hidden and comment.deleted_at is None:
            events.comment_hidden.send(
                current_app._get_current_object(), comment=comment, moderator=moderator
            )
    return comment


def unhide_comment(comment_id: int, *, moderator: User | None) -> Comment:
    """Show a hidden comment again."""
    require_moderator(moderator)
    with write_transaction() as session:
        comment = _comment(session, comment_id)
        was_hidden = comment.hidden_at is not None
        set_visibility(session, comment, hidden_at=None, hidden_by_id=None, hidden_reason="")
        if was_hidden:
            _log_comment("unhide", moderator, comment, "")
    return comment


def lock_topic(topic_id: int, locked: bool, *, moderator: User | None) -> Topic:
    """Lock a topic so that it takes no new replies, or unlock it."""
    require_moderator(moderator)
    with write_transaction() as session:
        topic = _topic(session, topic_id)
        if topic.locked != locked:
            modlog.record(
                "lock" if locked else "unlock",
                moderator,
                page=topic.page,
                topic=topic.id,
                subject=topic.subject,
            )
        topic.locked = locked
        topic.locked_by_id = moderator.id if locked else None
    return topic


def resolve_topic(topic_id: int, resolved: bool, *, user: User | None) -> Topic:
    """Mark a topic resolved, or open it again: its author or a moderator may."""
    with write_transaction() as session:
        topic = _topic(session, topic_id)
        if not can_resolve(user, topic):
            raise NotAllowed(N_("Only the topic's author or a moderator can do this."))
        topic.resolved = resolved
        topic.resolved_by_id = user.id if resolved else None
    return topic


def _log_comment(action: str, moderator: User, comment: Comment, reason: str) -> None:
    """Record hiding or showing a comment in the moderation log, in the same transaction."""
    topic = comment.topic
    modlog.record(
        action,
        moderator,
        reason=reason,
        page=topic.page,
        comment=comment.id,
        topic=topic.id,
        subject=topic.subject,
    )


def _comment(session, comment_id: int) -> Comment:
    """Return the comment, locked for update, or raise NotFound."""
    comment = session.scalar(
        select(Comment).where(Comment.id == comment_id).with_for_update(key_share=True)
    )
    if comment is None:
        raise NotFound(N_("This comment does not exist."))
    return comment


def _topic(session, topic_id: int) -> Topic:
    """Return the topic, locked for update, or raise NotFound."""
    topic = session.scalar(
        select(Topic).where(Topic.id == topic_id).with_for_update(key_share=True)
    )
    if topic is None:
        raise NotFound(N_("This topic does not exist."))
    return topic
