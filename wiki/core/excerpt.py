"""Turn the start of a Markdown text into a short plain-text excerpt, as a reader sees it.

For notifications, recent changes, watchlists and contributions: "I think **12,000 €**"
reads "I think 12,000 €", links and wikilinks read as their text, code as its text. It runs
in the web process, so it never calls Markdown (which can take seconds on small inputs): it
reads only the start of the text, line by line, with regular expressions that run in linear
time, and stops as soon as it has enough.
"""

import html
import re
from bisect import bisect_left, bisect_right

from wiki.core.tokens import tokenize

LIMIT = 200
ELLIPSIS = "…"
# Markup around the visible text rarely runs longer than this many times the text.
_SOURCE_PER_CHAR = 20

_FENCE = re.compile(r"\s{0,3}(`{3,}|~{3,})")
_SKIPPED_LINE = re.compile(
    r"\s{0,3}(?:"
    r"([-*_])(?:\s*\1){2,}"  # a horizontal rule
    r"|=+|-+"  # a heading's underline
    r"|\[\^[^\]\n]*\]:.*"  # a footnote
    r"|\[[^\]\n]+\]:\s*\S+.*"  # a link reference
    r"|\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?"  # a table's rule
    r")\s*"
)
_BLOCK_MARKS = re.compile(
    r"\s*(?:>\s?)*\s*(?:#{1,6}(?=\s|$)|(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?)?"
)
_HEADING_END = re.compile(r"\s+#+\s*$")
_BACKTICKS = re.compile(r"`+")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_PLACEHOLDER = 0xF0000  # escaped punctuation is hidden as private-use characters meanwhile
_WIKILINK = re.compile(r"\[\[([^\[\]|\n]*)(?:\|([^\[\]\n]*))?\]\]")
_CATEGORY = re.compile(r"\s*(?:category|categoria)\s*:", re.IGNORECASE)
_URL = r"\((?:[^()\n]|\([^()\n]*\))*\)"
_LINK = re.compile(rf"!?\[([^\[\]\n]*)\](?:{_URL}|\[[^\[\]\n]*\])")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]\n]*\]")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+|[^\s<>@]+@[^\s<>@]+)>")
_EMPHASIS = re.compile(
    r"(?<!\w)_+(?=\S)|(?<=\S)_+(?!\w)|\*+(?=\S)|(?<=\S)\*+|~~(?=[^\s~])|(?<=[^\s~])~~"
)
_SPACES = re.compile(r"\s+")
_TRAILING = ",;:–—-([{ "


def excerpt(markdown: str, limit: int = LIMIT) -> str:
    """Return the text's start as plain text: at most limit characters, cut at a word with "…"."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text, complete = _plain(markdown, enough=limit + 1)
    if len(text) <= limit and complete:
        return text
    kept, size = [], 0
    for token in tokenize(text):
        if size + len(token) > limit - len(ELLIPSIS):
            break
        kept.append(token)
        size += len(token)
    cut = "".join(kept).rstrip(_TRAILING) or text[: limit - len(ELLIPSIS)]
    return cut + ELLIPSIS


def plain_text(markdown: str, enough: int = 10**9) -> str:
    """Return the visible text of Markdown, spaces collapsed; stop once past enough characters."""
    return _plain(markdown, enough)[0]


def _plain(markdown: str, enough: int) -> tuple[str, bool]:
    """Return the visible text, and whether it is all of it (not stopped at enough)."""
    limit = enough * _SOURCE_PER_CHAR
    source = markdown[:limit].replace("\r\n", "\n").replace("\r", "\n")
    parts: list[str] = []
    size, fence = 0, ""
    for line in source.split("\n"):
        if fence:  # inside a code block, lines are text as they stand
            closing = _FENCE.match(line)
            fence = "" if closing and closing.group(1)[0] == fence[0] else fence
            text = "" if not fence else line
        elif opening := _FENCE.match(line):
            fence, text = opening.group(1), ""
        else:
            text = _line_text(line)
        if text := _SPACES.sub(" ", text).strip():
            parts.append(text)
            size += len(text) + 1
            if size > enough:
                return " ".join(parts), False
    return " ".join(parts), len(markdown) <= limit


def _line_text(line: str) -> str:
    """Return the visible text of one line outside code blocks."""
    if _SKIPPED_LINE.fullmatch(line):
        return ""
    line = line[_BLOCK_MARKS.match(line).end() :]
    line = _HEADING_END.sub("", line)
    if line.lstrip().startswith("|"):
        line = line.replace("|", " ")
    out = []
    for is_code, part in _code_spans(line):
        out.append(part if is_code else _inline_text(part))
    return "".join(out)


def _code_spans(line: str) -> list[tuple[bool, str]]:
    """Split a line into text and code spans (a run of backticks to the next as long)."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(line)]
    starts = [start for start, _ in runs]
    by_length: dict[int, list[int]] = {}
    for start, end in runs:
        by_length.setdefault(end - start, []).append(start)
    parts: list[tuple[bool, str]] = []
    pos = k = 0
    while k < len(runs):
        start, end = runs[k]
        same = by_length[end - start]
        closer = bisect_right(same, start)
        if closer == len(same):  # no run as long follows: these backticks are text
            k += 1
            continue
        close = same[closer]
        parts += [(False, line[pos:start]), (True, line[end:close])]
        pos = close + end - start
        k = bisect_left(starts, pos)
    return parts + [(False, line[pos:])]


def _inline_text(text: str) -> str:
    """Return text without inline markup: links as their text, no emphasis marks."""
    text = _ESCAPE.sub(lambda m: chr(_PLACEHOLDER + ord(m.group(1))), text)
    text = _WIKILINK.sub(_wikilink_text, text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _EMPHASIS.sub("", text)
    text = html.unescape(text)
    return "".join(
        chr(ord(c) - _PLACEHOLDER) if _PLACEHOLDER <= ord(c) < _PLACEHOLDER + 128 else c
        for c in text
    )


def _wikilink_text(match: re.Match[str]) -> str:
    """Return what a wikilink shows: its label, else its target; a category shows nothing."""
    target, label = match.group(1), match.group(2)
    if _CATEGORY.match(target):
        return ""
    return label.strip() if label and label.strip() else target.strip().removeprefix(":")
