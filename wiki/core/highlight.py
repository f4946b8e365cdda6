"""Highlight passages of a Markdown source in its rendered HTML.

The passages are marked in the source with private-use characters (which no one types and
the renderer keeps as text), the source is rendered as usual, and each run of text between
the marks becomes a <mark data-thread="…">: one per text node, so the HTML stays well nested
even when a passage spans paragraphs, emphasis or list items.
"""

import re

_OPEN, _CLOSE, _END = "\U000f8000", "\U000f8001", "\U000f8002"
_DIGIT = 0xF8010  # digits of the thread id, as private-use characters
_MARK = re.compile(f"([{_OPEN}{_CLOSE}])([\U000f8010-\U000f8019]+){_END}")
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
MARKS = frozenset(_OPEN + _CLOSE + _END + "".join(chr(_DIGIT + d) for d in range(10)))


def _code(kind: str, number: int) -> str:
    return kind + "".join(chr(_DIGIT + int(d)) for d in str(number)) + _END


def mark_source(text: str, spans: list[tuple[int, int, int]]) -> str:
    """Return text with each (start, end, id) passage between an opening and a closing mark."""
    inserts: list[tuple[int, int, str]] = []
    for start, end, number in spans:
        if 0 <= start < end <= len(text):
            inserts.append((start, 1, _code(_OPEN, number)))
            inserts.append((end, 0, _code(_CLOSE, number)))
    out, at = [], 0
    for offset, _order, code in sorted(inserts):
        out += [text[at:offset], code]
        at = offset
    out.append(text[at:])
    return "".join(out)


def strip_marks(text: str) -> str:
    """Return text without any marks."""
    return "".join(char for char in text if char not in MARKS) if _has_marks(text) else text


def _has_marks(text: str) -> bool:
    return any(char in MARKS for char in text)


def marks_to_html(html: str, label: str = "") -> str:
    """Return rendered HTML with the marks turned into <mark class="anchor" data-thread>."""
    if not _has_marks(html):
        return html
    out: list[str] = []
    active: list[int] = []
    at = 0
    for tag in [*_TAG.finditer(html), None]:
        stop = tag.start() if tag else len(html)
        out.append(_text(html[at:stop], active, label))
        if tag:
            out.append(strip_marks(tag.group()))
            at = tag.end()
    return "".join(out)


def _text(text: str, active: list[int], label: str) -> str:
    """Return a text node with its marked runs wrapped, updating which passages are open."""
    out, at = [], 0
    for match in [*_MARK.finditer(text), None]:
        stop = match.start() if match else len(text)
        out.append(_wrap(text[at:stop], active, label))
        if match:
            number = int("".join(str(ord(c) - _DIGIT) for c in match.group(2)))
            if match.group(1) == _OPEN:
                active.append(number)
            elif number in active:
                active.remove(number)
            at = match.end()
    return "".join(out)


def _wrap(piece: str, active: list[int], label: str) -> str:
    piece = strip_marks(piece)
    if not piece or not active or not piece.strip():
        return piece
    for number in reversed(active):
        title = f' title="{label}"' if label else ""
        piece = f'<mark class="anchor" data-thread="{number}"{title}>{piece}</mark>'
    return piece
