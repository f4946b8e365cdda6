"""Reading a page's past: its revisions, one old revision, and diffs between two."""

import threading
from dataclasses import dataclass, field

from cachetools import LRUCache
from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import modlog
from ..access.permissions import require_moderator
from ..core.diff import Diff, diff_texts
from ..core.merge import MergeResult, merge3
from ..core.text import clean_text
from ..core.titles import N_, Title
from ..core.unified import unified_diff
from ..extensions import db
from ..models import Page, Revision, RevisionKind, User
from ..pages.service import EditConflict, SaveResult, save_page
from ..problems import BadRequest, NotFound
from ..review.visibility import public_revision, visible
from ..summaries import ANONYMOUS, SystemSummary


@dataclass
class HistoryPage:
    """One page of a page's history, newest first, with cursors to its neighbours."""

    revisions: list[Revision]
    newer: int | None  # pass as ?after= to see newer revisions
    older: int | None  # pass as ?before= to see older revisions
    latest_id: int | None
    #: For a reader who sees only published revisions: the revision shown before each one
    #: whose own parent they may not see, and its size change from that one.
    shown_before: dict[int, tuple[int | None, int]] = field(default_factory=dict)

    def parent_of(self, revision: Revision) -> int | None:
        """Return the revision this reader compares this one with ("prev")."""
        return self.shown_before.get(revision.id, (revision.parent_id,))[0]

    def size_change_of(self, revision: Revision) -> int:
        """Return the size change from the revision before it that this reader sees."""
        return self.shown_before.get(revision.id, (None, revision.size_change))[1]


def history(
    page: Page, *, before: int | None, after: int | None, limit: int, public_only: bool = False
) -> HistoryPage:
    """Return up to limit revisions of the page, paginated by revision id, newest first
    (public_only: leaving out revisions waiting for review or rejected)."""
    query = (
        select(Revision).where(Revision.page_id == page.id).options(joinedload(Revision.author))
    )
    latest_id = page.published_revision_id if public_only else page.latest_revision_id
    if public_only:
        query = query.where(public_revision())
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
        return HistoryPage([], None, None, latest_id)
    return HistoryPage(
        revisions=rows,
        newer=rows[0].id if more_newer else None,
        older=rows[-1].id if more_older else None,
        latest_id=latest_id,
        shown_before=_shown_before(rows) if public_only else {},
    )


def _shown_before(rows: list[Revision]) -> dict[int, tuple[int | None, int]]:
    """Return, for each published revision (newest first) whose parent is not published
    (a rejected or still waiting edit came between), the published one before it and the
    size change from it: a reader who may not see the edit between compares with that."""
    oldest = rows[-1]
    beyond = neighbour(oldest, older=True, public_only=True) if oldest.parent_id else None
    shown = {}
    for revision, before in zip(rows, [*rows[1:], beyond], strict=True):
        before_id = before.id if before is not None else None
        if before_id != revision.parent_id:
            shown[revision.id] = (before_id, revision.size - (before.size if before else 0))
    return shown


def get_revision(revision_id: int) -> Revision | None:
    """Return the revision with this id, or None."""
    return db.session.get(Revision, revision_id)


def neighbour(revision: Revision, *, older: bool, public_only: bool = False) -> Revision | None:
    """Return the revision of the same page just before (older) or after this one."""
    query = select(Revision).where(Revision.page_id == revision.page_id)
    if public_only:
        query = query.where(public_revision())
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
    #: The edits between the two (old excluded, new included) and the people who made
    #: them: a comparison across several edits says whose they are.
    between: int = 0
    authors: list[str] = field(default_factory=list)
    #: More edits lie between than were counted (between is then COUNTED_EDITS, and the
    #: authors are those of the latest COUNTED_EDITS).
    more: bool = False


#: How many authors of the edits between two revisions a comparison names.
NAMED_AUTHORS = 5
#: How many of those edits it counts and looks at, at most (the latest ones).
COUNTED_EDITS = 10_000


