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


def byte_size(text: str) -> int:
    """Return the size of the text in UTF-8 bytes."""
    return len(text.encode("utf-8"))


def unquoted(subject: str) -> str:
    """Return a subject without the curly quotes around it (a thread about a passage is
    titled with its words in quotes), for a sentence that quotes it itself."""
    if len(subject) >= 2 and subject[0] == "“" and subject[-1] == "”":
        return subject[1:-1]
    return subject
