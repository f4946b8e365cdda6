"""Anchors: passages of a page's Markdown source that comments are about, kept on their words.

An anchor holds both selectors of the W3C Web Annotation model: a TextPositionSelector
(start, end: character offsets in the source) and a TextQuoteSelector (the exact text with
some text before and after it). Through an edit the position is mapped with the project's
diff core (token regions in base coordinates, wiki.core.merge.token_changes); where offsets
no longer help (a restore, an import) the quote and its context find the passage again.
"""

import re
from dataclasses import dataclass

from wiki.core.merge import token_changes
from wiki.core.tokens import tokenize
from wiki.core.window import changed_lines, widen

#: Characters of context kept on each side of the quote.
CONTEXT = 32
_SPACE = re.compile(r"\s+")
# Markdown that shows as nothing in the rendered page: emphasis and code marks, heading and
# quote marks, link brackets, a link's target and a wikilink's target before its label.
_HIDDEN = re.compile(r"\]\([^)\n]*\)|\[\[[^\]|\n]*\||[*_`#>\[\]~]")


@dataclass(frozen=True)
class Quote:
    """A TextQuoteSelector: the passage itself and the text just before and after it."""

    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Anchor:
    """A passage of a text: its TextPositionSelector (start, end) and TextQuoteSelector."""

    start: int
    end: int
    quote: Quote


def anchor_at(text: str, start: int, end: int) -> Anchor:
    """Return the anchor of text[start:end], with its context."""
    quote = Quote(
        text[start:end], text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
    )
    return Anchor(start, end, quote)


def follow(
    anchor: Anchor, old: str, new: str, changed: tuple[int, int] | None = None
) -> Anchor | None:
    """Return the anchor moved through the edit of old into new; None if its words are gone.
    changed: changed_lines(old, new), when several anchors follow one edit."""
    span = map_span(old, new, anchor.start, anchor.end, changed)
    return None if span is None else anchor_at(new, *span)


def map_span(
    old: str, new: str, start: int, end: int, changed: tuple[int, int] | None = None
) -> tuple[int, int] | None:
    """Return where old[start:end] is in new: text inserted before moves it, edits inside it
    shrink or grow it; None when none of its words are left."""
    if old == new:
        return start, end
    head, tail = changed or changed_lines(old, new)
    shift = len(new) - len(old)
    if end <= head:
        return start, end
    if start >= len(old) - tail:
        return start + shift, end + shift
    # Only the lines around the change and the passage are compared.
    low, high = widen(old, start, end, head, len(old) - tail)
    span = _map_tokens(old[low:high], new[low : high + shift], start - low, end - low)
    return None if span is None else (span[0] + low, span[1] + low)


def _map_tokens(old: str, new: str, start: int, end: int) -> tuple[int, int] | None:
    """Return where old[start:end] is in new, token by token (see map_span)."""
    a, b = tokenize(old), tokenize(new)
    a_at, b_at = _offsets(a), _offsets(b)
    first = next((i for i in range(len(a)) if a_at[i + 1] > start), len(a))
    last = next((i for i in range(len(a)) if a_at[i + 1] >= end), len(a) - 1)
    first, last = _trim(a, first, last)
    if first > last:
        return None
    lo = hi = None
    survived = False
    x = y = 0
    for a0, a1, b0, b1 in [*token_changes(a, b), (len(a), len(a), len(b), len(b))]:
        for step in range(a0 - x):  # tokens kept as they were
            i = x + step
            if first <= i <= last and not a[i].isspace():
                lo = y + step if lo is None else lo
                hi, survived = y + step, True
        if a1 > a0 and b1 > b0 and a0 <= last and a1 > first:
            # Words replaced inside the passage: the new words belong to it.
            lo = b0 if lo is None else min(lo, b0)
            hi = b1 - 1 if hi is None else max(hi, b1 - 1)
        x, y = a1, b1
    if not survived:
        return None
    lo, hi = _trim(b, lo, hi)
    return b_at[lo], b_at[hi + 1]


def _offsets(tokens: list[str]) -> list[int]:
    """Return the offset where each token starts, and the text's length last."""
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets


def _trim(tokens: list[str], first: int, last: int) -> tuple[int, int]:
    """Return first and last moved inward past whitespace tokens."""
    while first <= last and tokens[first].isspace():
        first += 1
    while last >= first and tokens[last].isspace():
        last -= 1
    return first, last


def find(text: str, quote: Quote, near: int | None = None) -> tuple[int, int] | None:
    """Return where the quote is in text, by its exact words and their context; else, for a
    selection made in the rendered page, by its visible words ignoring Markdown marks and
    differences in spacing. None if it is not there."""
    exact = quote.exact
    if exact.strip():
        found = _best(text, exact, quote, near)
        if found is not None:
            return found[0]
    return _find_visible(text, quote)


def refind(text: str, quote: Quote) -> tuple[int, int] | None:
    """Return where the quote's exact words are back in text with some of their context
    around them (a restore brought a removed passage back); else None."""
    if not quote.exact.strip():
        return None
    found = _best(text, quote.exact, quote, None)
    if found is None:
        return None
    context = min(len(quote.prefix) + len(quote.suffix), CONTEXT)
    return found[0] if found[1][0] * 2 >= context else None


def _best(
    text: str, exact: str, quote: Quote, near: int | None
) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Return the occurrence of exact whose surroundings best match the quote's context,
    and its score (characters of context matched, nearness)."""
    best, best_score = None, None
    at = text.find(exact)
    while at != -1:
        before, after = text[max(0, at - CONTEXT) : at], text[at + len(exact) :][:CONTEXT]
        score = (
            _common_suffix(before, quote.prefix) + _common_prefix(after, quote.suffix),
            -abs(at - near) if near is not None else 0,
        )
        if best_score is None or score > best_score:
            best, best_score = (at, at + len(exact)), score
        at = text.find(exact, at + 1)
    return None if best is None else (best, best_score)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def visible(text: str) -> tuple[str, list[int]]:
    """Return the text as a reader sees it (Markdown marks dropped, spaces collapsed) and,
    for each of its characters, the offset in text it comes from."""
    out: list[str] = []
    where: list[int] = []
    at = 0
    for match in [*_HIDDEN.finditer(text), None]:
        stop = match.start() if match else len(text)
        for i in range(at, stop):
            char = text[i]
            if char.isspace():
                if out and out[-1] == " ":
                    continue
                char = " "
            out.append(char)
            where.append(i)
        at = match.end() if match else len(text)
    return "".join(out), where


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text)


def _find_visible(text: str, quote: Quote) -> tuple[int, int] | None:
    """Return where a quote of the rendered page is in the source text."""
    shown, where = visible(text)
    exact = _squash(quote.exact).strip()
    if not exact:
        return None
    context = Quote(exact, _squash(quote.prefix), _squash(quote.suffix))
    found = _best(shown, exact, context, None)
    if found is None:
        return None
    start, end = found[0]
    return where[start], where[end - 1] + 1
