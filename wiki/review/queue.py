"""What waits for review: the /review list, and one page's waiting changes.

The list is two queries whatever its length: the pages (grouped, oldest waiting first)
and the authors of their waiting revisions.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..core.diff import Diff, diff_texts
from ..core.titles import TitleError
from ..extensions import db
from ..identity import user_key
from ..live.models import RevisionCoauthor
from ..models import Page, Revision, User, utcnow
from ..organise.facts import category_title
from ..organise.models import CategoryMember
from .models import WAITING, RevisionReview

PAGE_SIZE = 50
#: The age filter's choices: days a change has waited at least.
AGES = (1, 7, 30)


@dataclass
class Filters:
    """What the reviewer narrowed the list to."""

    category: str = ""
    author: str = ""
    #: Only pages whose oldest change waited at least this many days (0: any).
    age: int = 0


@dataclass
class QueueRow:
    """A page with waiting changes."""

    page_id: int
    title: str
    count: int
    since: datetime
    authors: list[str] = field(default_factory=list)


def _waiting_pages(filters: Filters):
    """Return the query of (page id, title, waiting count, oldest) for the filters."""
    oldest = func.min(RevisionReview.created_at)
    query = (
        select(Page.id, Page.title, func.count(), oldest)
        .join(Page, Page.id == RevisionReview.page_id)
        .where(RevisionReview.state == WAITING, Page.deleted.is_(False))
        .group_by(Page.id, Page.title)
    )
    if filters.category:
        try:
            key = category_title(filters.category.replace("_", " ")).key
        except TitleError:
            key = ""
        members = select(CategoryMember.page_id).where(CategoryMember.category_key == key)
        query = query.where(Page.id.in_(members))
    if filters.author:
        by = (
            select(RevisionReview.page_id)
            .join(Revision, Revision.id == RevisionReview.revision_id)
            .outerjoin(User, User.id == Revision.author_id)
            .where(RevisionReview.state == WAITING)
            .where((User.key == user_key(filters.author)) | (Revision.author_ip == filters.author))
        )
        # Someone who typed in the live draft a waiting revision was saved from wrote it too.
        typed = (
            select(RevisionReview.page_id)
            .join(RevisionCoauthor, RevisionCoauthor.revision_id == RevisionReview.revision_id)
            .join(User, User.id == RevisionCoauthor.user_id)
            .where(RevisionReview.state == WAITING, User.key == user_key(filters.author))
        )
        query = query.where(Page.id.in_(by) | Page.id.in_(typed))
    if filters.age:
        query = query.having(oldest <= utcnow() - timedelta(days=filters.age))
    return query


def waiting_count() -> int:
    """Return how many pages have changes waiting for review (the header's count)."""
    pages = select(RevisionReview.page_id).where(RevisionReview.state == WAITING).distinct()
    return db.session.scalar(select(func.count()).select_from(pages.subquery())) or 0


def queue(filters: Filters, page: int = 1) -> tuple[list[QueueRow], bool]:
    """Return one page of the list, oldest waiting first, and whether more follow."""
    query = _waiting_pages(filters).order_by(func.min(RevisionReview.created_at), Page.id)
    rows = db.session.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    items = [QueueRow(pid, title, count, since) for pid, title, count, since in rows[:PAGE_SIZE]]
    _add_authors(items)
    return items, len(rows) > PAGE_SIZE


def _add_authors(items: list[QueueRow]) -> None:
    """Fill in who wrote each page's waiting changes, in one query."""
    by_id = {item.page_id: item for item in items}
    if not by_id:
        return
    rows = db.session.execute(
        select(RevisionReview.page_id, User.username, Revision.author_ip)
        .join(Revision, Revision.id == RevisionReview.revision_id)
        .outerjoin(User, User.id == Revision.author_id)
        .where(RevisionReview.state == WAITING, RevisionReview.page_id.in_(by_id))
        .distinct()
    )
    coauthors = db.session.execute(
        select(RevisionReview.page_id, User.username)
        .join(RevisionCoauthor, RevisionCoauthor.revision_id == RevisionReview.revision_id)
        .join(User, User.id == RevisionCoauthor.user_id)
        .where(RevisionReview.state == WAITING, RevisionReview.page_id.in_(by_id))
        .distinct()
    )
    for page_id, username, address in [*rows, *((p, u, None) for p, u in coauthors)]:
        name = username or address or ""
        if name not in by_id[page_id].authors:
            by_id[page_id].authors.append(name)


@dataclass
class PendingReview:
    """One page's waiting changes, as the review screen shows them."""

    page: Page
    published: Revision | None
    #: The latest revision: what Accept publishes and Reject takes out.
    shown: Revision | None
    waiting: list[Revision]
    diff: Diff | None


def pending(page: Page) -> PendingReview:
    """Return the page's waiting changes: the diff from the published version to the latest."""
    rows = list(
        db.session.scalars(
            select(Revision)
            .join(RevisionReview, RevisionReview.revision_id == Revision.id)
            .where(RevisionReview.page_id == page.id, RevisionReview.state == WAITING)
            .order_by(Revision.id)
        )
    )
    published = page.published
    shown = page.latest if rows else None
    diff = diff_texts(published.text if published else "", shown.text) if shown else None
    return PendingReview(page, published, shown, rows, diff)


def states(page_id: int, revision_ids: list[int]) -> dict[int, RevisionReview]:
    """Return the review rows of these revisions of a page (for the history's marks)."""
    if not revision_ids:
        return {}
    rows = db.session.scalars(
        select(RevisionReview).where(
            RevisionReview.page_id == page_id, RevisionReview.revision_id.in_(revision_ids)
        )
    )
    return {row.revision_id: row for row in rows}
