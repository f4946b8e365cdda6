"""Anchored threads: talk topics about a passage, which follow its words through edits."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .. import modlog
from ..core.anchors import Anchor, Quote, anchor_at, find, follow, refind
from ..core.titles import N_
from ..core.window import changed_lines
from ..database import write_transaction
from ..extensions import db
from ..models import Page, Revision, User
from ..modlog import LogEntry
from ..problems import BadRequest, NotAllowed, NotFound
from ..review.visibility import public_revision_id, sees_waiting
from ..talk import service as talk
from ..talk.models import Comment, Topic
from ..talk.permissions import can_post, can_reply
from .models import MAX_CONTEXT_LENGTH, AnchorPosition, TopicAnchor

#: A passage longer than this is not a passage; the selection was probably a slip.
MAX_PASSAGE = 5_000
_SUBJECT_CHARS = 80

NOT_FOUND = N_(
    "The passage you selected could not be found in the page's text: it may have just "
    "changed. Your comment is kept below; select the passage again."
)
EMPTY = N_("Select some words of the page first.")
TOO_LONG = N_("The selected passage is too long: select at most %(count)s characters.")
NOT_FOUND_AGAIN = N_(
    "The passage you chose could not be found in the page's text as it reads now: it may "
    "have just changed. The thread keeps its passage; choose the words again."
)
LOCKED = N_("This topic is locked: only a moderator can change its passage.")
#: How much of a passage the log keeps, before and after a move.
_LOGGED_CHARS = 300


def start_thread(page: Page, quote: Quote, body: str, *, author: User | None) -> Comment:
    """Start a talk topic about the quoted passage of the page's current text."""
    if not can_post(author):
        raise talk.refused(author)
    if not quote.exact.strip():
        raise BadRequest(EMPTY)
    if len(quote.exact) > MAX_PASSAGE:
        raise BadRequest(TOO_LONG, count=MAX_PASSAGE)
    latest = page.latest
    text = latest.text
    span = find(text, quote)
    if span is None:
        raise BadRequest(NOT_FOUND)
    anchor = anchor_at(text, *span)

    def add_anchor(session: Session, topic: Topic) -> None:
        # Someone may have saved since the text was read: follow the passage into theirs
        # (with the page row locked, so no save slips in before the anchor is written).
        locked = select(Page.latest_revision_id).where(Page.id == page.id).with_for_update()
        current = session.get(Revision, session.scalar(locked))
        placed = anchor if current.id == latest.id else follow(anchor, text, current.text)
        if placed is None:
            raise BadRequest(NOT_FOUND)
        row = TopicAnchor(topic_id=topic.id, page_id=page.id, removed_revision_id=None)
        _place(row, placed, current.id)
        session.add(row)
        session.add(
            AnchorPosition(
                topic_id=topic.id, revision_id=current.id, start=placed.start, end=placed.end
            )
        )

    passage = text[span[0] : span[1]]
    if latest.id != page.published_revision_id and not _in_published(page, quote):
        # Words only a change waiting for review has: the subject, which every visitor
        # reads, must not quote them (the passage shows to those who see waiting changes).
        about = _("About a change waiting for review")
    else:
        about = subject(passage)
    return talk.start_topic(page, about, body, author=author, also=add_anchor)


def _in_published(page: Page, quote: Quote) -> bool:
    """Return whether the quoted words are in the page's published text."""
    published = page.published
    return published is not None and find(published.text, quote) is not None


