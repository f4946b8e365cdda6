"""Lists of changes — recent changes, a watchlist, a person's contributions — in two queries.

Edits (revisions of every kind) and talk activity (comments; a topic's first comment is
the topic) are read with one query each, both sorted by (time, id) through an index and cut
at the page size, then merged. Pages are cut by key: the cursor names the last row shown as
"<microseconds>.<r|c>.<id>", and the next page starts strictly after it — no OFFSET.
"""

import heapq
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, not_, or_, select, union
from sqlalchemy.orm import aliased

from ... import summaries
from ...access.permissions import is_moderator, logged_in
from ...core.excerpt import excerpt
from ...core.numbers import parse_natural
from ...extensions import db
from ...live.models import RevisionCoauthor
from ...models import Page, Revision, RevisionKind, User
from ...review.models import REJECTED, WAITING, RevisionReview
from ...review.visibility import public_revision, sees_waiting
from ...talk.models import Comment, Topic
from ..models import Watch
from ..sql import days_ago, deleted_pages

PAGE_SIZE = 50
EXCERPT = 140
DAY_CHOICES = (1, 7, 30)
SHOW_CHOICES = ("all", "pages", "talk")
#: Edits sort before talk at the same instant (rank 1 before rank 0).
RANKS = {"r": 1, "c": 0}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """The position of a row in a list sorted by (time, edits before talk, id), newest first."""

    micros: int
    source: str
    id: int

    def __str__(self) -> str:
        return f"{self.micros}.{self.source}.{self.id}"

    @property
    def moment(self) -> datetime:
        return EPOCH + timedelta(microseconds=self.micros)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.micros, RANKS[self.source], self.id)


def parse_cursor(raw: str | None) -> Cursor | None:
    """Return the cursor in a URL, or None if it is absent or malformed."""
    parts = (raw or "").split(".")
    if len(parts) != 3 or parts[1] not in RANKS:
        return None
    micros, number = parse_natural(parts[0], 10**18), parse_natural(parts[2])
    if micros is None or number is None:
        return None
    return Cursor(micros, parts[1], number)


def micros_of(moment: datetime) -> int:
    """Return a UTC timestamp as whole microseconds since 1970."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True)
class Filters:
    """What a list shows: which kinds of change, by whom, on which pages, since when."""

    days: int | None = 30
    show: str = "all"
    hide_minor: bool = False
    new_pages: bool = False
    user_id: int | None = None
    #: Only pages this person watches (the watchlist).
    watcher_id: int | None = None
    #: Only this page (its history feed).
    page_id: int | None = None

    @property
    def hides_move_redirects(self) -> bool:
        """Whether the redirects moves leave are left out: a list of many pages' changes
        shows a move once, by the page moved (as MediaWiki does); one page's history and a
        person's contributions show every revision."""
        return self.page_id is None and self.user_id is None

    @property
    def edits(self) -> bool:
        return self.show in ("all", "pages")

    @property
    def talk(self) -> bool:
        return self.show in ("all", "talk") and not self.new_pages


@dataclass(frozen=True)
class Change:
    """One row of a list: an edit or a comment (hashable: a drawn row is kept by it)."""

    source: str  # "r": a revision, "c": a comment
    id: int
    created_at: datetime
    page_title: str
    username: str | None
    # Edits
    kind: str = ""
    minor: bool = False
    size_change: int = 0
    summary: str = ""
    parent_id: int | None = None
    #: "waiting" or "rejected" (for viewers who may see such edits), else "".
    review: str = ""
    #: Why it was rejected.
    review_reason: str = ""
    # Talk
    topic_id: int | None = None
    topic_subject: str = ""
    new_topic: bool = False
    excerpt: str = ""
    hidden: bool = False

    @property
    def cursor(self) -> Cursor:
        return Cursor(micros_of(self.created_at), self.source, self.id)

    @property
    def day(self) -> date:
        return self.created_at.astimezone(UTC).date()


