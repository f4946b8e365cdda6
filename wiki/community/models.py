"""The community data model: profiles and preferences, watches, notifications, credits, mail."""

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Page, Revision, User, UTCDateTime, utcnow
from ..talk.models import Comment

MAX_DISPLAY_NAME = 80
MAX_BIO = 2000
MAX_EMAIL = 254

# Indexes on tables of other features that the community lists need at 100,000 revisions:
# recent changes by time; one person's contributions by time; a watchlist, which reads
# each watched page's revisions of the period (a range, however long the page's history).
Index("ix_revision_created_at_id", Revision.created_at, Revision.id)
Index("ix_revision_author_id_created_at_id", Revision.author_id, Revision.created_at, Revision.id)
Index("ix_revision_page_id_created_at_id", Revision.page_id, Revision.created_at, Revision.id)
Index("ix_comment_created_at_id", Comment.created_at, Comment.id)


class Kind(enum.StrEnum):
    """What a notification is about."""

    EDIT = "edit"  # someone else edited a page one watches
    TOPIC = "topic"  # a new topic on a page one watches (or follows the talk of)
    REPLY = "reply"  # a reply to one's comment (or to one's topic)
    COMMENT = "comment"  # a new comment in a topic one follows
    MENTION = "mention"  # one's @name in a comment
    #: Only a choice of email: a reviewer accepted or rejected one's changes, or a moderator
    #: hid one's comment (ACCEPTED, REJECTED, HIDDEN below are the notifications' own kinds).
    REVIEW = "review"


#: Kinds of notification about a review of waiting changes (no email of their own):
ACCEPTED = "accepted"  # a reviewer published one's changes
REJECTED = "rejected"  # a reviewer rejected one's changes (the reason is the review's)
#: A reviewer rejected changes that one was told of as edits to a page one watches.
WATCH_REJECTED = "watch_rejected"
#: A moderator hid one's comment (the reason is the comment's while it stays hidden); only
#: its author gets it, and sees it even while the comment is hidden.
HIDDEN = "hidden"


class Delivery(enum.StrEnum):
    """How a person wants email about one kind of notification."""

    NONE = "none"
    IMMEDIATE = "immediate"
    DIGEST = "digest"


#: Email choices of someone who never changed them (they apply once an address is given).
DEFAULT_DELIVERY = {
    Kind.EDIT: Delivery.DIGEST,
    Kind.TOPIC: Delivery.DIGEST,
    Kind.REPLY: Delivery.IMMEDIATE,
    Kind.COMMENT: Delivery.DIGEST,
    Kind.MENTION: Delivery.IMMEDIATE,
    Kind.REVIEW: Delivery.IMMEDIATE,
}


def _delivery_column(kind: Kind) -> Mapped[str]:
    return mapped_column(String(10), default=str(DEFAULT_DELIVERY[kind]))


class UserProfile(db.Model):
    """What a person tells about themself and how they want to hear from the wiki.

    A row appears when they first change something; until then the defaults apply.
    """

    __tablename__ = "user_profile"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(MAX_DISPLAY_NAME), default="")
    #: The bio as written (Markdown) and rendered (sanitised HTML), rendered once on save.
    bio: Mapped[str] = mapped_column(Text, default="")
    bio_html: Mapped[str] = mapped_column(Text, default="")
    #: Watch the pages one creates or edits.
    auto_watch: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Where to send email; empty: no email at all.
    email: Mapped[str] = mapped_column(String(MAX_EMAIL), default="")
    email_edit: Mapped[str] = _delivery_column(Kind.EDIT)
    email_topic: Mapped[str] = _delivery_column(Kind.TOPIC)
    email_reply: Mapped[str] = _delivery_column(Kind.REPLY)
    email_comment: Mapped[str] = _delivery_column(Kind.COMMENT)
    email_mention: Mapped[str] = _delivery_column(Kind.MENTION)
    #: Added by migration 0023 to existing profiles (hence a server default).
    email_review: Mapped[str] = mapped_column(
        String(10), default=str(Delivery.IMMEDIATE), server_default=str(Delivery.IMMEDIATE)
    )
    #: SHA-256 of the secret in the person's feed URLs; None: no feed key.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The last notification a digest covered, and when that digest went out.
    digest_last_id: Mapped[int] = mapped_column(Integer, default=0)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @classmethod
    def blank(cls, user_id: int) -> "UserProfile":
        """Return a profile with every default, not added to the session."""
        return cls(
            user_id=user_id,
            display_name="",
            bio="",
            bio_html="",
            auto_watch=True,
            email="",
            feed_token_hash=None,
            digest_last_id=0,
            digest_sent_at=None,
            **{f"email_{kind}": str(choice) for kind, choice in DEFAULT_DELIVERY.items()},
        )

    def delivery(self, kind: str) -> str:
        """Return how this person wants email about notifications of this kind."""
        return getattr(self, f"email_{email_choice(kind)}")


def email_choice(kind: str) -> str:
    """Return the email choice (a Kind) that decides about notifications of this kind."""
    # A review's outcome for its author (and a moderator's verdict on their comment); a
    # rejection of what a watcher heard of as an edit.
    return {
        ACCEPTED: Kind.REVIEW,
        REJECTED: Kind.REVIEW,
        HIDDEN: Kind.REVIEW,
        WATCH_REJECTED: Kind.EDIT,
    }.get(kind, kind)


def kinds_chosen_by(choices: list[str]) -> list[str]:
    """Return the notification kinds these email choices decide about."""
    every = [*map(str, Kind), ACCEPTED, REJECTED, HIDDEN, WATCH_REJECTED]
    return [kind for kind in every if str(email_choice(kind)) in choices and kind != Kind.REVIEW]


class Watch(db.Model):
    """Someone who watches a page (and its talk page); keyed by page row, so moves keep it."""

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(db.Model):
    """One thing that happened that one person should hear about.

    Written in the transaction of the change it reports. Consecutive unread edit
    notifications on one page form a group: the first row is its head (group_id None),
    later ones point at it with group_id; lists show heads and aggregate their members.
    """

    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notification_user_id_id", "user_id", "id"),
        Index("ix_notification_user_id_read_at_id", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(16))
    #: What caused it, once per person: "r<revision id>" or "c<comment id>" (a review:
    #: "a", "r" or "j" and the revision) — a retried or repeated event can't notify twice.
    dedupe_key: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("page.id"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    #: The revision before the edit (for the diff link); None for a page's creation.
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topic.id"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The head of the group this row belongs to; None: it is a head.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"), index=True)


class PageContributor(db.Model):
    """What one person contributed to one page, kept up to date by every save (credits)."""

    __tablename__ = "page_contributor"

    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True, index=True)
    edits: Mapped[int] = mapped_column(Integer, default=0)
    #: The sum of the growth of their edits (shrinking edits count zero).
    bytes_added: Mapped[int] = mapped_column(Integer, default=0)
    #: Whether they created the page.
    created: Mapped[bool] = mapped_column(Boolean, default=False)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    page: Mapped[Page] = relationship()


class OutgoingEmail(db.Model):
    """An email to send, written in the transaction that calls for it, sent after commit.

    A notification email is composed when it is sent (so a comment hidden meanwhile is not
    mailed); a digest carries its text.
    """

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_sent_at_id", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id"))
    #: For a message about the account itself (verifying an address, a password reset):
    #: where to send it, whatever the notification address is. None: the profile's address.
    recipient: Mapped[str | None] = mapped_column(String(MAX_EMAIL))
    subject: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Taken by a sender (so two senders never send it twice); sent, or given up.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
