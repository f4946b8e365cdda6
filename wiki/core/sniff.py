"""What a file is, judged by its bytes and never by its name, and whether it hides another.

A wiki serves what people upload from its own origin, so a "PNG" that is really a web page,
or an image that is also a ZIP archive, must be refused before it is stored.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from .titles import N_

#: How many bytes of a file's start sniffing and the markup check look at.
HEAD_SIZE = 1024
#: How many bytes of a file's end the polyglot check looks at (a ZIP's directory is there).
TAIL_SIZE = 65_557


@dataclass(frozen=True)
class FileType:
    """A kind of file the wiki knows: its media type, names, and how it is shown."""

    media_type: str
    #: Extensions a file of this type may have; the first is the one the wiki suggests.
    extensions: tuple[str, ...]
    #: What people call it ("PNG image"), shown in lists (translated where shown).
    label: str
    #: Pillow reads it: the wiki checks its pixels and makes thumbnails.
    image: bool = False
    #: Browsers may show it in place; every other type is served as a download.
    inline: bool = False


_OOXML = "application/vnd.openxmlformats-officedocument."
TYPES: dict[str, FileType] = {
    t.media_type: t
    for t in (
        FileType("image/png", (".png",), N_("PNG image"), image=True, inline=True),
        FileType(
            "image/jpeg", (".jpg", ".jpeg", ".jpe"), N_("JPEG image"), image=True, inline=True
        ),
        FileType("image/gif", (".gif",), N_("GIF image"), image=True, inline=True),
        FileType("image/webp", (".webp",), N_("WebP image"), image=True, inline=True),
        FileType("image/avif", (".avif",), N_("AVIF image"), image=True, inline=True),
        FileType("application/pdf", (".pdf",), N_("PDF document"), inline=True),
        FileType("video/mp4", (".mp4", ".m4v"), N_("MP4 video")),
        FileType("video/webm", (".webm",), N_("WebM video")),
        FileType("audio/mpeg", (".mp3",), N_("MP3 audio")),
        FileType("application/zip", (".zip",), N_("ZIP archive")),
        FileType(_OOXML + "wordprocessingml.document", (".docx",), N_("Word document")),
        FileType(_OOXML + "spreadsheetml.sheet", (".xlsx",), N_("Excel spreadsheet")),
        FileType(_OOXML + "presentationml.presentation", (".pptx",), N_("PowerPoint deck")),
    )
}
#: What a fresh wiki accepts: images and PDF. Admins allow more with FILE_TYPES.
DEFAULT_ACCEPTED = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/avif")
DEFAULT_ACCEPTED += ("application/pdf",)

#: Kinds of content that are never accepted, by what sniff() calls them.
HTML = "text/html"
SVG = "image/svg+xml"
HEIC = "image/heic"

# Tags a browser that guesses types would take for a web page (MediaWiki's list and more).
_MARKUP = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<a href",
    b"<img",
    b"<pre",
    b"<table",
    b"<title",
    b"<meta",
    b"<object",
    b"<embed",
    b"<style",
    b"<form",
    b"<frameset",
    b"<base",
)
_ZIP_DIRECTORY_END = b"PK\x05\x06"
_ZIP_ENTRY = b"PK\x03\x04"
_MP4_BRANDS = {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"MSNV"}
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}


def has_markup(head: bytes) -> bool:
    """Return whether the start of a file holds HTML or SVG tags (in any case, or UTF-16)."""
    folded = head[:HEAD_SIZE].replace(b"\x00", b"").lower()
    return any(tag in folded for tag in _MARKUP)


def _iso_brands(head: bytes) -> set[bytes]:
    """Return the major and compatible brands of an ISO media file ("ftyp" box), if it is one."""
    if head[4:8] != b"ftyp" or len(head) < 12:
        return set()
    size = int.from_bytes(head[:4], "big")
    end = min(max(size, 16), len(head))
    return {head[8:12]} | {head[i : i + 4] for i in range(16, end - 3, 4)}


def sniff(head: bytes) -> str | None:
    """Return the media type the start of a file shows, or None if it is none the wiki knows.

    HTML, SVG and HEIC come back as such, so that the refusal can say what the file is.
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    brands = _iso_brands(head)
    if brands & {b"avif", b"avis"}:
        return "image/avif"
    if brands & _HEIC_BRANDS:
        return HEIC
    if brands & _MP4_BRANDS:
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return "video/webm"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(_ZIP_ENTRY):
        return "application/zip"
    folded = head[:HEAD_SIZE].replace(b"\x00", b"").lstrip(b"\xef\xbb\xbf\xfe\xff \t\r\n").lower()
    if b"<svg" in folded:
        return SVG
    if has_markup(head) or folded.startswith((b"<!doctype", b"<?xml", b"<!--")):
        return HTML
    return None


def office_type(names: Iterable[str]) -> str:
    """Return the type of a ZIP archive from its entry names: Word, Excel, PowerPoint or ZIP."""
    names = set(names)
    if "[Content_Types].xml" in names:
        for folder, kind in (
            ("word/", "wordprocessingml.document"),
            ("xl/", "spreadsheetml.sheet"),
            ("ppt/", "presentationml.presentation"),
        ):
            if any(name.startswith(folder) for name in names):
                return _OOXML + kind
    return "application/zip"


def hidden_archive(tail: bytes) -> bool:
    """Return whether the end of a file holds a ZIP directory: it is also an archive."""
    return _ZIP_DIRECTORY_END in tail[-TAIL_SIZE:]


def suspicious_trailer(trailer: bytes) -> bool:
    """Return whether bytes after an image's end are another file (a page, archive or PDF)."""
    return has_markup(trailer) or _ZIP_ENTRY in trailer or b"%PDF-" in trailer


def image_end(data: bytes, media_type: str) -> int | None:
    """Return where a PNG or GIF ends (after IEND or the trailer), or None if unknown.

    Used on a file's last bytes: anything after the end is not part of the image.
    """
    if media_type == "image/png":
        marker = data.rfind(b"IEND\xaeB`\x82")
        return marker + 8 if marker >= 0 else None
    if media_type == "image/gif":
        end = len(data.rstrip(b"\x00"))
        return end if data[:end].endswith(b";") else None
    return None
