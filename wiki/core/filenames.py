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


#: How cameras, phones and screenshot tools start the names they give files (IMG_2041,
#: PXL_20261204_101530123, DSC01234, "Screenshot from 2026-12-04 10-15-30", "WhatsApp
#: Image 2026-12-04 at 10.15.30"): names that say nothing of the picture.
_DEVICE_PREFIX = re.compile(
    r"(?:img|image|dsc[nf]?|pxl|mvimg|pano|vid|photo|foto|picture|screenshot|screen shot"
    r"|schermata|whatsapp image|gopr|dji|cimg|p)(?![a-z])",
    re.IGNORECASE,
)
#: A device's name holds a run of digits (a counter, a date); a person's seldom starts so.
_DIGITS = re.compile(r"\d{4}")
#: A hyphen between letters, as in file names ("spring-launch-banner"); not in "covid-19".
_WORD_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")
#: What the editor adds to a pasted picture's name: " 2026-12-04 10-15-30" (uploads.js).
_PASTE_STAMP = re.compile(r" \d{4}-\d{2}-\d{2} \d{2}-\d{2}-\d{2}$")


def suggested_alt(name: FileName) -> str:
    """Return the words a picture's alternative text may start from: the name a person gave
    it, as words ("spring-launch-banner" reads "spring launch banner"; numbers kept); empty
    for a name a camera, phone or screenshot tool made (IMG_2041.jpg says nothing of what
    it shows) or that holds no letter at all."""
    device = _DEVICE_PREFIX.match(name.stem)
    if device and (device.end() == len(name.stem) or _DIGITS.search(name.stem)):
        return ""
    stem = _PASTE_STAMP.sub("", name.stem)
    words = _SPACES.sub(" ", _WORD_HYPHEN.sub(" ", stem)).strip(" .,")
    return words if any(char.isalpha() for char in words) else ""