def compare(old: Revision | None, new: Revision, public_only: bool = False) -> Comparison:
    """Return the diff from old (None: the empty page) to new, with navigation."""
    diff = revision_diff(old, new)
    between, authors = edits_between(old, new, public_only) if old else (0, [])
    return Comparison(
        old=old,
        new=new,
        diff=diff,
        older_edit=neighbour(old, older=True, public_only=public_only) if old else None,
        newer_edit=neighbour(new, older=False, public_only=public_only),
        between=min(between, COUNTED_EDITS),
        authors=authors,
        more=between > COUNTED_EDITS,
    )


def edits_between(old: Revision, new: Revision, public_only: bool) -> tuple[int, list[str]]:
    """Return how many edits lie between two revisions (new included; at most
    COUNTED_EDITS + 1, meaning "more than COUNTED_EDITS") and up to NAMED_AUTHORS of the
    authors' names of the latest COUNTED_EDITS of them, most edits first (visitors without
    an account are left out of the names). Bounded, however far apart the two are."""
    span = [
        Revision.page_id == new.page_id,
        Revision.id > old.id,
        Revision.id <= new.id,
        *([public_revision()] if public_only else []),
    ]
    latest = select(Revision.id).where(*span).order_by(Revision.id.desc()).limit(COUNTED_EDITS + 1)
    count = db.session.scalar(select(func.count()).select_from(latest.subquery())) or 0
    if count <= 1:
        return count, []
    edits = func.count(Revision.id)
    counted = latest.limit(COUNTED_EDITS).scalar_subquery()
    rows = db.session.execute(
        select(User.username)
        .join(Revision, Revision.author_id == User.id)
        .where(Revision.id.in_(counted))
        .group_by(User.id, User.username)
        .order_by(edits.desc(), User.username)
        .limit(NAMED_AUTHORS)
    )
    return count, [name for (name,) in rows]


def revision_diff(old: Revision | None, new: Revision) -> Diff:
    """Return the (bounded) diff of two revisions, computed once per pair and app."""
    cache = current_app.extensions.setdefault("revision_diffs", DiffCache())
    key = (old.id if old else 0, new.id)
    found = cache.get(key)
    if found is None:
        found = diff_texts(old.text if old else "", new.text)
        cache.put(key, found)
    return found


class DiffCache:
    """Diffs of revision pairs (revisions never change, so neither do their diffs)."""

    def __init__(self) -> None:
        self.diffs: LRUCache = LRUCache(maxsize=DIFF_CACHE_SIZE)
        self.lock = threading.Lock()

    def get(self, key: tuple[int, int]) -> Diff | None:
        """Return the cached diff of a pair, or None."""
        with self.lock:
            return self.diffs.get(key)

    def put(self, key: tuple[int, int], diff: Diff) -> None:
        """Keep the diff of a pair."""
        with self.lock:
            self.diffs[key] = diff


#: How many revision pairs' diffs each process keeps.
DIFF_CACHE_SIZE = 256


def unified(page: Page, old: Revision | None, new: Revision) -> str:
    """Return the difference of two revisions as a unified diff (a file to download)."""
    return unified_diff(
        old.text if old else "",
        new.text,
        f"{page.title} r{old.id if old else 0}",
        f"{page.title} r{new.id}",
    )


@dataclass
class Undo:
    """The current text with one past edit taken out, or the conflict that prevents it."""

    revision: Revision
    latest: Revision
    parent_text: str
    merge: MergeResult


def undo(page: Page, revision: Revision, public_only: bool = False) -> Undo:
    """Take one edit's change out of the current text (a merge with the edit reversed);
    public_only: out of the published text, for people who may not see waiting changes."""
    parent = db.session.get(Revision, revision.parent_id) if revision.parent_id else None
    parent_text = parent.text if parent else ""
    latest = page.published if public_only else page.latest
    merge = merge3(revision.text, parent_text, latest.text)
    return Undo(revision=revision, latest=latest, parent_text=parent_text, merge=merge)


