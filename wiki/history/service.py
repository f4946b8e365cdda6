"""Reading a page's past: its revisions, one old revision, and diffs between two."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import modlog
from ..core.diff import Diff, diff_texts
from ..core.merge import MergeResult, merge3
from ..core.titles import N_, Title
from ..extensions import db
from ..models import Page, Revision, RevisionKind, Role, User
from ..pages.service import EditConflict, NotAllowed, SaveError, SaveResult, save_page


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


@dataclass
class Undo:
    """The current text with one past edit taken out, or the conflict that prevents it."""

    revision: Revision
    latest: Revision
    parent_text: str
    merge: MergeResult


def undo(page: Page, revision: Revision) -> Undo:
    """Take one edit's change out of the current text (a merge with the edit reversed)."""
    parent = db.session.get(Revision, revision.parent_id) if revision.parent_id else None
    parent_text = parent.text if parent else ""
    latest = page.latest
    merge = merge3(revision.text, parent_text, latest.text)
    return Undo(revision=revision, latest=latest, parent_text=parent_text, merge=merge)


def restore(page: Page, revision: Revision, user: User) -> SaveResult:
    """Make a new revision with an old revision's text; the history stays as it was."""
    author = revision.author.username if revision.author else "anonymous"
    return save_page(
        Title(page.title, page.key),
        revision.text,
        author=user,
        summary=f"Restored revision {revision.id} by {author}",
        base_revision_id=page.latest_revision_id,
        kind=RevisionKind.RESTORE,
    )


def rollback(page: Page, user: User, seen_latest_id: int | None) -> SaveResult:
    """Revert all consecutive latest edits by the last editor, in one revision."""
    if user is None or not user.is_authenticated or not user.has_role(Role.MODERATOR):
        raise NotAllowed(N_("Only moderators can roll back edits."))
    latest = page.latest
    if seen_latest_id != latest.id:
        raise EditConflict(
            N_("The page changed since you looked at it; check the history and try again."),
            latest,
        )
    target = db.session.scalar(
        select(Revision)
        .where(Revision.page_id == page.id)
        .where(Revision.author_id.is_distinct_from(latest.author_id))
        .order_by(Revision.id.desc())
        .limit(1)
    )
    last = latest.author.username if latest.author else "anonymous"
    if target is None:
        raise SaveError(
            N_(
                "Every revision of this page is by %(name)s: "
                "there is no earlier version to return to."
            ),
            name=last,
        )
    previous = target.author.username if target.author else "anonymous"
    summary = f"Reverted edits by {last} to the last revision by {previous}"

    def log(page: Page, revision: Revision) -> None:
        modlog.record(
            "rollback", user, page=page, reason=summary, revision=revision.id, to=target.id
        )

    return save_page(
        Title(page.title, page.key),
        target.text,
        author=user,
        summary=summary,
        base_revision_id=latest.id,
        kind=RevisionKind.ROLLBACK,
        also=log,
    )
