"""Template helpers: the header's review count and the editor's waiting-changes notice."""

from dataclasses import dataclass

from flask import g
from flask_login import current_user
from sqlalchemy import func, select

from ..access.permissions import can_review
from ..extensions import db
from ..pages.cache import not_page_alone
from ..pages.service import Waiting
from . import publishing, queue
from .models import WAITING, RevisionReview
from .settings import policy_for


@dataclass
class Pending:
    """A page's waiting changes as the editor mentions them."""

    count: int
    can_review: bool


def pending_review(page) -> Pending | None:
    """Return the page's waiting changes for the editor's notice, or None if there are none."""
    if page is None or page.latest_revision_id == page.published_revision_id:
        return None
    count = len(publishing.waiting_ids(page.id))
    return Pending(count, can_review(current_user)) if count else None


def may_review() -> bool:
    """Return whether the person may review changes (the live editor then offers to publish
    others' unsaved typing with their save)."""
    return can_review(current_user)


def edits_wait(title_key: str) -> bool:
    """Return whether the person's edits of this page wait for review (the editor says so
    before they save, not only after)."""
    return not publishing.is_trusted(current_user, policy_for(title_key))


def waiting_summary(page):
    """Return how many of the page's revisions wait for review and since when (rejected
    ones left out), for the page's notice."""
    count, since = db.session.execute(
        select(func.count(), func.min(RevisionReview.created_at)).where(
            RevisionReview.page_id == page.id, RevisionReview.state == WAITING
        )
    ).one()
    return Waiting(count or 0, since)


def review_count() -> int | None:
    """Return how many pages wait for review, for reviewers (None for everyone else)."""
    if not can_review(current_user):
        return None
    not_page_alone()  # other pages' edits may wait for review: the count follows them
    if "review_count" not in g:
        g.review_count = queue.waiting_count()
    return g.review_count
