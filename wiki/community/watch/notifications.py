"""Reading notifications: a person's list of groups, the unread count, marking them read.

A list page costs three queries whatever its length: the group heads (with their page,
topic and comment), the members of those groups by actor, and nothing else. What a person
may not see (a hidden comment, a deleted page) is left out when reading, so it reappears
if the comment is shown again.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select, true, update
from sqlalchemy.orm import aliased

from ...access.permissions import can_review, is_moderator
from ...core.excerpt import excerpt
from ...database import write_transaction
from ...extensions import db
from ...memo import seen_by_own_doing
from ...models import Page, Revision, User, utcnow
from ...review.models import PUBLISHED, WAITING, RevisionReview
from ...review.visibility import sees_waiting
from ...summaries import display as summary_shown
from ...talk.models import Comment, Topic
from ..models import HIDDEN, REJECTED, WATCH_REJECTED, Notification
from ..sql import page_shown

PAGE_SIZE = 30
#: The bell shows "99+" beyond this.
MAX_COUNTED = 99
EXCERPT = 160


@dataclass
class Item:
    """One line of the notification list: a notification, or a group of edits to one page."""

    id: int
    kind: str
    unread: bool
    created_at: datetime
    page_title: str | None
    topic_id: int | None = None
    topic_subject: str = ""
    comment_id: int | None = None
    excerpt: str = ""
    #: Who did it, the most recent first, and how many events the line stands for.
    actors: list[str] = field(default_factory=list)
    count: int = 1
    #: The diff covering the whole group: from the revision before the first edit to the last.
    from_revision: int | None = None
    to_revision: int | None = None
    #: An edit line whose latest edit waits for review, for a reviewer: it says so and
    #: leads to the page's review screen.
    awaits_review: bool = False


@dataclass
class ItemsPage:
    """Some notification lines, newest first, and the cursor to older ones."""

    items: list[Item]
    older: int | None


def _shown(viewer: User):
    """Return the conditions leaving out what the viewer may not see."""
    comment_ok = Comment.deleted_at.is_(None)
    if not is_moderator(viewer):
        # Only its author is told that a comment was hidden: they may read it.
        readable = or_(Comment.hidden_at.is_(None), Notification.kind == HIDDEN)
        comment_ok = and_(comment_ok, readable)
    conditions = [or_(Notification.comment_id.is_(None), comment_ok)]
    page_ok = page_shown(Page, viewer)
    if page_ok is not None:
        conditions.append(or_(Notification.page_id.is_(None), page_ok))
    if not sees_waiting(viewer):
        conditions.append(_published_edit())
    return conditions


def _published_edit():
    """Return the condition: not an edit, or an edit that was published (someone who may
    not see waiting changes hears of an edit once a reviewer accepts it)."""
    review = aliased(RevisionReview)  # the lines' query joins the rejections' reviews
    unpublished = exists().where(
        review.revision_id == Notification.revision_id, review.state != PUBLISHED
    )
    return or_(Notification.kind != "edit", Notification.revision_id.is_(None), ~unpublished)


def _heads(viewer: User):
    """Return the query of the viewer's visible group heads, with what they are about."""
    # A rejection's reason is read from its review, shown where a comment's text would be;
    # a hidden comment's, from the comment (none once it is shown again).
    rejected = and_(
        Notification.kind.in_((REJECTED, WATCH_REJECTED)),
        RevisionReview.revision_id == Notification.revision_id,
    )
    text = case(
        (Notification.kind == HIDDEN, Comment.hidden_reason),
        else_=func.coalesce(Comment.body, RevisionReview.reason),
    )
    return (
        select(Notification, Page.title, Topic.subject, text)
        .outerjoin(Page, Page.id == Notification.page_id)
        .outerjoin(Topic, Topic.id == Notification.topic_id)
        .outerjoin(Comment, Comment.id == Notification.comment_id)
        .outerjoin(RevisionReview, rejected)
        .where(Notification.user_id == viewer.id, Notification.group_id.is_(None), *_shown(viewer))
    )


def list_items(
    viewer: User, *, before: int | None = None, unread_only: bool = False, limit: int = PAGE_SIZE
) -> ItemsPage:
    """Return a page of the viewer's notifications, newest first, paginated by id."""
    query = _heads(viewer)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before is not None:
        query = query.where(Notification.id < before)
    rows = db.session.execute(query.order_by(Notification.id.desc()).limit(limit + 1)).all()
    more = len(rows) > limit
    items = _items(rows[:limit], viewer)
    return ItemsPage(items, items[-1].id if more and items else None)


def items_by_id(viewer: User, head_ids: list[int]) -> list[Item]:
    """Return the viewer's notification lines with these head ids that they may see."""
    if not head_ids:
        return []
    query = _heads(viewer).where(Notification.id.in_(head_ids))
    return _items(db.session.execute(query.order_by(Notification.id.desc())).all(), viewer)


def items_for_digest(viewer: User, kinds: list[str], after_id: int, limit: int) -> list[Item]:
    """Return the lines with a notification newer than after_id, of these kinds."""
    grown = select(Notification.group_id).where(
        Notification.user_id == viewer.id,
        Notification.id > after_id,
        Notification.group_id.is_not(None),
    )
    query = _heads(viewer).where(
        Notification.kind.in_(kinds), or_(Notification.id > after_id, Notification.id.in_(grown))
    )
    rows = db.session.execute(query.order_by(Notification.id.desc()).limit(limit)).all()
    return _items(rows, viewer)