def restore(page: Page, revision: Revision, user: User, reason: str = "") -> SaveResult:
    """Make a new revision with an old revision's text; the history stays as it was."""
    author = revision.author.username if revision.author else None
    restorer = user.username if user is not None and user.is_authenticated else None
    # Says who restored and who wrote what was restored: "Restored revision 19 by Giulia"
    # read as if Giulia had restored it.
    args = {"id": revision.id, "author": author, "user": restorer}
    reason = " ".join(clean_text(reason).split())[:300]
    summary = (
        SystemSummary("restore-reason", args | {"reason": reason})
        if reason
        else SystemSummary("restore", args)
    )
    return save_page(
        Title(page.title, page.key),
        revision.text,
        author=user,
        summary=summary,
        base_revision_id=page.latest_revision_id,
        kind=RevisionKind.RESTORE,
    )


def _same_editor(latest: Revision):
    """Return the condition "made by the editor of latest": the same account, or for an
    edit without one, no account and the same network (two visitors are two editors)."""
    if latest.author_id is not None:
        # Never NULL, so its negation holds for edits without an account.
        return Revision.author_id.is_not_distinct_from(latest.author_id)
    return Revision.author_id.is_(None) & Revision.author_ip.is_not_distinct_from(latest.author_ip)


def editor_name(revision: Revision) -> str | None:
    """Return who made a revision: their username, or for an edit without an account its
    network as history shows it (None if not even that is known)."""
    return revision.author.username if revision.author else revision.author_ip


def rollback_target(page: Page, latest: Revision) -> Revision | None:
    """Return the revision a rollback returns to: the latest by someone else than the last
    editor (None when every revision is theirs)."""
    return db.session.scalar(
        select(Revision)
        .where(Revision.page_id == page.id, ~_same_editor(latest))
        .order_by(Revision.id.desc())
        .limit(1)
    )


@dataclass
class RollbackOffer:
    """What a rollback would undo: the last editor's run of edits."""

    #: Who made them (editor_name: None for an edit without an account or a known network).
    name: str | None
    edits: int


def rollback_offer(page: Page) -> RollbackOffer | None:
    """Return the last editor's run a rollback would revert, or None when every revision
    of the page is theirs (nothing to return to)."""
    latest = page.latest
    target = rollback_target(page, latest) if latest is not None else None
    if target is None:
        return None
    edits = db.session.scalar(
        select(func.count())
        .select_from(Revision)
        .where(Revision.page_id == page.id, Revision.id > target.id)
    )
    return RollbackOffer(editor_name(latest), edits or 0)


def rollback(page: Page, user: User, seen_latest_id: int | None) -> SaveResult:
    """Revert all consecutive latest edits by the last editor, in one revision."""
    require_moderator(user, N_("Only moderators can roll back edits."))
    latest = page.latest
    if seen_latest_id != latest.id:
        raise EditConflict(
            N_("The page changed since you looked at it; check the history and try again."),
            latest,
        )
    target = rollback_target(page, latest)
    last = editor_name(latest)
    if target is None:
        raise BadRequest(
            N_(
                "Every revision of this page is by %(name)s: "
                "there is no earlier version to return to."
            ),
            name=last or gettext(ANONYMOUS),
        )
    summary = SystemSummary("rollback", {"last": last, "previous": editor_name(target)})

    def log(page: Page, revision: Revision) -> None:
        modlog.record(
            "rollback",
            user,
            page=page,
            reason=summary.english(),
            revision=revision.id,
            to=target.id,
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


def revision_of(page: Page, revision_id: int | None, viewer=None) -> Revision:
    """Return a revision of this page the viewer may see, or raise NotFound.

    Without a viewer, every revision is found (for callers that decided already).
    """
    revision = get_revision(revision_id) if revision_id else None
    hidden = viewer is not None and not visible(revision, viewer)
    if revision is None or revision.page_id != page.id or hidden:
        raise NotFound(N_("This page has no revision with that number."))
    return revision
