"""Log talk moderation (hiding comments, locking topics) in the moderation log.

The talk services change a comment's hidden state or a topic's lock in their own write
transactions; this hook adds the log entry to the same flush, so the action and its log
entry commit (or roll back) together, without the talk code knowing about the log.
"""

import json

from flask import has_request_context
from flask_login import current_user
from flask_sqlalchemy.session import Session
from sqlalchemy import event, inspect, select

from ..models import Page
from ..modlog import LogEntry


def _acting_user_id() -> int | None:
    """Return the logged-in person of the current request, if any."""
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


def _changed(obj, name: str) -> tuple[bool, object]:
    """Return whether an attribute changed in this flush, and its new value."""
    history = inspect(obj).attrs[name].history
    added, deleted = history.added, history.deleted
    changed = bool(added) and (not deleted or added[0] != deleted[0])
    return changed, getattr(obj, name)


def _entry(session, action: str, actor_id, page_id: int, reason: str, **details) -> LogEntry:
    """Return a log entry about a page's talk page."""
    title = session.scalar(select(Page.title).where(Page.id == page_id)) or ""
    return LogEntry(
        action=action,
        actor_id=actor_id,
        page_id=page_id,
        target=title,
        reason=(reason or "")[:500],
        details=json.dumps(details),
    )


def log_talk_moderation(session, _flush_context, _instances) -> None:
    """Add a log entry for each comment hidden or shown again and each topic (un)locked."""
    from ..talk.models import Comment, Topic

    entries = []
    with session.no_autoflush:
        for obj in list(session.dirty):
            if isinstance(obj, Comment):
                changed, hidden_at = _changed(obj, "hidden_at")
                if not changed:
                    continue
                topic = session.get(Topic, obj.topic_id)
                if hidden_at is not None:
                    actor, action, reason = obj.hidden_by_id, "hide", obj.hidden_reason
                else:
                    actor, action, reason = _acting_user_id(), "unhide", ""
                entries.append(
                    _entry(
                        session,
                        action,
                        actor,
                        topic.page_id,
                        reason,
                        comment=obj.id,
                        topic=topic.id,
                        subject=topic.subject,
                    )
                )
            elif isinstance(obj, Topic):
                changed, locked = _changed(obj, "locked")
                if changed:
                    actor = obj.locked_by_id if locked else _acting_user_id()
                    entries.append(
                        _entry(
                            session,
                            "lock" if locked else "unlock",
                            actor,
                            obj.page_id,
                            "",
                            topic=obj.id,
                            subject=obj.subject,
                        )
                    )
    for entry in entries:
        session.add(entry)


def install() -> None:
    """Listen to every database session's flushes (once per process)."""
    if not event.contains(Session, "before_flush", log_talk_moderation):
        event.listen(Session, "before_flush", log_talk_moderation)
