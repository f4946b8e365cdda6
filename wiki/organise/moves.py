"""Moving (renaming) pages: one transaction, the page row keeps its id and everything on it.

History, talk topics and watchers are attached to the page id, so they come along by
themselves. The old title becomes a new page holding `#REDIRECT [[New title]]` (unless a
moderator leaves it out), so links to the old title keep working; redirects that pointed
at the old title are pointed at the new one, so no chain of redirects is left behind.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from .. import events, modlog
from ..access.permissions import edit_refusal, is_moderator, logged_in
from ..core.redirects import redirect_text
from ..core.text import clean_text
from ..core.titles import N_, Title, TitleError, parse_title
from ..database import write_transaction
from ..extensions import db
from ..models import Draft, Page, RevisionKind, User
from ..pages.service import append_revision, can_edit
from ..problems import Conflict, NotAllowed, NotFound
from ..renderer import RenderTimeout
from ..summaries import MOVE_REDIRECT_KEYS, SystemSummary

MAX_SUBPAGES = 100
MAX_REASON = 300


@dataclass
class MoveResult:
    """What a move did."""

    page: Page
    old_title: str
    redirect: Page | None
    subpages: list[tuple[str, str]] = field(default_factory=list)


#: Whether a person's moves go live at once: rule(user, page or None) -> bool (wiki/review
#: sets one: a newcomer's edits wait for a reviewer, and a move cannot wait, so newcomers
#: do not move pages, as MediaWiki keeps moves to autoconfirmed accounts).
_move_rule: list[Callable[[User, Page | None], bool]] = []
NOT_TRUSTED_TO_MOVE = N_(
    "Moving pages is open to trusted editors: your edits still wait for a reviewer, and a "
    "move would change the page's title for everyone at once."
)


def set_move_rule(rule: Callable[[User, Page | None], bool]) -> None:
    """Let rule say whether a person's moves go live at once."""
    _move_rule[:] = [rule]


def may_move(user: User | None, page: Page | None = None) -> bool:
    """Return whether this person may move pages (this page, if given)."""
    return logged_in(user) and can_edit(user, page) and trusted_to_move(user, page)


def trusted_to_move(user: User, page: Page | None = None) -> bool:
    """Return whether the move rule lets this person's moves go live at once."""
    return not _move_rule or _move_rule[0](user, page)


def may_skip_redirect(user: User | None) -> bool:
    """Return whether this person may move a page without leaving a redirect."""
    return is_moderator(user)


def subpage_count(page: Page) -> int:
    """Return how many subpages a page has (up to MAX_SUBPAGES + 1)."""
    return len(list(db.session.scalars(_subpages(page).limit(MAX_SUBPAGES + 1))))


def move_page(
    title: Title,
    new_title: Title,
    *,
    user: User | None,
    reason: str = "",
    leave_redirect: bool = True,
    move_subpages: bool = False,
) -> MoveResult:
    """Move a page (and, if asked, its subpages) to a new title, in one transaction."""
    if not leave_redirect and not may_skip_redirect(user):
        raise NotAllowed(N_("Only moderators can move a page without leaving a redirect."))
    reason = clean_text(reason).replace("\n", " ").strip()[:MAX_REASON]
    try:
        with write_transaction():
            return _move_all(title, new_title, user, reason, leave_redirect, move_subpages)
    except IntegrityError as error:  # a page took one of the titles at the same moment
        raise Conflict(
            N_("Someone changed one of these titles at the same moment. Please try again.")
        ) from error
    except RenderTimeout as error:
        raise Conflict(str(error)) from error


def _move_all(
    title: Title, new_title: Title, user, reason: str, leave_redirect: bool, subpages: bool
) -> MoveResult:
    """Check and do the whole move inside the caller's write transaction."""
    page = _locked(title.key)
    if page is None or page.latest_revision_id is None or page.deleted:
        raise NotFound(N_("There is no page “%(title)s” to move."), title=title.display)
    if not may_move(user, page):
        if logged_in(user) and not trusted_to_move(user, page):
            raise NotAllowed(NOT_TRUSTED_TO_MOVE)
        raise NotAllowed(N_("You may not move this page."))
    plan = [(page, new_title)] + (_subpage_plan(page, new_title) if subpages else [])
    for moving, target in plan:
        _check_allowed(user, moving, target)
        _check_target(moving, target, {p.id for p, _ in plan})
    old = page.title
    results = [_move_one(p, t, user, reason, leave_redirect) for p, t in plan]
    modlog.record(
        "move",
        user,
        reason=reason,
        page=page,
        target=old,
        to=page.title,
        redirect=leave_redirect,
        subpages=[[a, b] for a, b in results[1:]],
    )
    for moved, (was, _now) in zip([p for p, _ in plan], results, strict=True):
        events.page_moved.send(
            current_app._get_current_object(), page=moved, old_title=was, user=user
        )
    redirect = _locked(title.key) if leave_redirect and title.key != page.key else None
    return MoveResult(page=page, old_title=old, redirect=redirect, subpages=results[1:])


def _locked(key: str) -> Page | None:
    """Return the page with this key, its row locked for the move."""
    return db.session.scalar(
        select(Page)
        .where(Page.key == key)
        .options(lazyload(Page.latest))
        .with_for_update(of=Page)
        .execution_options(populate_existing=True)
    )


def _subpages(page: Page):
    """Return the query for a page's subpages that are not deleted."""
    escaped = page.key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return (
        select(Page)
        .where(Page.key.like(escaped + "/%", escape="\\"), Page.deleted.is_(False))
        .where(Page.latest_revision_id.is_not(None))
        .order_by(Page.key)
    )


