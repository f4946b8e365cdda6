"""File names: what an uploaded file may be called, and the wiki page that describes it.

A file named "Logo.png" is described by the ordinary page "File:Logo.png" (its text is the
description and licence), so history, talk, watching, protection and deletion are a page's.
"""

import re
import unicodedata
from dataclasses import dataclass

from wiki.core.titles import N_, TitleError, parse_title, title_key, title_to_url

#: The title prefix of every file's description page.
PREFIX = "File:"
#: Prefixes wiki text may use for a file ("Image:" is MediaWiki's old name for it).
NAMESPACES = ("file", "image")
# "File:" + name must fit in a page title (255 characters).
MAX_NAME_LENGTH = 240
FORBIDDEN = '#<>[]{}|:"*?'
_SPACES = re.compile(r"[\s_]+")
_NAMESPACE = re.compile(r"\s*(file|image|immagine)\s*:", re.IGNORECASE)


class FileNameError(ValueError):
    """A name no file can have; the message says why, for a person."""


@dataclass(frozen=True)
class FileName:
    """A valid file name: how it is shown ("Spring logo.png")."""

    display: str

    @property
    def title(self) -> str:
        """Return the title of the file's description page ("File:Spring logo.png")."""
        return PREFIX + self.display

    @property
    def key(self) -> str:
        """Return the key of the description page (what links and lookups use)."""
        return title_key(self.title)

    @property
    def url(self) -> str:
        """Return the name as it appears in a URL path ("Spring_logo.png")."""
        return title_to_url(self.display)

    @property
    def stem(self) -> str:
        """Return the name without its extension ("Spring logo")."""
        return self.display.rsplit(".", 1)[0] if "." in self.display[1:] else self.display

    @property
    def extension(self) -> str:
        """Return the extension, lower case with its dot (".png"), or "" if there is none."""
        stem = self.stem
        return self.display[len(stem) :].lower() if stem != self.display else ""


def strip_namespace(text: str) -> str | None:
    """Return what follows "File:" or "Image:" (any case), or None if text has no such prefix."""
    match = _NAMESPACE.match(text)
    return text[match.end() :] if match else None


def parse_file_name(text: str) -> FileName:
    """Check a file name as typed (with or without "File:") and return it, or raise."""
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise FileNameError(N_("A file name cannot contain control characters such as tabs."))
    if len(text) > 4 * MAX_NAME_LENGTH:
        raise FileNameError(N_("A file name can be at most %(limit)s characters long."))
    text = strip_namespace(text) or text
    if "/" in text or "\\" in text:
        raise FileNameError(
            N_("A file name cannot contain / or \\: give a plain name such as “Logo.png”.")
        )
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    display = unicodedata.normalize("NFC", _SPACES.sub(" ", text).strip())
    if not display:
        raise FileNameError(N_("The file needs a name, such as “Spring logo.png”."))
    if len(display) > MAX_NAME_LENGTH:
        raise FileNameError(N_("A file name can be at most %(limit)s characters long."))
    if any(ch in FORBIDDEN for ch in display):
        raise FileNameError(
            N_("A file name cannot contain any of these characters: %(characters)s")
        )
    if display.startswith("."):
        raise FileNameError(N_("A file name cannot start with a dot."))
    try:
        parse_title(PREFIX + display)
    except TitleError as error:
        raise FileNameError(str(error)) from None
    return FileName(display)


def name_params() -> dict:
    """Return the parameters the messages of FileNameError use."""
    return {"limit": MAX_NAME_LENGTH, "characters": " ".join(FORBIDDEN)}


def with_extension(name: FileName, extension: str) -> FileName:
    """Return the name with this extension added (for a name that has none)."""
    return FileName(name.display + extension)


def numbered(name: FileName, number: int) -> FileName:
    """Return the name with a number before its extension: "Logo.png", 2 → "Logo-2.png"."""
    suffix = f"-{number}"
    stem = name.stem[: MAX_NAME_LENGTH - len(suffix) - len(name.extension)]
    return FileName(stem + suffix + name.display[len(name.stem) :])


#: Names cameras, phones and screenshot tools give files: they say nothing of the picture.
_MADE_BY_A_DEVICE = re.compile(
    r"(img|image|dsc[nf]?|pxl|mvimg|pano|photo|foto|picture|screenshot|screen shot"
    r"|schermata|whatsapp image|gopr|dji|cimg|p)?\d*",
    re.IGNORECASE,
)
#: A date or time in a name (2026-12-04, 20261204, at 10.15.30, 05-10-11), a number alone.
_STAMP = re.compile(
    r"\b(?:(?:at|alle) )?(?:\d{4}[-_.]?\d{2}[-_.]?\d{2}|\d{1,2}[-_.:]\d{2}(?:[-_.:]\d{2})?|\d+)\b"
)


def suggested_alt(name: FileName) -> str:
    """Return words a picture's alternative text may start from: its name as words, without
    the dates, times and numbers a camera or screenshot tool puts in names; empty when
    nothing else is left (IMG_2041.jpg says nothing of what the picture shows)."""
    words = _SPACES.sub(" ", _STAMP.sub(" ", name.stem.replace("-", " "))).strip(" .,")
    if not words or _MADE_BY_A_DEVICE.fullmatch(words):
        return ""
    return words