def shown_passage(anchor: TopicAnchor, viewer) -> str | None:
    """Return the passage of a thread as this person may read it: as it is now for those
    who see waiting changes, else as the newest published revision it was in has it (None
    if it was never in one)."""
    if sees_waiting(viewer):
        return anchor.exact
    row = db.session.execute(
        select(AnchorPosition.revision_id, AnchorPosition.start, AnchorPosition.end)
        .where(
            AnchorPosition.topic_id == anchor.topic_id,
            public_revision_id(AnchorPosition.revision_id),
        )
        .order_by(AnchorPosition.revision_id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return db.session.get(Revision, row.revision_id).text[row.start : row.end]


def subject(passage: str) -> str:
    """Return a topic subject quoting the passage, shortened."""
    words = " ".join(passage.split())
    if len(words) > _SUBJECT_CHARS:
        words = words[: _SUBJECT_CHARS - 1].rstrip() + "…"
    return f"“{words}”"


def can_reanchor(user: User | None, topic: Topic) -> bool:
    """Return whether this person may move the thread to another passage: whoever may take
    part in it (post, in a topic not locked unless they moderate)."""
    return can_reply(user, topic)


def reanchoring(topic_id: int, user: User | None) -> tuple[TopicAnchor, Topic]:
    """Return the passage and topic of a thread this person may anchor again, or raise why
    they may not."""
    if not can_post(user):
        raise talk.refused(user)
    row, topic = thread_of(topic_id)
    if topic.page.deleted:
        raise NotFound(N_("There is no page with this title."))
    if not can_reanchor(user, topic):
        raise NotAllowed(LOCKED)
    return row, topic


def reanchor(topic_id: int, quote: Quote, *, user: User | None) -> Page:
    """Anchor a thread to a passage of its page's current text again (a selection made in
    the rendered page or words typed), and record the move in the log."""
    row, topic = reanchoring(topic_id, user)
    if not quote.exact.strip():
        raise BadRequest(EMPTY)
    if len(quote.exact) > MAX_PASSAGE:
        raise BadRequest(TOO_LONG, count=MAX_PASSAGE)
    with write_transaction() as session:
        # The page row is locked, so no save slips in between finding the words and
        # writing where they are.
        locked = select(Page.latest_revision_id).where(Page.id == row.page_id).with_for_update()
        current = session.get(Revision, session.scalar(locked))
        span = find(current.text, quote)
        if span is None:
            raise BadRequest(NOT_FOUND_AGAIN)
        page = session.get(Page, row.page_id)
        row = session.get(TopicAnchor, topic_id)
        before, was_removed = row.exact, row.removed_revision_id is not None
        _place(row, anchor_at(current.text, *span), current.id)
        row.removed_revision_id = None
        session.merge(
            AnchorPosition(topic_id=topic_id, revision_id=current.id, start=row.start, end=row.end)
        )
        modlog.record(
            "reanchor",
            user,
            page=page,
            topic=topic_id,
            subject=topic.subject,
            before=before[:_LOGGED_CHARS],
            after=row.exact[:_LOGGED_CHARS],
            removed=was_removed,
            revision=current.id,
        )
    return page


def thread_of(topic_id: int) -> tuple[TopicAnchor, Topic]:
    """Return a thread's passage and its topic, or raise NotFound."""
    row = db.session.get(TopicAnchor, topic_id)
    topic = db.session.get(Topic, topic_id) if row is not None else None
    if row is None or topic is None:
        raise NotFound(N_("This topic is not about a passage."))
    return row, topic


def moves_of(topic: Topic, limit: int = 20) -> list[LogEntry]:
    """Return the latest times the thread was anchored again, newest first."""
    entries = db.session.scalars(
        select(LogEntry)
        .where(LogEntry.action == "reanchor", LogEntry.page_id == topic.page_id)
        .order_by(LogEntry.id.desc())
        .limit(500)
    )
    return [entry for entry in entries if entry.facts.get("topic") == topic.id][:limit]


def _place(row: TopicAnchor, anchor: Anchor, revision_id: int) -> None:
    """Set the row's selectors to the anchor, in the text of revision_id."""
    for name, value in _selectors(anchor).items():
        setattr(row, name, value)
    row.revision_id = revision_id


def follow_edit(page: Page, revision: Revision, previous: Revision | None) -> None:
    """Move the page's anchors into a revision just saved (inside the save's transaction).

    Rows are read and written with plain statements, not as objects: every save of a page
    moves all its anchors, and the unit of work's bookkeeping per object cost more than the
    moving did (nothing else in a save reads them as objects).
    """
    # Nothing pending in the save (its revision, its text) is an anchor: it is written with
    # the save's last flush, not in a flush of its own before these statements.
    with db.session.no_autoflush:
        _follow_edit(page, revision, previous)


#: Built once (the page bound when run), as every save asks it.
_ANCHORS_OF_PAGE = select(TopicAnchor.__table__).where(
    TopicAnchor.__table__.c.page_id == bindparam("page_id")
)


def _follow_edit(page: Page, revision: Revision, previous: Revision | None) -> None:
    """Move the page's anchors (follow_edit), with nothing flushed first."""
    if previous is None:
        return
    rows = db.session.execute(_ANCHORS_OF_PAGE, {"page_id": page.id}).all()
    if not rows:
        return
    anchors = TopicAnchor.__table__
    old, new = previous.text, revision.text
    changed = changed_lines(old, new)  # once for all the page's anchors
    placed, removed = [], []
    for row in rows:
        quote = Quote(row.exact, row.prefix, row.suffix)
        if row.removed_revision_id is None:
            if row.revision_id == previous.id:
                moved = follow(Anchor(row.start, row.end, quote), old, new, changed)
            else:  # offsets of another text: find the words by their quote
                span = refind(new, quote)
                moved = anchor_at(new, *span) if span else None
            if moved is None:
                removed.append({"topic": row.topic_id, "removed_revision_id": revision.id})
                continue
        else:
            span = refind(new, quote)  # a restore may bring the passage back
            if span is None:
                continue
            moved = anchor_at(new, *span)
        placed.append(
            {
                "topic": row.topic_id,
                "revision_id": revision.id,
                "removed_revision_id": None,
                **_selectors(moved),
            }
        )
    for changes in (placed, removed):
        if changes:
            columns = {name: bindparam(name) for name in changes[0] if name != "topic"}
            by_topic = anchors.update().where(anchors.c.topic_id == bindparam("topic"))
            db.session.execute(by_topic.values(columns), changes)
    if placed:
        positions = [
            {"topic_id": at["topic"], "revision_id": at["revision_id"]}
            | {"start": at["start"], "end": at["end"]}
            for at in placed
        ]
        db.session.execute(AnchorPosition.__table__.insert(), positions)


def _selectors(anchor: Anchor) -> dict:
    """Return the columns of a row anchored at anchor (see _place)."""
    return {
        "start": anchor.start,
        "end": anchor.end,
        "exact": anchor.quote.exact,
        "prefix": anchor.quote.prefix[-MAX_CONTEXT_LENGTH:],
        "suffix": anchor.quote.suffix[:MAX_CONTEXT_LENGTH],
    }


@dataclass(frozen=True)
class ThreadView:
    """An anchored thread as the page shows it in the margin."""

    topic: Topic
    first: Comment | None
    exact: str
    removed: bool


def threads_at(page: Page, revision_id: int, *, current: bool) -> list[ThreadView]:
    """Return the threads anchored in a revision of the page (and, for the current one, the
    threads whose passage was removed), in the order of their passages."""
    rows = db.session.execute(
        select(Topic, AnchorPosition, TopicAnchor)
        .join(AnchorPosition, AnchorPosition.topic_id == Topic.id)
        .join(TopicAnchor, TopicAnchor.topic_id == Topic.id)
        .where(AnchorPosition.revision_id == revision_id)
        .order_by(AnchorPosition.start, Topic.id)
    ).all()
    found = [(topic, position, anchor) for topic, position, anchor in rows]
    removed = []
    if current:
        removed = db.session.scalars(
            select(TopicAnchor)
            .where(TopicAnchor.page_id == page.id, TopicAnchor.removed_revision_id.is_not(None))
            .order_by(TopicAnchor.topic_id)
        ).all()
    firsts = _first_comments([t.id for t, *_ in found] + [a.topic_id for a in removed])
    views = [ThreadView(t, firsts.get(t.id), "", False) for t, _p, _a in found]
    topics = (
        {
            t.id: t
            for t in db.session.scalars(
                select(Topic).where(Topic.id.in_([a.topic_id for a in removed]))
            )
        }
        if removed
        else {}
    )
    views += [
        ThreadView(topics[a.topic_id], firsts.get(a.topic_id), a.exact, True) for a in removed
    ]
    return views


def has_anchors(page_id: int) -> bool:
    """Return whether any thread is (or was) anchored to a passage of the page."""
    return db.session.scalar(_ANY_ANCHOR, {"page_id": page_id}) is not None


#: Built once (the page bound when run): the first view of a page after a save asks it.
_ANY_ANCHOR = (
    select(TopicAnchor.__table__.c.page_id)
    .where(TopicAnchor.__table__.c.page_id == bindparam("page_id"))
    .limit(1)
)


def spans_at(revision_id: int) -> list[tuple[int, int, int]]:
    """Return the (start, end, topic id) of every passage anchored in a revision."""
    rows = db.session.execute(
        select(AnchorPosition.start, AnchorPosition.end, AnchorPosition.topic_id).where(
            AnchorPosition.revision_id == revision_id
        )
    ).all()
    return [tuple(row) for row in rows]


def anchor_of(topic_id: int) -> TopicAnchor | None:
    """Return the passage a topic is about, if it is about one."""
    return db.session.get(TopicAnchor, topic_id)


def anchors_of(topic_ids: list[int]) -> dict[int, TopicAnchor]:
    """Return the passages of those of the topics that are about one."""
    if not topic_ids:
        return {}
    rows = db.session.scalars(select(TopicAnchor).where(TopicAnchor.topic_id.in_(topic_ids)))
    return {row.topic_id: row for row in rows}


def _first_comments(topic_ids: list[int]) -> dict[int, Comment]:
    """Return the first comment of each topic."""
    if not topic_ids:
        return {}
    rows = db.session.scalars(
        select(Comment)
        .where(Comment.topic_id.in_(topic_ids), Comment.parent_id.is_(None))
        .order_by(Comment.id)
    )
    found: dict[int, Comment] = {}
    for comment in rows:
        found.setdefault(comment.topic_id, comment)
    return found


@dataclass(frozen=True)
class DiffThread:
    """A thread whose passage an edit changed: what it read after (or before) and how."""

    topic: Topic
    passage: str
    #: "changed", "removed" (its words were deleted) or "added" (started in between).
    change: str


def diff_threads(old: Revision | None, new: Revision) -> list[DiffThread]:
    """Return the threads on passages that differ between two revisions of a page."""
    if old is None:
        return []
    before = {t: (s, e) for s, e, t in spans_at(old.id)}
    after = {t: (s, e) for s, e, t in spans_at(new.id)}
    if not before and not after:
        return []
    changes: dict[int, tuple[str, str]] = {}
    for topic_id, (s, e) in after.items():
        passage = new.text[s:e]
        if topic_id not in before:
            changes[topic_id] = (passage, "added")
        elif old.text[slice(*before[topic_id])] != passage:
            changes[topic_id] = (passage, "changed")
    for topic_id, (s, e) in before.items():
        if topic_id not in after:
            changes[topic_id] = (old.text[s:e], "removed")
    topics = db.session.scalars(select(Topic).where(Topic.id.in_(list(changes)))).all()
    return [DiffThread(t, *changes[t.id]) for t in sorted(topics, key=lambda t: t.id)]