def _subpage_plan(page: Page, new_title: Title) -> list[tuple[Page, Title]]:
    """Return each subpage with its new title (the parent's part of the title replaced)."""
    subpages = list(db.session.scalars(_subpages(page).with_for_update(of=Page)))
    if len(subpages) > MAX_SUBPAGES:
        raise Conflict(
            N_("This page has more than %(count)s subpages: move them in smaller groups."),
            count=MAX_SUBPAGES,
        )
    if new_title.key.startswith(page.key + "/"):
        raise Conflict(N_("A page cannot be moved under itself together with its subpages."))
    depth = len(page.title.split("/"))
    plan = []
    for subpage in subpages:
        rest = "/".join(subpage.title.split("/")[depth:])
        try:
            plan.append((subpage, parse_title(f"{new_title.display}/{rest}")))
        except TitleError as error:
            raise Conflict(
                N_("The subpage “%(title)s” cannot be moved: %(problem)s"),
                title=subpage.title,
                problem=str(error),
            ) from error
    return plan


def _check_allowed(user: User, page: Page, target: Title) -> None:
    """Refuse the move unless the person may edit the page and create the target title:
    a protected subpage, or a title protected against creation, stops the whole move."""
    for what in (page, target):
        refusal = edit_refusal(user, what)
        if refusal is not None:
            raise NotAllowed(
                N_("“%(title)s” cannot be moved: %(reason)s"),
                title=page.title,
                reason=gettext(refusal.message, **refusal.params),
            )


def _check_target(page: Page, target: Title, moving: set[int]) -> None:
    """Refuse a move onto a page, unless that page is only a redirect to the one moved."""
    if target.key == page.key:
        if target.display == page.title:
            raise Conflict(N_("The new title is the same as the old one."))
        return
    existing = db.session.scalar(select(Page).where(Page.key == target.key))
    if existing is None or existing.latest_revision_id is None:
        return
    if existing.deleted:
        raise Conflict(
            N_(
                "A deleted page has the title “%(title)s”. A moderator can undelete it, "
                "or move it away first."
            ),
            title=existing.title,
        )
    if existing.redirect_key == page.key and existing.id not in moving:
        return
    raise Conflict(
        N_("A page titled “%(title)s” already exists. Choose another title."),
        title=existing.title,
    )


def _move_one(
    page: Page, target: Title, user: User, reason: str, leave_redirect: bool
) -> tuple[str, str]:
    """Rename one page, leave its redirect and re-point redirects to it; return (old, new)."""
    old = Title(page.title, page.key)
    names = {"old": old.display, "new": target.display}
    summary = (
        SystemSummary("move-reason", {**names, "reason": reason})
        if reason
        else SystemSummary("move", names)
    )
    if target.key == old.key:
        page.title = target.display
        _append_move(page, user, summary)
        return old.display, target.display
    stale = _locked(target.key)  # only ever a redirect to this page (checked before)
    if stale is not None:
        stale.key = f"\x01moving-{stale.id}"  # out of the way: keys are unique
        db.session.flush()
    page.title, page.key = target.display, target.key
    db.session.flush()
    _append_move(page, user, summary)
    redirect = _leave_redirect(stale, old, target, user, summary) if leave_redirect else None
    if not leave_redirect and stale is not None:
        _retire(stale, old, user, summary)
    _repoint_redirects(old, target, user, {page.id, redirect.id if redirect else None})
    _move_drafts(old, target)
    return old.display, target.display


def _leave_redirect(stale: Page | None, old: Title, target: Title, user, summary) -> Page:
    """Make the old title a redirect to the new one (reusing a stale redirect row, if any)."""
    if stale is None:
        redirect = Page(title=old.display, key=old.key)
        db.session.add(redirect)
        kind = RevisionKind.CREATE
    else:
        redirect, kind = stale, RevisionKind.MOVE
        redirect.title, redirect.key = old.display, old.key
    db.session.flush()
    text = redirect_text(target.display)
    # The move's words under a key of their own: lists of changes show the move once.
    left = SystemSummary(MOVE_REDIRECT_KEYS[summary.key], summary.args)
    append_revision(redirect, text, author=user, summary=left, kind=kind)
    return redirect


def _append_move(page: Page, user: User, summary: SystemSummary) -> None:
    """Record the move in the page's history: a revision of kind "move", text unchanged."""
    append_revision(page, page.latest.text, author=user, summary=summary, kind=RevisionKind.MOVE)


def _retire(stale: Page, old: Title, user: User, summary: SystemSummary) -> None:
    """Delete a redirect that was in the way, when no redirect is left at the old title."""
    stale.title, stale.key, stale.deleted = old.display, old.key, True
    db.session.flush()
    modlog.record("delete", user, page=stale, reason=summary.english())


def _repoint_redirects(old: Title, target: Title, user: User, skip: set) -> None:
    """Point the redirects to the old title at the new one, so none becomes a chain."""
    redirects = db.session.scalars(
        select(Page)
        .where(Page.redirect_key == old.key, Page.deleted.is_(False))
        .where(Page.id.not_in([page_id for page_id in skip if page_id is not None]))
        .with_for_update(of=Page)
        .limit(MAX_SUBPAGES)
    )
    for redirect in list(redirects):
        append_revision(
            redirect,
            redirect_text(target.display),
            author=user,
            summary=SystemSummary("move-redirect", {"old": old.display, "new": target.display}),
            kind=RevisionKind.EDIT,
        )


def _move_drafts(old: Title, target: Title) -> None:
    """Let unsaved drafts of the old title follow the page (unless one exists for the new)."""
    taken = select(Draft.user_id).where(Draft.page_key == target.key)
    db.session.execute(
        update(Draft)
        .where(Draft.page_key == old.key, Draft.user_id.not_in(taken))
        .values(page_key=target.key, title=target.display)
        .execution_options(synchronize_session=False)
    )
