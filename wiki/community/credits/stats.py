"""The community page: who is active, what is discussed, what is new — for marketing people."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from ...extensions import db
from ...models import Page, Revision, User
from ...talk.models import Comment, Topic
from ..models import PageContributor
from ..sql import days_ago, page_shown

PERIOD_DAYS = 30
TOP = 10


@dataclass
class Contributor:
    username: str
    edits: int
    bytes_added: int


@dataclass
class Discussion:
    topic_id: int
    subject: str
    page_title: str
    comments: int
    last_at: datetime


@dataclass
class NewPage:
    title: str
    created_at: datetime
    creator: str | None


@dataclass
class BusyPage:
    title: str
    edits: int
    editors: int


@dataclass
class Community:
    """The four lists of the community page."""

    contributors: list[Contributor]
    discussions: list[Discussion]
    new_pages: list[NewPage]
    busy_pages: list[BusyPage]
    days: int = PERIOD_DAYS


def _visible(query, viewer):
    shown = page_shown(Page, viewer)
    return query.where(shown) if shown is not None else query


def community(viewer: User | None, days: int = PERIOD_DAYS) -> Community:
    """Return the community page's lists for the last `days` days, one query each."""
    since = days_ago(days)
    edits = func.count(Revision.id)
    grown = func.sum(case((Revision.size_change > 0, Revision.size_change), else_=0))
    contributors = db.session.execute(
        _visible(
            select(User.username, edits, grown)
            .join(Revision, Revision.author_id == User.id)
            .join(Page, Page.id == Revision.page_id)
            .where(Revision.created_at >= since),
            viewer,
        )
        .group_by(User.id, User.username)
        .order_by(edits.desc(), User.username)
        .limit(TOP)
    )
    comments = func.count(Comment.id)
    talk = (
        select(Topic.id, Topic.subject, Page.title, comments, func.max(Comment.created_at))
        .join(Topic, Topic.id == Comment.topic_id)
        .join(Page, Page.id == Topic.page_id)
        # Hidden comments count for nobody, moderators included: the thread's own count
        # leaves them out, and a spammer's flood must not make a discussion "active".
        .where(
            Comment.created_at >= since,
            Comment.deleted_at.is_(None),
            Comment.hidden_at.is_(None),
        )
    )
    discussions = db.session.execute(
        _visible(talk, viewer)
        .group_by(Topic.id, Topic.subject, Page.title)
        .order_by(comments.desc(), Topic.id.desc())
        .limit(TOP)
    )
    new_pages = db.session.execute(
        _visible(
            select(Page.title, Page.created_at, User.username)
            .outerjoin(
                PageContributor,
                (PageContributor.page_id == Page.id) & PageContributor.created.is_(True),
            )
            .outerjoin(User, User.id == PageContributor.user_id)
            .where(Page.latest_revision_id.is_not(None))
            # A redirect left by a move is a new row, but no new page for people.
            .where(Page.redirect_key.is_(None)),
            viewer,
        )
        .order_by(Page.id.desc())
        .limit(TOP)
    )
    busy = db.session.execute(
        _visible(
            select(Page.title, edits, func.count(func.distinct(Revision.author_id)))
            .join(Revision, Revision.page_id == Page.id)
            .where(Revision.created_at >= since),
            viewer,
        )
        .group_by(Page.id, Page.title)
        .order_by(edits.desc(), Page.id.desc())
        .limit(TOP)
    )
    return Community(
        contributors=[Contributor(name, n, int(b or 0)) for name, n, b in contributors],
        discussions=[Discussion(*row) for row in discussions],
        new_pages=[NewPage(*row) for row in new_pages],
        busy_pages=[BusyPage(*row) for row in busy],
        days=days,
    )
