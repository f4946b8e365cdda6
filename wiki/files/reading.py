"""Reading files: find one by name, its versions, where it is used, the gallery, visibility."""

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from ..access.permissions import is_moderator
from ..core.filenames import FileName, strip_namespace
from ..core.sniff import TYPES, FileType
from ..extensions import db
from ..identity import find_user
from ..models import Link, Page, User
from .models import FileBlob, FileVersion, WikiFile

GALLERY_SIZE = 48
USAGE_LIMIT = 100
VERSIONS_LIMIT = 200
#: Gallery filters by kind: what each shows.
KINDS = {
    "image": lambda column: column.like("image/%"),
    "pdf": lambda column: column == "application/pdf",
    "video": lambda column: column.like("video/%"),
    "audio": lambda column: column.like("audio/%"),
    "document": lambda column: column.like("application/%") & (column != "application/pdf"),
}


def name_of(page: Page) -> FileName:
    """Return the file name a description page stands for ("File:Logo.png" → "Logo.png")."""
    return FileName(strip_namespace(page.title) or page.title)


@dataclass
class FileInfo:
    """A file: its description page and current version."""

    name: FileName
    page: Page
    current: FileVersion

    @property
    def blob(self) -> FileBlob:
        """Return the current version's stored bytes."""
        return self.current.blob

    @property
    def kind(self) -> FileType:
        """Return what kind of file the current version is."""
        return TYPES[self.blob.media_type]


def _page(key: str) -> Page | None:
    return db.session.scalar(select(Page).where(Page.key == key))


def find_file(name: FileName, *, follow: bool = True, deleted: bool = False) -> FileInfo | None:
    """Return the file with this name (after one redirect, if follow), or None.

    A deleted file counts as missing unless deleted=True.
    """
    page = _page(name.key)
    if page is None:
        return None
    current = db.session.get(WikiFile, page.id)
    if current is None and follow and page.redirect_key and not page.deleted:
        target = _page(page.redirect_key)
        if target is not None:
            page, current = target, db.session.get(WikiFile, target.id)
    if current is None or (page.deleted and not deleted):
        return None
    return FileInfo(name_of(page), page, current.version)


def versions(page: Page, limit: int = VERSIONS_LIMIT) -> list[FileVersion]:
    """Return a file's versions, newest first."""
    return list(
        db.session.scalars(
            select(FileVersion)
            .where(FileVersion.page_id == page.id)
            .order_by(FileVersion.id.desc())
            .limit(limit)
        )
    )


def usage(page: Page, limit: int = USAGE_LIMIT) -> list[Page]:
    """Return the pages that embed or link the file, by title."""
    return list(
        db.session.scalars(
            select(Page)
            .join(Link, Link.page_id == Page.id)
            .where(Link.target_key == page.key, Page.deleted.is_(False), Page.id != page.id)
            .order_by(Page.title)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Shown:
    """What the view needs to show an embedded file."""

    name: FileName
    blob: FileBlob


def embedded(keys: set[str]) -> dict[str, Shown]:
    """Return the existing files among description page keys (one redirect followed)."""
    found = _current_of(keys)
    missing = keys - found.keys()
    if missing:
        redirects = dict(
            db.session.execute(
                select(Page.key, Page.redirect_key).where(
                    Page.key.in_(missing), Page.redirect_key.is_not(None), Page.deleted.is_(False)
                )
            ).all()
        )
        targets = _current_of(set(redirects.values())) if redirects else {}
        found |= {key: targets[target] for key, target in redirects.items() if target in targets}
    return found


def _current_of(keys: set[str]) -> dict[str, Shown]:
    """Return the current blob of each non-deleted file among these page keys."""
    if not keys:
        return {}
    rows = db.session.execute(
        select(Page, FileBlob)
        .join(WikiFile, WikiFile.page_id == Page.id)
        .join(FileVersion, FileVersion.id == WikiFile.version_id)
        .join(FileBlob, FileBlob.sha256 == FileVersion.sha256)
        .where(Page.key.in_(keys), Page.deleted.is_(False))
    ).all()
    return {page.key: Shown(name_of(page), blob) for page, blob in rows}


def visible_blob(sha256: str, viewer: User | None) -> FileBlob | None:
    """Return the stored bytes if some file the viewer may see has them as a version."""
    blob = db.session.get(FileBlob, sha256)
    if blob is None:
        return None
    shown = (
        select(FileVersion.id)
        .join(Page, Page.id == FileVersion.page_id)
        .where(FileVersion.sha256 == sha256)
    )
    if not is_moderator(viewer):
        shown = shown.where(Page.deleted.is_(False))
    return blob if db.session.scalar(select(exists(shown))) else None


@dataclass(frozen=True)
class GalleryFilters:
    """What the gallery shows."""

    uploader: str = ""
    kind: str = ""
    unused: bool = False


@dataclass
class Gallery:
    """One page of the gallery, newest first, and the key of the next page."""

    files: list[WikiFile]
    older: int | None
    uploader: User | None = None


def gallery(filters: GalleryFilters, before: int | None, limit: int = GALLERY_SIZE) -> Gallery:
    """Return files newest first (by their current version), filtered, cut by key."""
    statement = (
        select(WikiFile)
        .join(Page, Page.id == WikiFile.page_id)
        .where(Page.deleted.is_(False))
        .order_by(WikiFile.version_id.desc())
        .limit(limit + 1)
    )
    uploader = find_user(filters.uploader) if filters.uploader else None
    if filters.uploader:
        statement = statement.where(WikiFile.uploader_id == (uploader.id if uploader else -1))
    if filters.kind in KINDS:
        statement = statement.where(KINDS[filters.kind](WikiFile.media_type))
    if filters.unused:
        statement = statement.where(~exists(_used_by_shown_pages()))
    if before:
        statement = statement.where(WikiFile.version_id < before)
    rows = list(db.session.scalars(statement))
    older = rows[limit - 1].version_id if len(rows) > limit else None
    return Gallery(rows[:limit], older, uploader)


def _used_by_shown_pages():
    """Return a correlated query: a page readers see links to or embeds the file."""
    linking = aliased(Page)
    return (
        select(Link.id)
        .join(linking, linking.id == Link.page_id)
        .where(Link.target_key == Page.key, linking.deleted.is_(False))
        .correlate(Page)
    )
