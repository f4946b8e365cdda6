"""Watching pages: the star on every page, and the list of pages a person watches."""

from dataclasses import dataclass

from sqlalchemy import delete, select

from ...access.permissions import logged_in
from ...core.titles import N_
from ...database import write_transaction
from ...extensions import db
from ...models import Page, User, utcnow
from ...problems import NotAllowed
from ..models import Watch
from ..sql import insert, page_shown

WATCHED_PAGE_SIZE = 100


def _logged_in(user: User | None) -> User:
    """Return the person, or refuse: only people with an account watch pages."""
    if not logged_in(user):
        raise NotAllowed(N_("Please log in to watch pages."), needs_login=True)
    return user


def is_watching(user: User | None, page_id: int) -> bool:
    """Return whether the person watches the page."""
    if user is None or not user.is_authenticated:
        return False
    return db.session.get(Watch, (user.id, page_id)) is not None


def watch(user: User | None, page: Page) -> None:
    """Start watching a page (watching twice is harmless)."""
    user = _logged_in(user)
    with write_transaction() as session:
        statement = insert(session, Watch).values(
            user_id=user.id, page_id=page.id, created_at=utcnow()
        )
        session.execute(statement.on_conflict_do_nothing())


def unwatch(user: User | None, page: Page) -> None:
    """Stop watching a page."""
    user = _logged_in(user)
    with write_transaction() as session:
        session.execute(delete(Watch).where(Watch.user_id == user.id, Watch.page_id == page.id))


@dataclass
class WatchedPages:
    """Some of the pages a person watches, alphabetically, and the cursor to the next ones."""

    pages: list[Page]
    next_key: str | None


def watched_pages(
    user: User, *, after: str | None = None, limit: int = WATCHED_PAGE_SIZE
) -> WatchedPages:
    """Return the pages the person watches, by title key, paginated by key."""
    query = (
        select(Page)
        .join(Watch, Watch.page_id == Page.id)
        .where(Watch.user_id == user.id, Page.latest_revision_id.is_not(None))
    )
    shown = page_shown(Page, user)
    if shown is not None:
        query = query.where(shown)
    if after:
        query = query.where(Page.key > after)
    pages = list(db.session.scalars(query.order_by(Page.key).limit(limit + 1)))
    more = len(pages) > limit
    pages = pages[:limit]
    return WatchedPages(pages, pages[-1].key if more and pages else None)
