"""SQL that differs between SQLite and PostgreSQL, behind one small interface."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from ..access.permissions import is_moderator
from ..database import dialect_insert
from ..models import Page, User

EPOCH = date(1970, 1, 1)


#: An INSERT for the session's engine that supports on_conflict_do_* (community modules
#: import it from here).
insert = dialect_insert


def day_number(session: Session, column):
    """Return an SQL expression for the UTC day of a timestamp column, as days since 1970."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column) / 86400), Integer)
    return cast(func.julianday(column) - 2440587.5, Integer)


def day_from_number(number: int) -> date:
    """Return the date of a day number from day_number."""
    return EPOCH + timedelta(days=int(number))


def days_ago(days: int) -> datetime:
    """Return the moment that many days before now."""
    return datetime.now(UTC) - timedelta(days=days)


def page_shown(page_model, viewer: User | None):
    """Return a condition hiding deleted pages from people who can't see them, or None.

    Deleting pages comes with `page.deleted`; until it exists, every page is shown.
    """
    deleted = getattr(page_model, "deleted", None)
    if deleted is None or is_moderator(viewer):
        return None
    return deleted.is_not(True)


def deleted_pages():
    """Return the query for the ids of deleted pages, read from the partial index
    ix_page_deleted: its condition must be written as here ("deleted = 1" on SQLite,
    "deleted" on PostgreSQL), since "deleted IS 1" would read the whole page table."""
    return select(Page.id).where(Page.deleted)