@dataclass
class ChangesPage:
    """A page of changes, newest first, and the cursor to older ones."""

    changes: list[Change]
    older: str | None

    @property
    def days(self) -> list[tuple[date, list[Change]]]:
        """Return the changes grouped by their UTC day, newest day first."""
        return [
            (day, list(rows)) for day, rows in itertools.groupby(self.changes, lambda c: c.day)
        ]


def changes(
    filters: Filters, *, viewer: User | None, before: Cursor | None = None, limit: int = PAGE_SIZE
) -> ChangesPage:
    """Return up to limit changes matching the filters, older than the cursor, newest first."""
    lists = []
    if filters.edits:
        lists.append(_edits(filters, viewer, before, limit + 1))
    if filters.talk:
        lists.append(_comments(filters, viewer, before, limit + 1))
    merged = list(heapq.merge(*lists, key=lambda c: c.cursor.sort_key, reverse=True))
    rows = merged[:limit]
    older = str(rows[-1].cursor) if len(merged) > limit and rows else None
    return ChangesPage(rows, older)


def _after(column_time, column_id, source: str, before: Cursor):
    """Return the condition for rows of this source sorting after the cursor."""
    moment = before.moment
    if RANKS[source] > RANKS[before.source]:
        return column_time < moment
    if RANKS[source] < RANKS[before.source]:
        return column_time <= moment
    return and_(
        column_time <= moment,
        or_(column_time < moment, column_id < before.id),
    )


def _common(query, filters: Filters, viewer, time_column, page_column, author_column):
    """Apply the filters every list shares: days, person, watched pages, deleted pages."""
    if filters.days:
        query = query.where(time_column >= days_ago(filters.days))
    # A person's edits include those they co-wrote live: _persons selects them.
    if filters.user_id is not None and author_column is not Revision.author_id:
        query = query.where(author_column == filters.user_id)
    if filters.page_id is not None:
        query = query.where(page_column == filters.page_id)
    if filters.watcher_id is not None:
        watched = select(Watch.page_id).where(Watch.user_id == filters.watcher_id)
        query = query.where(page_column.in_(watched))
    if not is_moderator(viewer):
        # Not a join condition: with a join, SQLite reads the whole page table (a bloom
        # filter) before the index walk can stop at the limit; deleted pages are few.
        query = query.where(page_column.not_in(deleted_pages()))
    return query


def _edits(filters: Filters, viewer, before: Cursor | None, limit: int) -> list[Change]:
    """Return the newest revisions matching the filters."""
    # The newest revisions first, by index alone; then their page titles and authors.
    order = (Revision.created_at.desc(), Revision.id.desc())
    if filters.user_id is None:
        newest = _revisions(select(Revision), filters, viewer, before)
    else:
        newest = select(Revision).where(Revision.id.in_(_persons(filters, viewer, before, limit)))
    newest = newest.order_by(*order).limit(limit)
    rev = aliased(Revision, newest.subquery())
    query = (
        select(
            rev.id,
            rev.created_at,
            rev.kind,
            rev.minor,
            rev.size_change,
            rev.summary,
            rev.summary_key,
            rev.summary_args,
            rev.parent_id,
            rev.author_id,
            Page.title,
            User.username,
            RevisionReview.state,
            RevisionReview.reason,
        )
        .join(Page, Page.id == rev.page_id)
        .outerjoin(User, User.id == rev.author_id)
        .outerjoin(RevisionReview, RevisionReview.revision_id == rev.id)
        .order_by(rev.created_at.desc(), rev.id.desc())
    )
    # Others read published revisions only (_revisions) and their own edits: of a review,
    # they are told about their own.
    reviewed = sees_waiting(viewer)
    own_id = viewer.id if logged_in(viewer) else None
    return [
        Change(
            source="r",
            id=row.id,
            created_at=row.created_at,
            page_title=row.title,
            username=row.username,
            kind=row.kind,
            minor=row.minor,
            size_change=row.size_change,
            summary=summaries.display(row.summary, row.summary_key, row.summary_args),
            parent_id=row.parent_id,
            **(
                _review_state(row.state, row.reason)
                if reviewed or (own_id is not None and row.author_id == own_id)
                else {}
            ),
        )
        for row in db.session.execute(query)
    ]


