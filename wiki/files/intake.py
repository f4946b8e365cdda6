"""Receiving an upload: stream it to disk while hashing, then judge what it really is.

An upload is never held in memory: Werkzeug spools it to a temporary file, and it is
copied in 1 MB pieces to the store's scratch folder, hashed on the way. Its type comes
from its bytes; HTML, SVG, polyglots, bombs and damaged images are refused with a reason.
"""

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..core import sniff
from ..core.containers import LAYOUTS, DamagedFile, Layout
from ..core.titles import N_
from ..problems import BadRequest, CannotProcess, TooLarge, UserError
from . import images, metadata

CHUNK = 1024 * 1024


class UnsupportedType(UserError):
    """A kind of file the wiki does not accept."""

    status = 415


EMPTY = N_("The file is empty (0 bytes). Choose the file again.")
TOO_LARGE = N_("The file is too large: a file can be at most %(limit)s MB.")
HTML = N_(
    "This file is a web page (HTML), not an image or document, whatever its name says. "
    "Web pages cannot be uploaded."
)
SVG = N_(
    "SVG drawings can carry scripts, so this wiki does not accept them. "
    "Export the drawing as PNG and upload that."
)
HEIC = N_("HEIC photos are not supported here. Export the photo as JPEG and upload that.")
UNKNOWN = N_(
    "This kind of file is not accepted here. Accepted: %(accepted)s. The type is judged by "
    "the file's content, not its name."
)
NOT_ALLOWED_TYPE = N_("%(label)s files are not accepted on this wiki. Accepted: %(accepted)s.")
POLYGLOT_MARKUP = N_(
    "This file holds web page code (HTML) at its start, which browsers could run. "
    "Save the file again in an image editor and upload that."
)
POLYGLOT_ARCHIVE = N_(
    "This file is also another file hidden inside it (%(what)s). Save it again in an "
    "image editor or PDF program, and upload that."
)

LOCATION_KEPT = N_(
    "The location (GPS) data in this photo could not be removed. Remove it with a photo "
    "editor, or tick “Keep the location data” to upload the photo as it is."
)


@dataclass
class Received:
    """An upload on disk, judged: the bytes to store and what they are."""

    path: Path
    sha256: str
    size: int
    media_type: str
    width: int | None = None
    height: int | None = None
    #: Location data was found and removed.
    location_removed: bool = False


def accepted_types(extra: str) -> tuple[str, ...]:
    """Return the media types accepted: images and PDF, and those FILE_TYPES adds."""
    accepted = list(sniff.DEFAULT_ACCEPTED)
    for token in extra.replace(",", " ").split():
        token = token.strip().lower()
        for kind in sniff.TYPES.values():
            if token == kind.media_type or "." + token.lstrip(".") in kind.extensions:
                accepted.append(kind.media_type)
    return tuple(dict.fromkeys(accepted))


def _labels(accepted: tuple[str, ...]) -> str:
    return ", ".join(sniff.TYPES[media].extensions[0].lstrip(".").upper() for media in accepted)


def receive(stream: BinaryIO, scratch: Path, max_bytes: int) -> tuple[Path, str, int]:
    """Copy an upload to a scratch file in pieces, hashing it; return path, SHA-256, size."""
    digest, size = hashlib.sha256(), 0
    fd, name = tempfile.mkstemp(dir=scratch, prefix="upload-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(TOO_LARGE, field="file", limit=max_bytes // 2**20)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size == 0:
        path.unlink(missing_ok=True)
        raise BadRequest(EMPTY, field="file")
    return path, digest.hexdigest(), size


def examine(
    path: Path,
    sha256: str,
    size: int,
    *,
    accepted: tuple[str, ...],
    max_pixels: int,
    keep_original: bool,
) -> Received:
    """Judge a received file; return what to store (maybe rewritten) or raise why not."""
    with path.open("rb") as handle:
        head = handle.read(sniff.HEAD_SIZE)
        handle.seek(max(0, size - sniff.TAIL_SIZE))
        tail = handle.read()
    media_type = _media_type(path, head, accepted)
    kind = sniff.TYPES[media_type]
    if sniff.has_markup(head):
        raise CannotProcess(POLYGLOT_MARKUP, field="file")
    if (kind.image or media_type == "application/pdf") and sniff.hidden_archive(tail):
        raise CannotProcess(POLYGLOT_ARCHIVE, field="file", what="ZIP")
    if not kind.image:
        return Received(path, sha256, size, media_type)
    facts = images.inspect(path, media_type, max_pixels)
    layout = _layout(path, media_type)
    received = Received(path, sha256, size, media_type, facts.width, facts.height)
    trailing = layout is not None and layout.end < size
    if keep_original or not (facts.has_location or trailing):
        return received
    return _rewritten(received, layout)


def _media_type(path: Path, head: bytes, accepted: tuple[str, ...]) -> str:
    """Return the accepted type the content shows, or raise saying what it is."""
    media_type = sniff.sniff(head)
    refusals = {sniff.HTML: HTML, sniff.SVG: SVG, sniff.HEIC: HEIC}
    if media_type in refusals:
        raise UnsupportedType(refusals[media_type], field="file")
    if media_type == "application/zip":
        media_type = _archive_type(path)
    if media_type is None:
        raise UnsupportedType(UNKNOWN, field="file", accepted=_labels(accepted))
    if media_type not in accepted:
        label = sniff.TYPES[media_type].label
        raise UnsupportedType(
            NOT_ALLOWED_TYPE, field="file", label=label, accepted=_labels(accepted)
        )
    return media_type


def _archive_type(path: Path) -> str | None:
    """Return the type of a ZIP archive (an Office document or a plain ZIP), or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sniff.office_type(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _layout(path: Path, media_type: str) -> Layout | None:
    """Return an image's layout, refusing a damaged one or one with another file after it."""
    walk = LAYOUTS.get(media_type)
    if walk is None:
        return None
    with metadata.mapped(path) as data:
        try:
            layout = walk(data)
        except DamagedFile:
            raise CannotProcess(images.DAMAGED, field="file") from None
        if sniff.suspicious_trailer(data[layout.end : layout.end + sniff.TAIL_SIZE]):
            raise CannotProcess(POLYGLOT_ARCHIVE, field="file", what=_what(data[layout.end :]))
    return layout


def _what(trailer: bytes) -> str:
    """Return what kind of file hides after an image's end, for the refusal."""
    if b"%PDF-" in trailer:
        return "PDF"
    return "ZIP" if b"PK\x03\x04" in trailer else "HTML"


def _rewritten(received: Received, layout: Layout | None) -> Received:
    """Return the upload rewritten without location data and trailing bytes."""
    target = received.path.with_name(received.path.name + "-clean")
    try:
        removed = metadata.rewrite(received.path, target, received.media_type, layout)
        digest, size = _hash(target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    received.path.unlink(missing_ok=True)
    received.path, received.sha256, received.size = target, digest, size
    received.location_removed = removed
    # The rewritten file must still be the same whole image, now without a location.
    if images.inspect(target, received.media_type, 2**62).has_location:
        raise CannotProcess(LOCATION_KEPT, field="file")
    return received


def _hash(path: Path) -> tuple[str, int]:
    """Return a file's SHA-256 and size, reading it in pieces."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
