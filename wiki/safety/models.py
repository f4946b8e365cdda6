"""The trust and safety tables: policy, blocks, protection, sessions, login failures, links."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import User, UTCDateTime, utcnow


class SiteSetting(db.Model):
    """One policy setting an administrator chose; absent settings take the config default."""

    __tablename__ = "site_setting"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class Block(db.Model):
    """A block of an account, or of anonymous editing from an address range.

    A blocked account can read but not edit or comment, until the block expires or is
    lifted. Rows are never deleted: lifting a block sets lifted_at, so the record stays.
    """

    __tablename__ = "block"
    __table_args__ = (
        Index("ix_block_user_id_lifted_at", "user_id", "lifted_at"),
        Index("ix_block_address_lifted_at", "address", "lifted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The blocked account, or None for an address block.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: For an address block: the masked range as shown in histories ("203.0.113.x").
    address: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: None: until lifted.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def active(self, now: datetime) -> bool:
        """Return whether the block holds at this moment."""
        return self.lifted_at is None and (self.expires_at is None or self.expires_at > now)


class Protection(db.Model):
    """A page (or a title not yet created) that only editors or moderators may edit."""

    __tablename__ = "protection"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The normalised title, so a missing page can be protected against creation too.
    page_key: Mapped[str] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    #: The lowest Role that may edit: Role.EDITOR or Role.MODERATOR.
    level: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    #: None: until a moderator lifts it.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()

    def active(self, now: datetime) -> bool:
        """Return whether the protection holds at this moment."""
        return self.expires_at is None or self.expires_at > now


class Approval(db.Model):
    """An administrator approved this account to edit (needed when the edit policy says so)."""

    __tablename__ = "approval"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


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
