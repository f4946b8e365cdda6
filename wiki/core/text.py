"""Page and comment texts as stored: cleaned of what no database holds, hashed, measured."""

import hashlib
import re

# Control characters other than tab, LF and CR, and lone surrogates, which UTF-8 can't hold.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Return text with line ends as LF and control characters removed."""
    return _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def text_sha1(text: str) -> str:
    """Return the SHA-1 of the text's UTF-8 bytes, in hex."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def box_digest(text: str) -> str:
    """Return a short digest of text as a browser script computes it over a text box's
    value (FNV-1a, 32 bits, over its UTF-16 code units; static/js/editor.js): enough to tell
    whether the box holds this text, without sending the text twice."""
    digest = 0x811C9DC5
    units = text.replace("\r\n", "\n").encode("utf-16-le")
    for at in range(0, len(units), 2):
        digest = ((digest ^ (units[at] | units[at + 1] << 8)) * 0x01000193) & 0xFFFFFFFF
    return f"{digest:08x}"


def byte_size(text: str) -> int:
    """Return the size of the text in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def unquoted(subject: str) -> str:
    """Return a subject without the curly quotes around it (a thread about a passage is
    titled with its words in quotes), for a sentence that quotes it itself."""
    if len(subject) >= 2 and subject[0] == "“" and subject[-1] == "”":
        return subject[1:-1]
    return subject
