"""Credits: who wrote a page, who watches it, how much it is discussed — a fixed few queries."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Page, Revision
from ...review.models import REJECTED, WAITING, RevisionReview
from ...talk.models import Topic
from ..models import PageContributor, Watch
from .activity import edits_per_day, year_start

TOP_CONTRIBUTORS = 100


def contributor_count(page_id: int) -> int:
    """Return how many people have edited the page (one small indexed count)."""
    return db.session.scalar(_CONTRIBUTORS, {"page_id": page_id}) or 0


#: Built once (the page bound when run): the first view of a page after a save asks it.
_CONTRIBUTORS = (
    select(func.count())
    .select_from(PageContributor.__table__)
    .where(PageContributor.__table__.c.page_id == bindparam("page_id"))
)


@dataclass
class Credit:
    """One person's credits on a page as a reader may see them (PageContributor's fields)."""

    user: object
    edits: int
    bytes_added: int
    created: bool
    last_at: datetime


@dataclass
class PageInfo:
    """Everything the page information view shows."""

    page: Page
    contributors: list[PageContributor | Credit]
    contributor_count: int
    revisions: int
    first: Revision | None
    watchers: int
    topics: int
    comments: int
    last_talk: datetime | None
    per_day: dict[date, int]


def public_contributor_count(page: Page) -> int:
    """Return how many people edited what readers who may not see waiting changes read."""
    count = contributor_count(page.id)
    unseen = unseen_revisions(page.id)
    if not unseen:
        return count
    everyone = db.session.scalars(
        select(PageContributor).where(PageContributor.page_id == page.id)
    ).all()
    return count - (len(everyone) - len(_without(everyone, unseen)))


def unseen_revisions(page_id: int) -> list[int]:
    """Return the ids of the page's revisions waiting for review or rejected: readers who
    may not see waiting changes see neither them nor their credits."""
    return list(db.session.scalars(_UNSEEN, {"page_id": page_id}))


_reviews = RevisionReview.__table__.c
_UNSEEN = select(_reviews.revision_id).where(
    _reviews.page_id == bindparam("page_id"), _reviews.state.in_([WAITING, REJECTED])
)


def _without(contributors: list[PageContributor], unseen: list[int]) -> list[Credit]:
    """Return the credits with the unseen revisions' edits and bytes taken out (and the
    people only they credit left out)."""
    taken = {
        author: (edits, added or 0)
        for author, edits, added in db.session.execute(
            select(
                Revision.author_id,
                func.count(),
                func.sum(case((Revision.size_change > 0, Revision.size_change), else_=0)),
            )
            .where(Revision.id.in_(unseen))
            .group_by(Revision.author_id)
        )
    }
    credits = []
    for row in contributors:
        edits, added = taken.get(row.user_id, (0, 0))
        if row.edits - edits > 0:
            left = Credit(
                row.user, row.edits - edits, row.bytes_added - added, row.created, row.last_at
            )
            credits.append(left)
    return credits


def page_info(page: Page, *, public_only: bool = False) -> PageInfo:
    """Return the page's credits and activity (public_only: as a reader who may not see
    waiting changes sees them)."""
    contributors = list(
        db.session.scalars(
            select(PageContributor)
            .where(PageContributor.page_id == page.id)
            .order_by(
                PageContributor.edits.desc(),
                PageContributor.bytes_added.desc(),
                PageContributor.user_id,
            )
            .limit(TOP_CONTRIBUTORS + 1)
        )
    )
    count = len(contributors)
    if count > TOP_CONTRIBUTORS:
        count = contributor_count(page.id)
    revisions = db.session.scalar(
        select(func.count()).select_from(Revision).where(Revision.page_id == page.id)
    )
    unseen = unseen_revisions(page.id) if public_only else []
    if unseen:
        shown = _without(contributors, unseen)
        count -= len(contributors) - len(shown)
        contributors, revisions = shown, (revisions or 0) - len(unseen)
    first = db.session.scalar(
        select(Revision)
        .where(Revision.page_id == page.id)
        .options(joinedload(Revision.author))
        .order_by(Revision.id)
        .limit(1)
    )
    watchers = db.session.scalar(
        select(func.count()).select_from(Watch).where(Watch.page_id == page.id)
    )
    topics, comments, last_talk = db.session.execute(
        select(
            func.count(Topic.id),
            func.coalesce(func.sum(Topic.comment_count), 0),
            func.max(Topic.last_activity_at),
        ).where(Topic.page_id == page.id)
    ).one()
    return PageInfo(
        page=page,
        contributors=contributors[:TOP_CONTRIBUTORS],
        contributor_count=count,
        revisions=revisions or 0,
        first=first,
        watchers=watchers or 0,
        topics=topics or 0,
        comments=int(comments or 0),
        last_talk=_aware(last_talk),
        per_day=edits_per_day(since=year_start(), page_id=page.id, leaving_out=unseen),
    )


def _aware(moment):
    """Return an aggregate's timestamp as UTC-aware, whatever the driver gives back."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
