"""What a profile shows: who the person is, how much they did, their contributions."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from ...extensions import db
from ...models import User
from ...talk.models import Comment
from ..models import PageContributor, UserProfile
from ..recent.changes import ChangesPage, Cursor, Filters, changes
from .activity import edits_per_day, year_start

CONTRIBUTIONS_PAGE_SIZE = 50


def profile_of(user: User) -> UserProfile:
    """Return the person's profile, or one with the defaults if they never changed it."""
    return db.session.get(UserProfile, user.id) or UserProfile.blank(user.id)


@dataclass
class Counts:
    """How much a person has done."""

    edits: int
    pages_created: int
    comments: int


def counts(user: User) -> Counts:
    """Return a person's edits, pages created and visible comments, in two queries."""
    edits, created = db.session.execute(
        select(
            func.coalesce(func.sum(PageContributor.edits), 0),
            func.coalesce(func.sum(case((PageContributor.created.is_(True), 1), else_=0)), 0),
        ).where(PageContributor.user_id == user.id)
    ).one()
    comments = db.session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.author_id == user.id,
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
        )
    )
    return Counts(int(edits), int(created), comments or 0)


@dataclass
class ProfilePage:
    """Everything a profile page shows."""

    user: User
    profile: UserProfile
    counts: Counts
    contributions: ChangesPage
    filters: Filters
    #: Edits per day over the last year, for the activity chart.
    per_day: dict[date, int]


def profile_page(
    user: User, *, viewer: User | None, filters: Filters, before: Cursor | None
) -> ProfilePage:
    """Return a person's profile with a page of their contributions, filtered."""
    filters = Filters(
        days=None,
        show=filters.show,
        hide_minor=filters.hide_minor,
        new_pages=filters.new_pages,
        user_id=user.id,
    )
    return ProfilePage(
        user=user,
        profile=profile_of(user),
        counts=counts(user),
        contributions=changes(
            filters, viewer=viewer, before=before, limit=CONTRIBUTIONS_PAGE_SIZE
        ),
        filters=filters,
        per_day=edits_per_day(since=year_start(), author_id=user.id),
    )
