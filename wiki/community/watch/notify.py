"""Notifications, watches and credits, written inside the transaction of the change itself.

The receivers here listen to wiki.events: what they write commits or rolls back with the
save or the comment that caused it. Every notification carries a dedupe key unique per
person, so an event delivered twice (a retried save, a repeated signal) notifies once.

Grouping is done when writing: an edit notification joins the group of the person's latest
notification when that one is an unread edit notification on the same page. Under
PostgreSQL two saves committed at the same moment may each start a group; nothing is
lost, the groups are only split.
"""

from sqlalchemy import and_, bindparam, event, exists, func, select, union
from sqlalchemy.orm import Session

from ... import events
from ...database import built_once, insert_for
from ...extensions import db
from ...memo import person_changed
from ...models import Page, Revision, User, utcnow
from ...talk.models import Comment, PageTalkSubscription, Topic, TopicSubscription
from ..models import (
    ACCEPTED,
    HIDDEN,
    REJECTED,
    WATCH_REJECTED,
    Kind,
    Notification,
    PageContributor,
    UserProfile,
    Watch,
)
from ..sql import insert
from . import mail

#: session.info key: the revisions of this transaction that took rejected changes out.
_REJECTION_UNDOS = "community_rejection_undos"


def connect() -> None:
    """Listen to the events this module handles (connecting twice is harmless)."""
    events.revision_added.connect(on_revision_added)
    events.topic_created.connect(on_topic_created)
    events.comment_posted.connect(on_comment_posted)
    events.comment_edited.connect(on_comment_edited)
    events.comment_hidden.connect(on_comment_hidden)
    events.page_published.connect(on_changes_accepted)
    events.changes_rejected.connect(on_changes_rejected)
    events.revision_coauthored.connect(on_revision_coauthored)


def _review_rows(page: Page, revisions: list[Revision], user: User, kind: str) -> list[dict]:
    """Return one notification per author of the reviewed revisions (about their latest)."""
    latest_by_author: dict[int, Revision] = {}
    for revision in revisions:
        if revision.author_id is not None and revision.author_id != user.id:
            known = latest_by_author.get(revision.author_id)
            if known is None or revision.id > known.id:
                latest_by_author[revision.author_id] = revision
    return [
        {
            "user_id": author_id,
            "kind": kind,
            "dedupe_key": f"{kind[0]}{revision.id}",
            "actor_id": user.id,
            "page_id": page.id,
            "revision_id": revision.id,
            "base_revision_id": revision.parent_id,
            "created_at": utcnow(),
            "group_id": None,
        }
        for author_id, revision in latest_by_author.items()
    ]


def on_changes_accepted(sender, *, page: Page, user: User, revisions=(), **_):
    """Tell the authors of the changes a reviewer published (by email too, if they want),
    and email the watchers who could not read these edits while they waited."""
    session = db.session()
    published = list(revisions)
    added = _insert(session, _review_rows(page, published, user, ACCEPTED))
    mail.queue(session, [(user_id, nid) for nid, user_id, _head in added])
    mail.queue_published(session, [revision.id for revision in published])


def on_changes_rejected(sender, *, page: Page, user: User, revisions=(), undo=None, **_):
    """Tell the authors of the changes a reviewer rejected (the reason is the review's), and
    once each, the watchers who were told of them as edits."""
    session = db.session()
    rejected = list(revisions)
    authors = _review_rows(page, rejected, user, REJECTED)
    told = {row["user_id"] for row in authors} | {user.id}
    added = _insert(
        session, authors + _watcher_rejection_rows(session, page, rejected, user, told)
    )
    mail.queue(session, [(user_id, nid) for nid, user_id, _head in added])
    if undo is not None:
        # The revision taking the changes out is saved with the rejection (its revision_added
        # follows): it is this news, not an edit of its own to tell watchers of.
        session.info.setdefault(_REJECTION_UNDOS, set()).add(undo.id)


