"""The trust and safety tables: sessions, login failures, one-time links."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import User, UTCDateTime, utcnow


class UserSession(db.Model):
    """A live login. The signed session cookie names one; logging out deletes it.

    Flask's session is a signed cookie, so a copy of it would outlive a logout: the loader
    only accepts a cookie whose session row still exists.
    """

    __tablename__ = "user_session"

    #: SHA-256 of the random token kept in the cookie (a database leak gives no session).
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LoginFailure(db.Model):
    """Failed logins for one account name or one address, to slow down and lock out guessing."""

    __tablename__ = "login_failure"

    #: SHA-256 of "account:<key>" or "ip:<address>": no names or addresses are stored.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OneTimeLink(db.Model):
    """An invitation to register, or a password reset link; each works once, until it expires."""

    __tablename__ = "one_time_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "invite" or "reset".
    kind: Mapped[str] = mapped_column(String(16))
    #: SHA-256 of the token in the link; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: For a reset: whose password it sets.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: For an invite: the account registered with it.
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    used_by: Mapped[User | None] = relationship(foreign_keys=[used_by_id])
