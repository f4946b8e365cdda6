"""Languages: each person's language and time zone, and pages linked as translations."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models import UTCDateTime, utcnow


class LanguagePreference(db.Model):
    """A person's chosen language and time zone; no row (or None) means "as the site says"."""

    __tablename__ = "language_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))


class PageTranslation(db.Model):
    """A page that translates another: its source, and how far it has followed it.

    Pages that translate the same source are translations of each other. A source is never
    itself a translation (linking follows a translation to its source).
    """

    __tablename__ = "page_translation"

    #: The translation.
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("page.id"), index=True)
    #: The source's revision the translation was last brought up to date with (None: never).
    synced_revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