def _watcher_rejection_rows(session, page, rejected, reviewer, told) -> list[dict]:
    """Return a notification for each watcher not in told who was notified of one of the
    rejected revisions as an edit (about the latest of them they heard of)."""
    keys = [f"r{revision.id}" for revision in rejected]
    if not keys:
        return []
    parents = {revision.id: revision.parent_id for revision in rejected}
    heard = session.execute(
        select(Watch.user_id, func.max(Notification.revision_id))
        .join(
            Notification,
            and_(Notification.user_id == Watch.user_id, Notification.dedupe_key.in_(keys)),
        )
        .where(Watch.page_id == page.id, Notification.kind == str(Kind.EDIT))
        .group_by(Watch.user_id)
    )
    return [
        {
            "user_id": user_id,
            "kind": WATCH_REJECTED,
            "dedupe_key": f"j{revision_id}",
            "actor_id": reviewer.id,
            "page_id": page.id,
            "revision_id": revision_id,
            "base_revision_id": parents.get(revision_id),
            "created_at": utcnow(),
            "group_id": None,
        }
        for user_id, revision_id in heard
        if user_id not in told
    ]


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_rejection_undos(session: Session) -> None:
    """Forget the undo revisions of a finished transaction (a retried save makes new ones)."""
    session.info.pop(_REJECTION_UNDOS, None)


def on_revision_added(sender, *, page: Page, revision: Revision, previous, author, **_):
    """Credit the author, notify the page's watchers, and let the author watch the page."""
    session = db.session()
    credit(session, page, revision, created=previous is None)
    if author is None:
        return
    if revision.id not in session.info.get(_REJECTION_UNDOS, ()):
        rows = _edit_notifications(session, page, revision, previous, author)
        added = _insert(session, rows)
        mail.queue(session, [(user_id, nid) for nid, user_id, head in added if head])
    auto_watch(session, author.id, page.id)


def on_revision_coauthored(sender, *, page: Page, revision: Revision, user_ids, **_):
    """Count a revision saved from a live editor in each co-author's credits too."""
    session = db.session()
    for user_id in user_ids:
        credit(session, page, revision, created=False, user_id=user_id)


def credit(
    session: Session, page: Page, revision: Revision, *, created: bool, user_id=None
) -> None:
    """Count the revision in its author's (or a co-author's) credits on the page."""
    user_id = user_id or revision.author_id
    if user_id is None:
        return
    now = revision.created_at or utcnow()
    values = {"page_id": page.id, "user_id": user_id, "created": created, "now": now}
    session.execute(_credit(session), values | {"added": max(revision.size_change, 0)})


@built_once
def _credit(dialect: str):
    """Return the upsert counting an edit in a person's credits on a page."""
    table = PageContributor.__table__
    now = bindparam("now", type_=table.c.last_at.type)
    added = bindparam("added", type_=table.c.bytes_added.type)
    statement = insert_for(dialect, table).values(
        page_id=bindparam("page_id", type_=table.c.page_id.type),
        user_id=bindparam("user_id", type_=table.c.user_id.type),
        edits=1,
        bytes_added=added,
        created=bindparam("created", type_=table.c.created.type),
        first_at=now,
        last_at=now,
    )
    return statement.on_conflict_do_update(
        index_elements=["page_id", "user_id"],
        set_={
            "edits": table.c.edits + 1,
            "bytes_added": table.c.bytes_added + added,
            "last_at": now,
        },
    )


def auto_watch(session: Session, user_id: int, page_id: int) -> None:
    """Watch the page for the person, unless they turned automatic watching off."""
    values = {"user_id": user_id, "page_id": page_id, "now": utcnow()}
    session.execute(_auto_watch(session), values)


@built_once
def _auto_watch(dialect: str):
    """Return the insert of a watch unless its person turned automatic watching off."""
    user_id = bindparam("user_id", type_=Watch.user_id.type)
    turned_off = exists().where(UserProfile.user_id == user_id, UserProfile.auto_watch.is_(False))
    chosen = select(
        user_id,
        bindparam("page_id", type_=Watch.page_id.type),
        bindparam("now", type_=Watch.created_at.type),
    )
    statement = insert_for(dialect, Watch.__table__).from_select(
        ["user_id", "page_id", "created_at"], chosen.where(~turned_off)
    )
    return statement.on_conflict_do_nothing()


def _edit_notifications(session, page, revision, previous, author: User) -> list[dict]:
    """Return a notification for each watcher but the author, joined to their unread run."""
    watchers = session.execute(_WATCHERS, {"page_id": page.id, "author_id": author.id})
    rows = []
    for user_id, last_id, kind, last_page_id, read_at, group_id in watchers:
        group = None
        if (
            last_id is not None
            and kind == Kind.EDIT
            and last_page_id == page.id
            and read_at is None
        ):
            group = group_id or last_id
        rows.append(
            {
                "user_id": user_id,
                "kind": str(Kind.EDIT),
                "dedupe_key": f"r{revision.id}",
                "actor_id": author.id,
                "page_id": page.id,
                "revision_id": revision.id,
                "base_revision_id": previous.id if previous is not None else None,
                "created_at": revision.created_at or utcnow(),
                "group_id": group,
            }
        )
    return rows


