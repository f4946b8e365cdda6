"""The review tables: each reviewed revision's state, and per-page review policies."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Revision, User, UTCDateTime, utcnow

WAITING = "waiting"
PUBLISHED = "published"
REJECTED = "rejected"


class RevisionReview(db.Model):
    """A revision that needed review: waiting, then published or rejected by a reviewer.

    A revision without a row was published at once (a trusted edit, or review was off).
    """

    __tablename__ = "revision_review"
    __table_args__ = (Index("ix_revision_review_state_page_id", "state", "page_id"),)

    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    #: waiting | published | rejected
    state: Mapped[str] = mapped_column(String(16), default=WAITING)
    #: When the revision began waiting (its save).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why it was rejected, written to its author.
    reason: Mapped[str] = mapped_column(String(500), default="")

    revision: Mapped[Revision] = relationship()
    reviewer: Mapped[User | None] = relationship()


class PageReviewPolicy(db.Model):
    """A page whose edits are reviewed under another policy than the site's."""

    __tablename__ = "page_review_policy"

    #: The normalised title, so a page not yet created can have its policy too.
    page_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    #: off | newcomers | all
    policy: Mapped[str] = mapped_column(String(16))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class ScheduledPublication(db.Model):
    """A page's waiting changes a reviewer accepted for publication at a later moment
    (a launch): until then only people who may see waiting changes read them."""

    __tablename__ = "scheduled_publication"

    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), primary_key=True)
    #: Publish up to this revision (what the reviewer saw).
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    #: When, in UTC (the form takes the wiki's time zone and says which).
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    scheduled_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    scheduled_by: Mapped[User] = relationship()
