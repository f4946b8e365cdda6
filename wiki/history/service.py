"""Reading a page's past: its revisions, one old revision, and diffs between two."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core.diff import Diff, diff_texts
from ..extensions import db
from ..models import Page, Revision


@dataclass
class HistoryPage:
    """One page of a page's history, newest first, with cursors to its neighbours."""

    revisions: list[Revision]
    newer: int | None  # pass as ?after= to see newer revisions
    older: int | None  # pass as ?before= to see older revisions
    latest_id: int | None


def history(page: Page, *, before: int | None, after: int | None, limit: int) -> HistoryPage:
    """Return up to limit revisions of the page, paginated by revision id, newest first."""
    query = (
        select(Revision).where(Revision.page_id == page.id).options(joinedload(Revision.author))
    )
    if after is not None:
        rows = list(
            db.session.scalars(
                query.where(Revision.id > after).order_by(Revision.id.asc()).limit(limit + 1)
            )
        )
        more_newer = len(rows) > limit
        rows = rows[:limit][::-1]
        more_older = True
    else:
        if before is not None:
            query = query.where(Revision.id < before)
        rows = list(db.session.scalars(query.order_by(Revision.id.desc()).limit(limit + 1)))
        more_older = len(rows) > limit
        rows = rows[:limit]
        more_newer = before is not None
    if not rows:
        return HistoryPage([], None, None, page.latest_revision_id)
    return HistoryPage(
        revisions=rows,
        newer=rows[0].id if more_newer else None,
        older=rows[-1].id if more_older else None,
        latest_id=page.latest_revision_id,
    )


def get_revision(revision_id: int) -> Revision | None:
    """Return the revision with this id, or None."""
    return db.session.get(Revision, revision_id)


def neighbour(revision: Revision, *, older: bool) -> Revision | None:
    """Return the revision of the same page just before (older) or after this one."""
    query = select(Revision).where(Revision.page_id == revision.page_id)
    if older:
        query = query.where(Revision.id < revision.id).order_by(Revision.id.desc())
    else:
        query = query.where(Revision.id > revision.id).order_by(Revision.id.asc())
    return db.session.scalar(query.limit(1))


@dataclass
class Comparison:
    """Two revisions of one page and the difference between them."""

    old: Revision | None
    new: Revision
    diff: Diff
    older_edit: Revision | None
    newer_edit: Revision | None


def compare(old: Revision | None, new: Revision) -> Comparison:
    """Return the diff from old (None: the empty page) to new, with navigation."""
    diff = diff_texts(old.text if old else "", new.text)
    return Comparison(
        old=old,
        new=new,
        diff=diff,
        older_edit=neighbour(old, older=True) if old else None,
        newer_edit=neighbour(new, older=False),
    )
