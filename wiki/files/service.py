"""Uploading files and their new versions, and reverting to an old version.

An upload is received and judged outside any transaction (it may take a while), stored
by content hash, then recorded in one write transaction with a revision of the file's
description page ("File:<name>"), so it shows in history, recent changes, watchlists
and notifications like an edit; the moderation log records it as an upload.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from .. import modlog
from ..access.permissions import Refusal, edit_refusal, logged_in, raise_refusal
from ..core.filenames import (
    MAX_NAME_LENGTH,
    FileName,
    FileNameError,
    name_params,
    numbered,
    parse_file_name,
)
from ..core.sniff import TYPES
from ..core.text import clean_text
from ..core.titles import N_, Title
from ..database import write_transaction
from ..extensions import db
from ..models import Page, Revision, RevisionKind, User, utcnow
from ..pages import service as pages
from ..problems import BadRequest, Conflict, NotAllowed, NotFound, TooFast, UserError
from ..summaries import SystemSummary
from . import intake, storage
from .models import FileBlob, FileVersion, WikiFile
from .reading import FileInfo, find_file

LOG_IN = N_("Please log in to upload files.")
NAME_TAKEN = N_(
    "A file named “%(name)s” already exists. Choose another name, or upload a new version "
    "from the file's page."
)
SAME_AS_CURRENT = N_("This is the same file as the current version: nothing to upload.")
DELETED = N_("The file “%(name)s” was deleted. A moderator can undelete it.")
DAILY_LIMIT = N_(
    "You have uploaded %(used)s MB in the last 24 hours; the limit is %(limit)s MB a day. "
    "Try again later."
)
SITE_FULL = N_(
    "The wiki's space for files is full (%(limit)s MB). Ask an administrator to make room."
)
#: How many numbered names ("Logo-2.png" …) an upload asking for a free name tries.
MAX_NUMBER = 50


class StorageFull(UserError):
    """The site has no room left for files."""

    status = 507


@dataclass
class Upload:
    """What someone sent to upload: the stream and the form's fields."""

    stream: BinaryIO
    #: The name the file had on their computer.
    filename: str = ""
    #: The name they chose for it ("" = the filename).
    name: str = ""
    description: str = ""
    licence: str = ""
    comment: str = ""
    #: Upload a new version of an existing file of that name.
    replace: bool = False
    #: Pick a free name if the name is taken (dropped and pasted images).
    unique: bool = False
    #: Keep location data (EXIF GPS) and everything else exactly as uploaded.
    keep_original: bool = False


@dataclass
class UploadResult:
    """What an upload did."""

    name: FileName
    version: FileVersion
    #: The file is new (not a new version of an existing one).
    created: bool = False
    #: The same bytes were already there under this name: nothing was uploaded.
    reused: bool = False


def upload_refusal(user: User | None) -> Refusal | None:
    """Return why this person may not upload files (no account, block, role), or None."""
    if not logged_in(user):
        return Refusal(LOG_IN, needs_login=True)
    return edit_refusal(user, None)


def upload(user: User | None, sent: Upload) -> UploadResult:
    """Receive, judge, store and record an upload; raise a UserError saying what is wrong."""
    raise_refusal(upload_refusal(user))
    name = _parse_name(sent.name or sent.filename)
    config = current_app.config
    store = storage.store()
    path, sha256, size = intake.receive(sent.stream, store.scratch, config["FILE_MAX_BYTES"])
    paths = [path]
    try:
        received = intake.examine(
            path,
            sha256,
            size,
            accepted=intake.accepted_types(config["FILE_TYPES"]),
            max_pixels=config["FILE_MAX_PIXELS"],
            keep_original=sent.keep_original,
        )
        paths.append(received.path)
        name = _with_extension(name, received.media_type)
        name, reuse = _destination(name, sent, received.sha256)
        if reuse is not None:
            return UploadResult(name, reuse.current, reused=True)
        _check_quota(user, received)
        store.put(storage.original_key(received.sha256), received.path, received.media_type)
        return _record(user, name, sent, received)
    finally:
        for leftover in paths:
            Path(leftover).unlink(missing_ok=True)


def _parse_name(raw: str) -> FileName:
    """Return the file name asked for, or raise BadRequest saying what is wrong with it."""
    try:
        return parse_file_name(raw)
    except FileNameError as error:
        raise BadRequest(str(error), field="name", **name_params()) from None


