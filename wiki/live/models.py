"""Live drafts: the shared text of an editor several people type in, and who typed in it.

The text is a Yjs document kept as a log of binary updates (any order merges to the same
text); a process appends what its own clients typed and compacts the log when a room
closes. Co-authors of a saved revision are kept apart from its single author.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import UTCDateTime, utcnow


class LiveDraft(db.Model):
    """One page's live draft: the revision it started from or last took in."""

    __tablename__ = "live_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The page being edited (one live draft per page).
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), unique=True)
    #: The latest revision whose text is merged into the draft.
    base_revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When an app process last had the draft's room open (None: not since the upgrade).
    open_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LiveUpdate(db.Model):
    """A Yjs update of a live draft; all of a draft's updates together make its text."""

    __tablename__ = "live_update"
    __table_args__ = (Index("ix_live_update_draft_id_id", "draft_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("live_draft.id"))
    #: Yjs update, binary encoding v1.
    data: Mapped[bytes] = mapped_column(LargeBinary)


class LiveAuthor(db.Model):
    """Someone who typed in a live draft since it was last saved."""

    __tablename__ = "live_author"

    draft_id: Mapped[int] = mapped_column(ForeignKey("live_draft.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)


class RevisionCoauthor(db.Model):
    """Someone who typed in the live draft a revision was saved from (besides its author)."""

    __tablename__ = "revision_coauthor"
    __table_args__ = (Index("ix_revision_coauthor_user_id", "user_id"),)

    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
