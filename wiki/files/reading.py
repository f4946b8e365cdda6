"""Reading files: find one by name, its versions, where it is used, the gallery, visibility."""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from ..access.permissions import is_moderator, logged_in
from ..core.filenames import FileName, strip_namespace
from ..core.sniff import TYPES, FileType
from ..extensions import db
from ..identity import find_user
from ..models import Link, Page, User
from ..pages.reading import sees_waiting
from ..review.models import PUBLISHED, WAITING, RevisionReview
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


def kind_of(media_type: str) -> str | None:
    """Return the gallery kind a media type is listed under (as KINDS filters it)."""
    major = media_type.partition("/")[0]
    if major in ("image", "video", "audio"):
        return major
    if media_type == "application/pdf":
        return "pdf"
    return "document" if major == "application" else None


def gallery_kinds(accepted: Iterable[str]) -> list[str]:
    """Return the kinds the gallery offers, in KINDS order: those that can be uploaded, and
    those the wiki holds files of (one query, read from an index, when some kind cannot)."""
    offered = {kind_of(media_type) for media_type in accepted}
    if not offered.issuperset(KINDS):
        held = db.session.scalars(select(WikiFile.media_type).distinct())
        offered |= {kind_of(media_type) for media_type in held}
    return [kind for kind in KINDS if kind in offered]


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


def _is_published(version=FileVersion, page=Page):
    """SQL: the version's upload is published, as the revision that recorded it: not after
    the page's published revision, and not waiting for review or rejected."""
    unsettled = select(RevisionReview.revision_id).where(
        RevisionReview.revision_id == version.revision_id, RevisionReview.state != PUBLISHED
    )
    return or_(
        version.revision_id.is_(None),
        and_(version.revision_id <= page.published_revision_id, ~exists(unsettled)),
    )


def _published_version_id(page=Page, uploader_id: int | None = None):
    """SQL: the id of the file's newest published version (correlated to page), or of one
    uploaded by uploader_id waiting for review if newer (an uploader sees their own upload
    waiting, not one a reviewer rejected)."""
    version = aliased(FileVersion)
    shown = _is_published(version, page)
    if uploader_id is not None:
        waiting = select(RevisionReview.revision_id).where(
            RevisionReview.revision_id == version.revision_id, RevisionReview.state == WAITING
        )
        shown = or_(shown, and_(version.uploader_id == uploader_id, exists(waiting)))
    return (
        select(func.max(version.id))
        .where(version.page_id == page.id, shown)
        .correlate(page)
        .scalar_subquery()
    )


def find_file(
    name: FileName, *, follow: bool = True, deleted: bool = False, public: bool = False
) -> FileInfo | None:
    """Return the file with this name (after one redirect, if follow), or None.

    A deleted file counts as missing unless deleted=True. public: the version readers who
    do not see changes waiting for review are shown (None if no upload is published yet).
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
    version = current.version
    if public:
        version_id = db.session.scalar(
            select(_published_version_id(Page)).where(Page.id == page.id)
        )
        version = db.session.get(FileVersion, version_id) if version_id else None
        if version is None:
            return None
    return FileInfo(name_of(page), page, version)


def versions(
    page: Page, limit: int = VERSIONS_LIMIT, *, public: bool = False
) -> list[FileVersion]:
    """Return a file's versions, newest first (public: only those published)."""
    statement = select(FileVersion).where(FileVersion.page_id == page.id)
    if public:
        statement = statement.join(Page, Page.id == FileVersion.page_id).where(_is_published())
    return list(db.session.scalars(statement.order_by(FileVersion.id.desc()).limit(limit)))


@dataclass
class UploadsWaiting:
    """A file page's uploads waiting for review, and the version readers see meanwhile."""

    published: FileVersion | None
    waiting: list[FileVersion]


def uploads_waiting(page: Page) -> UploadsWaiting | None:
    """Return the file's versions waiting for review (None if it is no file or none wait)."""
    waiting_ids = select(RevisionReview.revision_id).where(
        RevisionReview.page_id == page.id, RevisionReview.state == WAITING
    )
    waiting = list(
        db.session.scalars(
            select(FileVersion)
            .where(FileVersion.page_id == page.id, FileVersion.revision_id.in_(waiting_ids))
            .order_by(FileVersion.id)
        )
    )
    if not waiting:
        return None
    shown = db.session.scalar(select(_published_version_id(Page)).where(Page.id == page.id))
    return UploadsWaiting(db.session.get(FileVersion, shown) if shown else None, waiting)


