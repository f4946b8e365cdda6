"""Who wrote each word of each revision, and where each anchored thread's passage is."""

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import Chained

MAX_CONTEXT_LENGTH = 200


class RevisionAuthorship(Chained, db.Model):
    """The authors of one revision's text, computed once when it was saved."""

    __tablename__ = "revision_authorship"
    __table_args__ = (Index("ix_revision_authorship_page_id_sha1", "page_id", "sha1"),)
    chain_key = "revision_id"

    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"))
    #: The text's SHA-1, to find an earlier revision with the same text (a revert).
    sha1: Mapped[str] = mapped_column(String(40))
    #: The runs and word counts in wiki.core.authorship's stored form: zlib-compressed, or
    #: (with base_id) a delta on the form of base_id, as texts are stored.
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: The revision whose form the delta applies to (the page's previous revision).
    base_id: Mapped[int | None] = mapped_column(ForeignKey("revision_authorship.revision_id"))
    #: How many deltas lead here from a whole form; bounded like texts' chains.
    depth: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    @property
    def form(self) -> str:
        """Return the stored form, rebuilt from its delta chain if it is stored as one."""
        return self.chained_text()


class PageAuthorship(db.Model):
    """A page's memory of deleted text with its authors, so that restored text keeps them."""

    __tablename__ = "page_authorship"

    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), primary_key=True)
    #: The revision the memory is up to date with.
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    #: JSON [[text, [[start, end, revision_id], ...]], ...], oldest first.
    memory: Mapped[str] = mapped_column(Text)


class TopicAnchor(db.Model):
    """The passage a talk topic is about: a TextQuoteSelector and a TextPositionSelector."""

    __tablename__ = "topic_anchor"

    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    #: The passage as it reads now (or as it read when it was removed), and its context.
    exact: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(String(MAX_CONTEXT_LENGTH), default="")
    suffix: Mapped[str] = mapped_column(String(MAX_CONTEXT_LENGTH), default="")
    #: Character offsets of the passage in the Markdown of revision_id.
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    #: The latest revision the passage was followed into.
    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"))
    #: The revision that deleted the passage's words; None while it is on the page.
    removed_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))


class AnchorPosition(db.Model):
    """Where a topic's passage was in one revision, for showing old revisions."""

    __tablename__ = "anchor_position"

    revision_id: Mapped[int] = mapped_column(ForeignKey("revision.id"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), primary_key=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
