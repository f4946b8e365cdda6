"""Deleting and undeleting pages (moderators): nothing is removed, only hidden and logged.

A deleted page keeps its row, history and talk; readers get "this page was deleted" with
the log entry, and the page leaves search, lists and backlink counts (links to it turn
red). Undeleting shows it again exactly as it was.
"""

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from .. import events, modlog
from ..access.permissions import is_moderator
from ..core.text import clean_text
from ..core.titles import N_, Title
from ..database import write_transaction
from ..extensions import db
from ..models import Page, User
from ..problems import BadRequest, NotAllowed, NotFound

MAX_REASON = 300


def may_delete(user: User | None) -> bool:
    """Return whether this person may delete and undelete pages."""
    return is_moderator(user)


def delete_page(title: Title, *, user: User | None, reason: str) -> Page:
    """Delete a page: hide it from readers, search and lists, and log who did it and why."""
    reason = _check(user, reason)
    with write_transaction():
        page = _locked(title)
        if page is None or page.deleted:
            raise NotFound(N_("There is no page “%(title)s” to delete."), title=title.display)
        page.deleted = True
        modlog.record("delete", user, reason=reason, page=page)
        events.page_deleted.send(
            current_app._get_current_object(), page=page, user=user, reason=reason
        )
    return page


def undelete_page(title: Title, *, user: User | None, reason: str) -> Page:
    """Show a deleted page again, with its history and talk, and log it."""
    reason = _check(user, reason, required=False)
    with write_transaction():
        page = _locked(title)
        if page is None or not page.deleted:
            raise NotFound(N_("“%(title)s” is not a deleted page."), title=title.display)
        page.deleted = False
        db.session.flush()
        modlog.record("undelete", user, reason=reason, page=page)
        events.page_undeleted.send(
            current_app._get_current_object(), page=page, user=user, reason=reason
        )
    return page


def _check(user: User | None, reason: str, required: bool = True) -> str:
    """Return the reason cleaned, or raise why the action is refused."""
    if not may_delete(user):
        raise NotAllowed(N_("Only moderators can delete and undelete pages."))
    reason = clean_text(reason).replace("\n", " ").strip()[:MAX_REASON]
    if required and not reason:
        raise BadRequest(N_("Say why the page is deleted: the reason is shown to its readers."))
    return reason


def _locked(title: Title) -> Page | None:
    """Return the page with this title, its row locked, or None."""
    return db.session.scalar(
        select(Page)
        .where(Page.key == title.key, Page.latest_revision_id.is_not(None))
        .options(lazyload(Page.latest))
        .with_for_update(of=Page)
        .execution_options(populate_existing=True)
    )
