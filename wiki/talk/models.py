"""The talk data model: topics on a page's talk page, threaded comments, their versions."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Page, User, UTCDateTime, utcnow

MAX_SUBJECT_LENGTH = 200
MAX_REASON_LENGTH = 500


class Topic(db.Model):
    """A thread on a page's talk page: a subject and the comments under it.

    comment_count and last_activity_at are kept up to date by every post, in the same
    transaction, so the topic list and the "Discussion (n)" tab need no grouping query.
    """

    __table_args__ = (Index("ix_topic_page_id_last_activity_at", "page_id", "last_activity_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Talk attaches to the page row, so it follows the page through renames.
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"))
    subject: Mapped[str] = mapped_column(String(MAX_SUBJECT_LENGTH))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the latest comment was posted; the topic list is sorted by it.
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Comments neither deleted nor hidden.
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    #: A locked topic takes no new replies (except from moderators).
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    page: Mapped[Page] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class Comment(db.Model):
    """One comment in a topic, replying to the topic (no parent) or to another comment."""

    __table_args__ = (Index("ix_comment_author_id_created_at", "author_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), index=True)
    #: The comment this one answers; None for a reply to the topic itself.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: 1 for a reply to the topic, parent's depth + 1 for a reply to a comment.
    depth: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The current Markdown and its sanitised HTML (also the latest CommentVersion),
    #: kept here so that showing a thread renders no Markdown and joins nothing.
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    #: When the author last changed the text; None if never edited.
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Deleted by its author: a placeholder is shown, replies stay.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    hidden_reason: Mapped[str] = mapped_column(String(MAX_REASON_LENGTH), default="")

    topic: Mapped[Topic] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])

    @property
    def visible(self) -> bool:
        """Return whether the comment's text is shown to everyone."""
        return self.deleted_at is None and self.hidden_at is None


class CommentVersion(db.Model):
    """One text a comment has had, the first included; never updated or deleted."""

    __tablename__ = "comment_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    #: When this text was written.
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    editor: Mapped[User | None] = relationship()


class CommentMention(db.Model):
    """Someone named with @username in a comment's current text (for notifications)."""

    __tablename__ = "comment_mention"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)
    #: When the mention first appeared: an edit keeps the mentions it does not remove.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TopicSubscription(db.Model):
    """Someone who wants to hear about new comments in a topic."""

    __tablename__ = "topic_subscription"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PageTalkSubscription(db.Model):
    """Someone who wants to hear about every new topic on a page's talk page."""

    __tablename__ = "page_talk_subscription"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