def _review_state(state: str | None, reason: str | None) -> dict:
    """Return the review fields of a change: a waiting or rejected edit's state (and reason)."""
    if state == WAITING:
        return {"review": WAITING}
    if state == REJECTED:
        return {"review": REJECTED, "review_reason": reason or ""}
    return {}


def _persons(filters: Filters, viewer, before: Cursor | None, limit: int):
    """Return the query of the ids of a person's newest edits: those they saved, and those
    saved from a live editor they typed in.

    Each of the two lists is cut at the limit through its own index, then they are merged:
    "author = ? OR id IN (co-authored)" would read and sort every edit of the person.
    """
    order = (Revision.created_at.desc(), Revision.id.desc())
    saved = select(Revision.id).where(Revision.author_id == filters.user_id)
    coauthored = (
        select(Revision.id)
        .join(RevisionCoauthor, RevisionCoauthor.revision_id == Revision.id)
        .where(RevisionCoauthor.user_id == filters.user_id)
    )
    newest = [
        _revisions(part, filters, viewer, before).order_by(*order).limit(limit).subquery()
        for part in (saved, coauthored)
    ]
    return union(*(select(part.c.id) for part in newest))


def _revisions(query, filters: Filters, viewer, before: Cursor | None):
    """Return the query of revisions with every filter applied but the person's."""
    query = _common(
        query, filters, viewer, Revision.created_at, Revision.page_id, Revision.author_id
    )
    if not sees_waiting(viewer):
        shown = public_revision()
        if logged_in(viewer):  # their own waiting edits: the author may see them
            shown = or_(shown, Revision.author_id == viewer.id)
        query = query.where(shown)
    if filters.hide_minor:
        query = query.where(Revision.minor.is_(False))
    if filters.new_pages:
        query = query.where(Revision.kind == str(RevisionKind.CREATE))
    if filters.hides_move_redirects:
        query = query.where(_not_a_move_redirect())
    if before is not None:
        query = query.where(_after(Revision.created_at, Revision.id, "r", before))
    return query


def _not_a_move_redirect():
    """Return the condition for revisions other than a redirect a move left at the old title
    (its key; or, for one left before the key, its move's key on a "create" revision)."""
    left = or_(
        Revision.summary_key.in_(list(summaries.MOVE_REDIRECT_KEYS.values())),
        and_(
            Revision.kind == str(RevisionKind.CREATE),
            Revision.summary_key.in_(summaries.MOVE_KEYS),
        ),
    )
    return or_(Revision.summary_key.is_(None), not_(left))


def _comments(filters: Filters, viewer, before: Cursor | None, limit: int) -> list[Change]:
    """Return the newest comments matching the filters that the viewer may see."""
    query = (
        select(
            Comment.id,
            Comment.created_at,
            Comment.body,
            Comment.parent_id,
            Comment.hidden_at,
            Topic.id.label("topic_id"),
            Topic.subject,
            Topic.created_at.label("topic_created_at"),
            Page.title,
            User.username,
        )
        .join(Topic, Topic.id == Comment.topic_id)
        .join(Page, Page.id == Topic.page_id)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.deleted_at.is_(None))
    )
    query = _common(query, filters, viewer, Comment.created_at, Topic.page_id, Comment.author_id)
    if not is_moderator(viewer):
        query = query.where(Comment.hidden_at.is_(None))
    if before is not None:
        query = query.where(_after(Comment.created_at, Comment.id, "c", before))
    query = query.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(limit)
    return [_comment_change(row) for row in db.session.execute(query)]


def _comment_change(row) -> Change:
    return Change(
        source="c",
        id=row.id,
        created_at=row.created_at,
        page_title=row.title,
        username=row.username,
        topic_id=row.topic_id,
        topic_subject=row.subject,
        # A topic and its first comment are written with one timestamp.
        new_topic=row.parent_id is None and row.created_at == row.topic_created_at,
        excerpt=excerpt(row.body, EXCERPT),
        hidden=row.hidden_at is not None,
    )