#: A page's watchers but the author, each with what grouping needs of their latest
#: notification (if any): columns, not entities (a page of many watchers built as many).
_WATCHERS = (
    select(
        Watch.user_id,
        Notification.id,
        Notification.kind,
        Notification.page_id,
        Notification.read_at,
        Notification.group_id,
    )
    .outerjoin(
        Notification,
        Notification.id
        == select(Notification.id)
        .where(Notification.user_id == Watch.user_id)
        .order_by(Notification.id.desc())
        .limit(1)
        .correlate(Watch)
        .scalar_subquery(),
    )
    .where(Watch.page_id == bindparam("page_id"), Watch.user_id != bindparam("author_id"))
)


def _insert(session: Session, rows: list[dict]) -> list[tuple[int, int, bool]]:
    """Add the notifications not already there; return (id, user id, is head) of each added."""
    if not rows:
        return []
    statement = (
        insert(session, Notification)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
        .returning(Notification.id, Notification.user_id, Notification.group_id)
    )
    added = [(nid, user_id, group is None) for nid, user_id, group in session.execute(statement)]
    for _nid, user_id, _head in added:
        person_changed(user_id)  # their bell, in every process (wiki.memo)
    return added


def on_topic_created(sender, *, topic: Topic, comment: Comment, author: User, **extra):
    """Tell the page's watchers and talk followers, and the people mentioned, of a new topic."""
    session = db.session()
    followers = union(
        select(Watch.user_id).where(Watch.page_id == topic.page_id),
        select(PageTalkSubscription.user_id).where(PageTalkSubscription.page_id == topic.page_id),
    )
    concerned = {user_id: Kind.TOPIC for user_id in session.scalars(followers)}
    _notify_comment(session, topic, comment, author, concerned, extra.get("mentioned", ()))


def on_comment_posted(
    sender, *, topic: Topic, comment: Comment, parent: Comment | None, author: User, **extra
):
    """Tell the topic's followers, the person answered and the people mentioned."""
    session = db.session()
    followers = select(TopicSubscription.user_id).where(TopicSubscription.topic_id == topic.id)
    concerned = {user_id: Kind.COMMENT for user_id in session.scalars(followers)}
    answered = parent.author_id if parent is not None else topic.author_id
    if answered is not None:
        concerned[answered] = Kind.REPLY
    _notify_comment(session, topic, comment, author, concerned, extra.get("mentioned", ()))


def on_comment_edited(sender, *, comment: Comment, author: User, **extra):
    """Tell the people a changed comment now mentions (once per comment and person)."""
    mentioned = extra.get("mentioned", ())
    if mentioned:
        session = db.session()
        topic = session.get(Topic, comment.topic_id)
        _notify_comment(session, topic, comment, author, {}, mentioned)


def on_comment_hidden(sender, *, comment: Comment, moderator: User, **_):
    """Tell a hidden comment's author that it was hidden and why (by email too, if they
    want news of reviews); nobody else hears of it."""
    if comment.author_id is None or comment.author_id == moderator.id:
        return
    session = db.session()
    topic = session.get(Topic, comment.topic_id)
    row = {
        "user_id": comment.author_id,
        "kind": HIDDEN,
        # Once per hiding: a comment shown again and hidden again is news again.
        "dedupe_key": f"h{comment.id}.{comment.hidden_at:%Y%m%d%H%M%S%f}",
        "actor_id": moderator.id,
        "page_id": topic.page_id,
        "topic_id": topic.id,
        "comment_id": comment.id,
        "created_at": comment.hidden_at,
        "group_id": None,
    }
    added = _insert(session, [row])
    mail.queue(session, [(user_id, nid) for nid, user_id, _head in added])


def _notify_comment(session, topic, comment, author, concerned: dict, mentioned) -> None:
    """Add one notification per concerned person but the author, of the most specific kind.

    A mention beats a reply, which beats a new topic or comment one follows.
    """
    for user_id in mentioned:
        concerned[user_id] = Kind.MENTION
    concerned.pop(author.id, None)
    rows = [
        {
            "user_id": user_id,
            "kind": str(kind),
            "dedupe_key": f"c{comment.id}",
            "actor_id": author.id,
            "page_id": topic.page_id,
            "topic_id": topic.id,
            "comment_id": comment.id,
            "created_at": comment.edited_at or comment.created_at or utcnow(),
        }
        for user_id, kind in sorted(concerned.items())
    ]
    added = _insert(session, rows)
    mail.queue(session, [(user_id, nid) for nid, user_id, _head in added])
