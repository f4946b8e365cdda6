"""What a profile shows: who the person is, how much they did, their contributions."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from ...access.permissions import logged_in
from ...extensions import db
from ...models import Revision, RevisionKind, User
from ...review.models import REJECTED, WAITING, RevisionReview
from ...review.visibility import sees_waiting
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


def unseen_edits(user: User) -> list[tuple[int, str]]:
    """Return the ids and kinds of a person's revisions waiting for review or rejected:
    readers who may not see waiting changes count neither."""
    return [
        (revision_id, kind)
        for revision_id, kind in db.session.execute(
            select(Revision.id, Revision.kind)
            .join(RevisionReview, RevisionReview.revision_id == Revision.id)
            .where(
                Revision.author_id == user.id,
                RevisionReview.state.in_([WAITING, REJECTED]),
            )
        )
    ]


def counts(user: User, unseen: list[tuple[int, str]] = ()) -> Counts:
    """Return a person's edits, pages created and visible comments, in two queries (less
    the unseen edits, and the pages they created)."""
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
    creations = sum(1 for _id, kind in unseen if kind == RevisionKind.CREATE)
    return Counts(int(edits) - len(unseen), int(created) - creations, comments or 0)


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
    # Others who may not see waiting changes are not told of this person's waiting ones.
    mine = logged_in(viewer) and viewer.id == user.id
    unseen = [] if mine or sees_waiting(viewer) else unseen_edits(user)
    return ProfilePage(
        user=user,
        profile=profile_of(user),
        counts=counts(user, unseen),
        contributions=changes(
            filters, viewer=viewer, before=before, limit=CONTRIBUTIONS_PAGE_SIZE
        ),
        filters=filters,
        per_day=edits_per_day(
            since=year_start(),
            author_id=user.id,
            leaving_out=[revision_id for revision_id, _kind in unseen],
        ),
    )
