"""Credits: who wrote a page, who watches it, how much it is discussed — a fixed few queries."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Page, Revision
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
class PageInfo:
    """Everything the page information view shows."""

    page: Page
    contributors: list[PageContributor]
    contributor_count: int
    revisions: int
    first: Revision | None
    watchers: int
    topics: int
    comments: int
    last_talk: datetime | None
    per_day: dict[date, int]


def page_info(page: Page) -> PageInfo:
    """Return the page's credits and activity."""
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
        per_day=edits_per_day(since=year_start(), page_id=page.id),
    )


def _aware(moment):
    """Return an aggregate's timestamp as UTC-aware, whatever the driver gives back."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment
