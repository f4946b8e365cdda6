"""The API's tables: personal access tokens, idempotent writes, webhooks and deliveries."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import User, UTCDateTime, utcnow


class ApiToken(db.Model):
    """A personal access token: shown once, stored as a hash, revocable."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    #: What its owner called it ("CMS sync").
    name: Mapped[str] = mapped_column(String(100))
    #: SHA-256 of the token (the token has 256 random bits: no slow hash is needed).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, so its owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    #: Space-separated scopes: read, edit, talk.
    scopes: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Updated at most once a minute, so reading does not mean writing.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When it stops working (None: it does not expire, as every token made before 0024).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When its owner was told it expires soon (once, a week before; see api/expiry.py).
    expiry_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def scope_list(self) -> list[str]:
        """Return the scopes as a list."""
        return self.scopes.split()

    @property
    def expired(self) -> bool:
        """Whether the token has stopped working because its time is up."""
        return self.expires_at is not None and self.expires_at <= utcnow()


class IdempotentRequest(db.Model):
    """A write sent with an Idempotency-Key, and the answer it got (kept for a day)."""

    __tablename__ = "api_idempotency"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Whose key it is: "token:<id>" or "user:<id>".
    owner: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    #: The answer's status; 0 while the first request is still being handled.
    status: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[str] = mapped_column(Text, default="")
    #: The answer's headers that matter to a client (ETag, Location), as JSON.
    headers: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Webhook(db.Model):
    """A URL that receives signed events, configured by an administrator."""

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    #: The key of the HMAC-SHA256 signature each delivery carries.
    secret: Mapped[str] = mapped_column(String(128))
    #: Space-separated event names ("page.saved comment.posted").
    events: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The administrator allowed targets on private and local networks (SSRF otherwise).
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    @property
    def event_list(self) -> list[str]:
        """Return the events as a list."""
        return self.events.split()


class WebhookDelivery(db.Model):
    """One event for one webhook: an outbox row written with the change, sent by a worker."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index("ix_webhook_delivery_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_webhook_id_id", "webhook_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhook.id"))
    #: Sent as X-Bottega-Delivery: receivers use it to ignore a delivery seen before.
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    event: Mapped[str] = mapped_column(String(64))
    #: Deliveries with one key (a page) are sent in order: one waits for the one before.
    order_key: Mapped[str] = mapped_column(String(64))
    #: The JSON body, fixed when the event happened (a re-send sends the same bytes).
    payload: Mapped[str] = mapped_column(Text)
    #: pending, delivered or failed (given up after the last retry).
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Taken by a sender, so that no other sender sends it at the same time.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    webhook: Mapped[Webhook] = relationship()


class WebhookAttempt(db.Model):
    """One try at sending a delivery, with what the receiver answered."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_delivery.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The HTTP status answered (None when no answer came: refused, timeout, blocked).
    status_code: Mapped[int | None] = mapped_column(Integer)
    #: The start of the answer's body.
    response_body: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(String(500), default="")
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
