"""Uploaded files: their stored bytes, every version uploaded, and each file's current one.

A file is described by an ordinary page titled "File:<name>"; these tables hang on that
page's id, so a move, deletion or protection of the page applies to the file.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models import Page, Revision, User, UTCDateTime, utcnow


class FileBlob(db.Model):
    """Bytes in the store, once per content: what sniffing and Pillow found in them."""

    __tablename__ = "file_blob"

    #: SHA-256 of the bytes, hex: the key in the store, and checked by `flask check`.
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    #: The type sniffed from the content (never from the name), served as Content-Type.
    media_type: Mapped[str] = mapped_column(String(100))
    #: Pixels, for images (after EXIF orientation); None for other files.
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FileVersion(db.Model):
    """One upload of a file (or a revert to an earlier one); never updated or deleted."""

    __tablename__ = "file_version"
    __table_args__ = (
        Index("ix_file_version_page_id_id", "page_id", "id"),
        Index("ix_file_version_uploader_id_created_at", "uploader_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The file's description page ("File:<name>").
    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"))
    sha256: Mapped[str] = mapped_column(ForeignKey("file_blob.sha256"), index=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Why: the uploader's comment ("New logo colours").
    comment: Mapped[str] = mapped_column(String(500), default="")
    #: "upload" (the first), "version" (a new version) or "revert" (an earlier one again).
    kind: Mapped[str] = mapped_column(String(16), default="upload")
    #: The name the file had on the uploader's computer.
    original_name: Mapped[str] = mapped_column(String(255), default="")
    #: The description page's revision that records this upload in history and changes.
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id"))
    #: Location data (EXIF GPS) was removed from the photo before it was stored.
    location_removed: Mapped[bool] = mapped_column(Boolean, default=False)

    blob: Mapped[FileBlob] = relationship(lazy="joined")
    uploader: Mapped[User] = relationship(lazy="joined")
    page: Mapped[Page] = relationship()
    revision: Mapped[Revision | None] = relationship()


class WikiFile(db.Model):
    """A file: its description page and current version (for lists and lookups)."""

    __tablename__ = "wiki_file"
    __table_args__ = (
        Index("ix_wiki_file_uploader_id_version_id", "uploader_id", "version_id"),
        Index("ix_wiki_file_media_type_version_id", "media_type", "version_id"),
    )

    page_id: Mapped[int] = mapped_column(ForeignKey("page.id"), primary_key=True)
    #: The current version; moves on each upload or revert (newest first in the gallery).
    version_id: Mapped[int] = mapped_column(ForeignKey("file_version.id"), index=True)
    #: The current version's type and uploader, copied here for the gallery's filters.
    media_type: Mapped[str] = mapped_column(String(100))
    uploader_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    page: Mapped[Page] = relationship(lazy="joined")
    version: Mapped[FileVersion] = relationship(lazy="joined")
