"""The moderation log: who protected, blocked, hid, deleted, moved or rolled back what, and why."""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .models import Page, User, UTCDateTime, utcnow


class LogEntry(db.Model):
    """One moderation action; never updated or deleted."""

    __tablename__ = "log_entry"
    __table_args__ = (Index("ix_log_entry_action_id", "action", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    #: What was done: "delete", "undelete", "move", "protect", "block", "role", "hide", ...
    action: Mapped[str] = mapped_column(String(32))
    page_id: Mapped[int | None] = mapped_column(ForeignKey("page.id"), index=True)
    #: The page title or username acted on, as it was at the time.
    target: Mapped[str] = mapped_column(String(255), default="")
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    #: Action-specific facts as JSON (e.g. {"to": "New title"} for a move).
    details: Mapped[str] = mapped_column(Text, default="{}")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    page: Mapped[Page | None] = relationship(foreign_keys=[page_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])

    @property
    def facts(self) -> dict:
        """Return the details as a dict."""
        return json.loads(self.details or "{}")


def record(
    action: str,
    actor: User | None,
    *,
    reason: str = "",
    page: Page | None = None,
    target: str = "",
    target_user: User | None = None,
    **details: object,
) -> LogEntry:
    """Add a log entry in the current transaction (the caller commits with its change)."""
    entry = LogEntry(
        action=action,
        actor_id=actor.id if actor is not None and getattr(actor, "id", None) else None,
        page_id=page.id if page is not None else None,
        target=target or (page.title if page is not None else ""),
        target_user_id=target_user.id if target_user is not None else None,
        reason=reason.strip()[:500],
        details=json.dumps(details, ensure_ascii=False, default=str),
    )
    db.session.add(entry)
    return entry