def _with_extension(name: FileName, media_type: str) -> FileName:
    """Add the type's extension to a name without one; refuse one that says another type."""
    kind = TYPES[media_type]
    if not name.extension:
        # A name as long as a name may be (the form's field stops there) has its end cut
        # to make room: a longer one would be stored under a name no page can open.
        extension = kind.extensions[0]
        stem = name.display[: MAX_NAME_LENGTH - len(extension)].rstrip(" .")
        return FileName(stem + extension)
    if name.extension not in kind.extensions:
        raise BadRequest(
            N_(
                "The file is a %(label)s, but its name ends in “%(extension)s”. Name it "
                "“%(suggestion)s” instead."
            ),
            field="name",
            label=kind.label,
            extension=name.extension,
            suggestion=name.stem + kind.extensions[0],
        )
    return name


def _destination(name: FileName, sent: Upload, sha256: str) -> tuple[FileName, FileInfo | None]:
    """Return the name to store under, or an existing file with the same bytes to reuse."""
    info = find_file(name, follow=False)
    if info is None and not (sent.unique and _page_exists(name)):
        _refuse_deleted(name)
        return name, None
    if sent.unique:
        return _free_name(name, sha256)
    if not sent.replace:
        raise Conflict(NAME_TAKEN, field="name", name=name.display)
    if info.current.sha256 == sha256:
        raise BadRequest(SAME_AS_CURRENT, field="file")
    return name, None


def _free_name(name: FileName, sha256: str) -> tuple[FileName, FileInfo | None]:
    """Return the first free numbered name, or a file of these names with the same bytes."""
    for number in range(1, MAX_NUMBER + 1):
        candidate = name if number == 1 else numbered(name, number)
        info = find_file(candidate, follow=False)
        if info is not None and info.current.sha256 == sha256:
            return candidate, info
        if info is None and not _page_exists(candidate):
            return candidate, None
    raise Conflict(NAME_TAKEN, field="name", name=name.display)


def _page_exists(name: FileName) -> bool:
    """Return whether a page (maybe deleted) has the file's title."""
    return db.session.scalar(select(Page.id).where(Page.key == name.key)) is not None


def _refuse_deleted(name: FileName) -> None:
    """Refuse uploading to a deleted file's name."""
    deleted = db.session.scalar(
        select(Page.id).where(Page.key == name.key, Page.deleted.is_(True))
    )
    if deleted is not None:
        raise NotAllowed(DELETED, name=name.display)


