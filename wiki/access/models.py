"""The access tables: site settings, blocks, page protection and approvals."""

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