def files_waiting_among(keys: Iterable[str]) -> list[Page]:
    """Return the file pages among these page keys whose own changes wait for review (a
    newcomer's page with their new picture: the reviewer publishes them with it, or readers
    would see a link to upload where the picture should be)."""
    keys = sorted({key for key in keys if key.startswith("file:")})
    if not keys:
        return []
    waiting = select(RevisionReview.page_id).where(RevisionReview.state == WAITING)
    return list(
        db.session.scalars(
            select(Page)
            .where(Page.key.in_(keys), Page.deleted.is_(False), Page.id.in_(waiting))
            .order_by(Page.title)
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


def embedded(
    keys: set[str], *, public: bool = False, uploader_id: int | None = None
) -> dict[str, Shown]:
    """Return the existing files among description page keys (one redirect followed);
    public: their published versions (files with none are missing), or the newer ones
    uploaded by uploader_id."""
    found = _current_of(keys, public, uploader_id)
    missing = keys - found.keys()
    if missing:
        redirects = dict(
            db.session.execute(
                select(Page.key, Page.redirect_key).where(
                    Page.key.in_(missing), Page.redirect_key.is_not(None), Page.deleted.is_(False)
                )
            ).all()
        )
        targets = _current_of(set(redirects.values()), public, uploader_id) if redirects else {}
        found |= {key: targets[target] for key, target in redirects.items() if target in targets}
    return found


def _current_of(
    keys: set[str], public: bool = False, uploader_id: int | None = None
) -> dict[str, Shown]:
    """Return the current (or published, or uploader_id's own newer) blob of each
    non-deleted file among these keys."""
    if not keys:
        return {}
    shown = _published_version_id(uploader_id=uploader_id) if public else WikiFile.version_id
    rows = db.session.execute(
        select(Page, FileBlob)
        .join(WikiFile, WikiFile.page_id == Page.id)
        .join(FileVersion, FileVersion.id == shown)
        .join(FileBlob, FileBlob.sha256 == FileVersion.sha256)
        .where(Page.key.in_(keys), Page.deleted.is_(False))
    ).all()
    return {page.key: Shown(name_of(page), blob) for page, blob in rows}


def visible_blob(sha256: str, viewer: User | None) -> FileBlob | None:
    """Return the stored bytes if some file the viewer may see has them as a version (one
    waiting for review only for those who see waiting changes, and its uploader)."""
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
    if not sees_waiting(viewer):
        published = _is_published()
        if logged_in(viewer):
            published = or_(published, FileVersion.uploader_id == viewer.id)
        shown = shown.where(published)
    return blob if db.session.scalar(select(exists(shown))) else None


@dataclass(frozen=True)
class GalleryFilters:
    """What the gallery shows."""

    uploader: str = ""
    kind: str = ""
    unused: bool = False


@dataclass(frozen=True)
class GalleryFile:
    """A file in the gallery: its description page and the version shown."""

    page: Page
    version: FileVersion


@dataclass
class Gallery:
    """One page of the gallery, newest first, and the key of the next page."""

    files: list[GalleryFile]
    older: int | None
    uploader: User | None = None


def gallery(
    filters: GalleryFilters, before: int | None, limit: int = GALLERY_SIZE, *, public: bool = False
) -> Gallery:
    """Return files newest first (by their current version), filtered, cut by key; public:
    each file's published version, files with none left out."""
    shown = _published_version_id() if public else WikiFile.version_id
    statement = (
        select(WikiFile, FileVersion)
        .join(Page, Page.id == WikiFile.page_id)
        .join(FileVersion, FileVersion.id == shown)
        .where(Page.deleted.is_(False))
        .order_by(WikiFile.version_id.desc())
        .limit(limit + 1)
    )
    uploader = find_user(filters.uploader) if filters.uploader else None
    if filters.uploader:
        column = FileVersion.uploader_id if public else WikiFile.uploader_id
        statement = statement.where(column == (uploader.id if uploader else -1))
    if filters.kind in KINDS:
        if public:
            statement = statement.join(FileBlob, FileBlob.sha256 == FileVersion.sha256)
        statement = statement.where(
            KINDS[filters.kind](FileBlob.media_type if public else WikiFile.media_type)
        )
    if filters.unused:
        statement = statement.where(~exists(_used_by_shown_pages()))
    if before:
        statement = statement.where(WikiFile.version_id < before)
    rows = db.session.execute(statement).all()
    older = rows[limit - 1][0].version_id if len(rows) > limit else None
    files = [GalleryFile(current.page, version) for current, version in rows[:limit]]
    return Gallery(files, older, uploader)


def _used_by_shown_pages():
    """Return a correlated query: a page readers see links to or embeds the file."""
    linking = aliased(Page)
    return (
        select(Link.id)
        .join(linking, linking.id == Link.page_id)
        .where(Link.target_key == Page.key, linking.deleted.is_(False))
        .correlate(Page)
    )


def has_versions(page_id: int) -> bool:
    """Return whether any version of the file was uploaded (published or not)."""
    found = select(FileVersion.id).where(FileVersion.page_id == page_id).limit(1)
    return db.session.scalar(found) is not None


def published_versions(version_ids: Iterable[int]) -> set[int]:
    """Return which of these file versions are published (readers who may not see waiting
    changes see only those, in the moderation log too)."""
    ids = sorted(set(version_ids))
    if not ids:
        return set()
    found = (
        select(FileVersion.id)
        .join(Page, Page.id == FileVersion.page_id)
        .where(FileVersion.id.in_(ids), _is_published())
    )
    return set(db.session.scalars(found))