def _check_quota(user: User, received: intake.Received) -> None:
    """Refuse an upload over the person's daily allowance or the site's space."""
    config = current_app.config
    since = utcnow() - timedelta(days=1)
    used = db.session.scalar(
        select(func.coalesce(func.sum(FileBlob.size), 0))
        .select_from(FileVersion)
        .join(FileBlob, FileBlob.sha256 == FileVersion.sha256)
        .where(
            FileVersion.uploader_id == user.id,
            FileVersion.created_at > since,
            FileVersion.kind != "revert",
        )
    )
    daily = config["FILE_USER_DAILY_BYTES"]
    if daily and used + received.size > daily:
        raise TooFast(DAILY_LIMIT, retry_after=3600, used=used // 2**20, limit=daily // 2**20)
    site = config["FILE_SITE_BYTES"]
    if site and db.session.get(FileBlob, received.sha256) is None:
        total = db.session.scalar(select(func.coalesce(func.sum(FileBlob.size), 0)))
        if total + received.size > site:
            raise StorageFull(SITE_FULL, limit=site // 2**20)


def description_text(description: str, licence: str) -> str:
    """Return the text of a new file's description page (its heading in the uploader's
    language: it is the page's text from then on, as if they had typed it)."""
    parts = [clean_text(description).strip()]
    if licence.strip():
        heading = gettext("Licence")
        parts.append(f"## {heading}\n\n" + clean_text(licence).strip())
    return "\n\n".join(part for part in parts if part) + "\n"


def _record(user: User, name: FileName, sent: Upload, received: intake.Received) -> UploadResult:
    """Record the upload: the description page's revision, the version, the log entry."""
    comment = clean_text(sent.comment or (sent.description if sent.replace else "")).strip()
    comment = comment.replace("\n", " ")[:500]
    record = _Recorder(user, received, comment, sent.filename[:255], sent.replace)
    page = pages.get_page(Title(name.title, name.key))
    if page is None or page.latest is None:
        result = pages.save_page(
            Title(name.title, name.key),
            description_text(sent.description, sent.licence),
            author=user,
            summary=SystemSummary(
                "upload-comment" if comment else "upload", {"name": name.title, "comment": comment}
            ),
            base_revision_id=None,
            also=record,
            allow_blank=True,  # a file with no description: its page shows the file
        )
        page = result.page
    else:
        summary = SystemSummary(
            "reupload-comment" if comment else "reupload", {"name": name.title, "comment": comment}
        )
        add_version(user, page, summary, record)
    return UploadResult(name, record.version, created=record.kind == "upload")


def add_version(user: User, page: Page, summary, record: Callable[[Page, Revision], None]):
    """Append an "upload" revision (text unchanged) to a file's page and record the version."""
    with write_transaction() as session:
        locked = session.scalar(
            select(Page)
            .where(Page.id == page.id)
            .options(lazyload(Page.latest))
            .with_for_update(of=Page)
            .execution_options(populate_existing=True)
        )
        if locked.deleted:
            raise NotAllowed(DELETED, name=locked.title)
        raise_refusal(edit_refusal(user, locked))
        text = session.get(Revision, locked.latest_revision_id).text
        revision = pages.append_revision(
            locked, text, author=user, summary=summary, kind=RevisionKind.UPLOAD
        )
        record(locked, revision)


class _Recorder:
    """Records a version inside the transaction that adds the page's revision."""

    def __init__(
        self,
        user: User,
        received: intake.Received,
        comment: str,
        original: str,
        replace: bool,
        *,
        kind: str = "",
        sha256: str = "",
    ) -> None:
        self.user, self.received, self.comment = user, received, comment
        self.original, self.replace = original, replace
        self.kind, self.sha256 = kind, sha256 or received.sha256
        self.version: FileVersion | None = None

    def __call__(self, page: Page, revision: Revision) -> None:
        current = db.session.get(WikiFile, page.id)
        if current is not None and not (self.replace or self.kind == "revert"):
            raise Conflict(NAME_TAKEN, field="name", name=page.title.removeprefix("File:"))
        blob = self._blob()
        self.kind = self.kind or ("version" if current is not None else "upload")
        self.version = FileVersion(
            page_id=page.id,
            sha256=blob.sha256,
            uploader_id=self.user.id,
            comment=self.comment,
            kind=self.kind,
            original_name=self.original,
            revision_id=revision.id,
            location_removed=bool(self.received and self.received.location_removed),
        )
        db.session.add(self.version)
        db.session.flush()
        if current is None:
            current = WikiFile(page_id=page.id)
            db.session.add(current)
        current.version_id = self.version.id
        current.media_type = blob.media_type
        current.uploader_id = self.user.id
        # A revert's reason is the wiki's own words: kept as its revision's summary key too,
        # so the log shows it in each reader's language.
        words = (
            {"summary_key": revision.summary_key, "summary_args": revision.summary_args}
            if self.kind == "revert"
            else {}
        )
        modlog.record(
            "upload" if self.kind != "revert" else "revert_file",
            self.user,
            page=page,
            reason=self.comment,
            version=self.version.id,
            size=blob.size,
            kind=self.kind,
            **words,
        )

    def _blob(self) -> FileBlob:
        """Return the stored bytes' row, adding it for bytes new to the wiki."""
        blob = db.session.get(FileBlob, self.sha256)
        if blob is None:
            received = self.received
            blob = FileBlob(
                sha256=received.sha256,
                size=received.size,
                media_type=received.media_type,
                width=received.width,
                height=received.height,
            )
            db.session.add(blob)
        return blob


def revert(user: User | None, name: FileName, version_id: int | None, comment: str = ""):
    """Make an earlier version of a file its current one again (a new version, same bytes)."""
    raise_refusal(upload_refusal(user))
    info = find_file(name, follow=False)
    if info is None:
        raise NotFound(N_("There is no file named “%(name)s”."), name=name.display)
    old = db.session.get(FileVersion, version_id) if version_id else None
    if old is None or old.page_id != info.page.id:
        raise NotFound(N_("This file has no such version."))
    if old.sha256 == info.current.sha256:
        raise BadRequest(N_("This version is already the current one."))
    comment = clean_text(comment).replace("\n", " ").strip()
    # To the second: two versions uploaded within a minute are told apart.
    when = old.created_at.strftime("%Y-%m-%d %H:%M:%S")
    reason = f"Reverted to the version of {when} UTC" + (f": {comment}" if comment else "")
    record = _Recorder(
        user, None, reason[:500], old.original_name, True, kind="revert", sha256=old.sha256
    )
    key = "file-revert-comment" if comment else "file-revert"
    add_version(user, info.page, SystemSummary(key, {"when": when, "comment": comment}), record)
    return record.version