def _items(rows, viewer: User) -> list[Item]:
    """Turn head rows into lines, adding each group's members in one query."""
    items = {}
    for notification, title, subject, body in rows:
        items[notification.id] = Item(
            id=notification.id,
            kind=notification.kind,
            unread=notification.read_at is None,
            created_at=notification.created_at,
            page_title=title,
            topic_id=notification.topic_id,
            topic_subject=subject or "",
            comment_id=notification.comment_id,
            excerpt=excerpt(body or "", EXCERPT),
            from_revision=notification.base_revision_id,
            to_revision=notification.revision_id,
            count=0,
        )
    if items:
        _add_members(items, public_only=not sees_waiting(viewer))
        if can_review(viewer):
            _mark_awaiting_review(items.values())
    return list(items.values())


def _add_members(items: dict[int, Item], public_only: bool) -> None:
    """Fill in each line's actors, count, time span and diff range from its group
    (public_only: of the edits that were published)."""
    group = func.coalesce(Notification.group_id, Notification.id)
    actor = aliased(User)
    ids = list(items)
    rows = db.session.execute(
        select(
            group,
            actor.username,
            func.count(),
            func.max(Notification.id),
            func.max(Notification.created_at),
            func.min(Notification.base_revision_id),
            func.max(Notification.revision_id),
        )
        .outerjoin(actor, actor.id == Notification.actor_id)
        .where(or_(Notification.id.in_(ids), Notification.group_id.in_(ids)))
        .where(_published_edit() if public_only else true())
        .group_by(group, actor.username)
    ).all()
    latest: dict[int, list[tuple[int, str]]] = {}
    for head, name, count, last_id, last_at, first_base, last_revision in rows:
        item = items[head]
        latest.setdefault(head, []).append((last_id, name or ""))
        item.count += count
        item.created_at = max(item.created_at, last_at)
        if item.kind == "edit":
            item.from_revision = _lowest(item.from_revision, first_base)
            item.to_revision = max(item.to_revision or 0, last_revision or 0) or None
    for head, actors in latest.items():
        items[head].actors = [name for _, name in sorted(actors, reverse=True)]
    _add_summaries([item for item in items.values() if item.kind == "edit" and item.to_revision])


def _mark_awaiting_review(items) -> None:
    """Mark the edit lines whose latest edit waits for review (one query)."""
    edits = {item.to_revision: item for item in items if item.kind == "edit" and item.to_revision}
    if not edits:
        return
    waiting = db.session.scalars(
        select(RevisionReview.revision_id).where(
            RevisionReview.revision_id.in_(edits), RevisionReview.state == WAITING
        )
    )
    for revision_id in waiting:
        edits[revision_id].awaits_review = True


def _add_summaries(edits: list[Item]) -> None:
    """Give each edit line the summary of its latest edit, in the reader's language."""
    if not edits:
        return
    rows = db.session.execute(
        select(Revision.id, Revision.summary, Revision.summary_key, Revision.summary_args).where(
            Revision.id.in_({item.to_revision for item in edits})
        )
    ).all()
    shown = {row.id: summary_shown(row.summary, row.summary_key, row.summary_args) for row in rows}
    for item in edits:
        item.excerpt = excerpt(shown.get(item.to_revision, ""), EXCERPT)


def _lowest(a: int | None, b: int | None) -> int | None:
    """Return the lower of two revision ids, ignoring None."""
    return min(a, b) if a is not None and b is not None else (a if b is None else b)


def unread_count(viewer: User) -> int:
    """Return how many unread lines the viewer has, counting at most MAX_COUNTED + 1."""
    unread = (
        select(Notification.id)
        .outerjoin(Page, Page.id == Notification.page_id)
        .outerjoin(Comment, Comment.id == Notification.comment_id)
        .where(
            Notification.user_id == viewer.id,
            Notification.read_at.is_(None),
            Notification.group_id.is_(None),
            *_shown(viewer),
        )
        .limit(MAX_COUNTED + 1)
        .subquery()
    )
    return db.session.scalar(select(func.count()).select_from(unread)) or 0


def mark_read(viewer: User, head_id: int) -> bool:
    """Mark one line (a notification and its group) read; return whether it was the viewer's."""
    with write_transaction() as session:
        changed = session.execute(
            update(Notification)
            .where(
                Notification.user_id == viewer.id,
                or_(Notification.id == head_id, Notification.group_id == head_id),
                Notification.read_at.is_(None),
            )
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount:
            seen_by_own_doing(viewer.id)  # the bell of their other browsers
            return True
        mine = select(Notification.id).where(
            Notification.id == head_id, Notification.user_id == viewer.id
        )
        return session.scalar(mine) is not None


def mark_all_read(viewer: User) -> int:
    """Mark all the viewer's notifications read; return how many were unread."""
    with write_transaction() as session:
        changed = session.execute(
            update(Notification)
            .where(Notification.user_id == viewer.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount:
            seen_by_own_doing(viewer.id)  # the bell of their other browsers
    return changed.rowcount
