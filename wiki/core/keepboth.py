"""Keep both versions of conflicting passages, each as a whole sentence or line.

A conflict passage is often a fragment ("Friday" against "Tuesday" inside "The launch is on
Monday."). Gluing the two fragments together reads as nonsense ("FridayTuesday"), and putting
them side by side leaves the shared words after the passage with only one of the versions. So
each passage kept twice is widened, through the text both versions share, to the sentence
around it (or the whole lines, for passages spanning lines, headings, list items and other
lines that are not prose), and the two complete versions are written one after the other: a
space apart within a line, on their own lines otherwise (rows of a list, table or quote with
no blank line between). Whole sentences or lines both versions start or end with (both
people added the same line, then one each) are written once, not in each version. No
character of either version is ever dropped: the result holds each version's text, in order.
"""

import re
from collections.abc import Iterator, Sequence

_STOPS = frozenset(".!?…")  # followed by a space, they end a sentence
_CJK_STOPS = frozenset("。！？")  # they end a sentence with no space after them
_CLOSERS = frozenset("\"')]}*_`»”’」』）")  # may follow a stop before the space
# A line starting like this is a Markdown block (heading, list item, quote, table row, code),
# so the two versions must stay on lines of their own.
_BLOCK = re.compile(r"(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||```|~~~)")
# Lines that are rows of one block (list items, quote lines, table rows).
_ROWS = re.compile(r"(?:[-*+]\s|\d+[.)]\s|>|\|)")

# Shared text, or (merged, mine's, theirs') for a passage the sides have differently: merged
# text is None where both versions are to be kept, else it is what to show outside a unit kept
# twice (inside one, each version shows its own side's text).
Piece = str | tuple[str | None, str, str]
_Pos = tuple[int, int]  # piece index, offset in it (always 0 for a tuple)


def keep_both(pieces: Sequence[Piece]) -> str:
    """Return the pieces joined, each passage to keep both of as two whole versions."""
    pieces = _shared_ends_apart(_joined(pieces))
    texts = _Texts(pieces)
    out, pos = [], (0, 0)
    for start, end, lines in texts.units():
        out.append(texts.merged(pos, start))
        out.append(_both(*texts.slice(start, end), lines))
        pos = end
    out.append(texts.merged(pos, (len(pieces), 0)))
    return "".join(out)


def _joined(pieces: Sequence[Piece]) -> list[Piece]:
    """Return the pieces with neighbouring shared texts joined and empty ones left out."""
    out: list[Piece] = []
    for p in pieces:
        if not isinstance(p, str) and p[0] == p[1] == p[2]:
            p = p[1]
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        elif p:
            out.append(p)
    return out


def _shared_ends_apart(pieces: list[Piece]) -> list[Piece]:
    """Return the pieces, the whole sentences or lines a passage kept twice starts or ends
    with in both versions made shared text of their own.

    Both people added "Prices\n" and then a line each: without this, the line both wrote
    would be written twice, once in each version. Only whole units are taken apart (cut
    where a sentence or line starts in both versions), so each version still reads whole.
    """
    texts = _Texts(pieces)
    out: list[Piece] = []
    for k, p in enumerate(pieces):
        if isinstance(p, str) or p[0] is not None:
            out.append(p)
            continue
        mine, theirs = p[1], p[2]
        m, t = texts.starts[k]
        fits = len(_common_prefix(mine, theirs))
        head = next((i for i in range(fits, 0, -1) if texts.cut_at(m + i, t + i)), 0)
        rest_mine, rest_theirs = mine[head:], theirs[head:]
        fits = len(_common_prefix(rest_mine[::-1], rest_theirs[::-1]))
        m_end, t_end = m + len(mine), t + len(theirs)
        tail = next((i for i in range(fits, 0, -1) if texts.cut_at(m_end - i, t_end - i)), 0)
        middle = (rest_mine[: len(rest_mine) - tail], rest_theirs[: len(rest_theirs) - tail])
        if any(side and side.isspace() for side in middle):
            out.append(p)  # a version of blank lines alone would merge into the other's
            continue
        out += [mine[:head], (None, *middle), mine[len(mine) - tail :]]
    return _joined(out)


def _common_prefix(a: str, b: str) -> str:
    """Return the text a and b both start with."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return a[:i]


def _both(mine: str, theirs: str, lines: bool) -> str:
    """Return mine's and theirs' version of a unit, one after the other."""
    if mine == theirs:
        return mine
    tail = len(mine) - len(mine.rstrip())
    tail = min(tail, len(theirs) - len(theirs.rstrip()))
    while tail and mine[len(mine) - tail :] != theirs[len(theirs) - tail :]:
        tail -= 1
    trail = mine[len(mine) - tail :]  # whitespace both versions end with
    a, b = mine[: len(mine) - tail], theirs[: len(theirs) - tail]
    if not a or not b or a[-1] == "\n" or b[0] == "\n":
        sep = ""
    elif lines and _ROWS.match(a[a.rfind("\n") + 1 :]) and _ROWS.match(b):
        sep = "\n"  # a blank line would split the list, table or quote in two
    elif lines:
        sep = trail if "\n" in trail else "\n"
    else:
        sep = "" if a[-1].isspace() or a[-1] in _CJK_STOPS or b[0].isspace() else " "
    return a + sep + b + trail


def _boundary(text: str, i: int, lines: bool) -> bool:
    """Return whether a sentence (or, with lines, a line) may start at text[i]."""
    if i == 0 or i == len(text):
        return True
    if text[i].isspace():
        return False  # units end after the whole run of spaces
    if not text[i - 1].isspace():
        return not lines and text[i - 1] in _CJK_STOPS
    r = i - 1
    while r and text[r - 1].isspace():
        r -= 1
    if "\n" in text[r:i]:
        return True
    if lines:
        return False
    while r and text[r - 1] in _CLOSERS:
        r -= 1
    return bool(r) and text[r - 1] in _STOPS


class _Texts:
    """Mine's and theirs' whole text, and where each piece starts in them."""

    def __init__(self, pieces: Sequence[Piece]) -> None:
        self.pieces = pieces
        self.mine = "".join(p if isinstance(p, str) else p[1] for p in pieces)
        self.theirs = "".join(p if isinstance(p, str) else p[2] for p in pieces)
        self.starts: list[tuple[int, int]] = [(0, 0)]
        for p in pieces:
            m, t = (len(p), len(p)) if isinstance(p, str) else (len(p[1]), len(p[2]))
            self.starts.append((self.starts[-1][0] + m, self.starts[-1][1] + t))

    def merged(self, start: _Pos, end: _Pos) -> str:
        """Return the merged text between two positions outside units."""
        out = []
        for k in range(start[0], min(end[0] + 1, len(self.pieces))):
            p = self.pieces[k]
            text = p if isinstance(p, str) else p[0] or ""
            out.append(text[start[1] if k == start[0] else 0 : end[1] if k == end[0] else None])
        return "".join(out)

    def index(self, pos: _Pos) -> tuple[int, int]:
        """Return where a position is in mine's and in theirs' text."""
        m, t = self.starts[pos[0]]
        return m + pos[1], t + pos[1]

    def slice(self, start: _Pos, end: _Pos) -> tuple[str, str]:
        """Return mine's and theirs' text between two positions."""
        (m0, t0), (m1, t1) = self.index(start), self.index(end)
        return self.mine[m0:m1], self.theirs[t0:t1]

    def cut_at(self, m: int, t: int) -> bool:
        """Return whether a sentence (or line) starts at m in mine's and t in theirs' text."""
        return _boundary(self.mine, m, False) and _boundary(self.theirs, t, False)

    def is_boundary(self, pos: _Pos, lines: bool) -> bool:
        """Return whether a unit may start at a position, in both versions."""
        m, t = self.index(pos)
        return _boundary(self.mine, m, lines) and _boundary(self.theirs, t, lines)

    def before(self, pos: _Pos) -> Iterator[_Pos]:
        """Yield the positions from pos back to the start, where a unit could start."""
        k, j = pos
        while True:
            yield from ((k, i) for i in range(j, -1, -1))
            if k == 0:
                return
            k -= 1
            p = self.pieces[k]
            j = len(p) - 1 if isinstance(p, str) else 0

    def after(self, pos: _Pos) -> Iterator[_Pos]:
        """Yield the positions from pos on to the end, where a unit could end."""
        first, j = pos
        for k in range(first, len(self.pieces)):
            p = self.pieces[k]
            yield from ((k, i) for i in range(j, len(p) if isinstance(p, str) else 1))
            j = 0
        yield len(self.pieces), 0

    def widen(self, start: _Pos, end: _Pos, lines: bool) -> tuple[_Pos, _Pos]:
        """Return the nearest unit boundaries around start and end."""
        left = next(p for p in self.before(start) if self.is_boundary(p, lines))
        right = next(p for p in self.after(end) if self.is_boundary(p, lines))
        return left, right

    def needs_lines(self, start: _Pos, end: _Pos) -> bool:
        """Return whether a sentence unit must be kept as whole lines."""
        mine, theirs = (s.strip() for s in self.slice(start, end))
        if "\n" in mine or "\n" in theirs:
            return True
        # Whole lines: from a line's start to its end (the spaces and line break after it
        # are shared text: _shared_ends_apart).
        line_start, line_end = self.widen(start, end, True)
        whole = line_start == start and not "".join(self.slice(end, line_end)).strip()
        texts = self.slice(start, end)
        prose = all(s and (s[-1] in _STOPS or s[-1] in _CJK_STOPS) for s in (mine, theirs))
        return whole and (any(_BLOCK.match(s) for s in texts) or not prose)

    def units(self) -> list[tuple[_Pos, _Pos, bool]]:
        """Return the units holding the passages kept twice, in order: start, end, lines or not."""
        units: set[tuple[_Pos, _Pos, bool]] = set()
        for k, p in enumerate(self.pieces):
            if isinstance(p, str) or p[0] is not None:
                continue
            start, end = self.widen((k, 0), (k + 1, 0), False)
            lines = self.needs_lines(start, end)
            units.add((*self.widen(start, end, True), True) if lines else (start, end, False))
        # Line units hold any sentence unit they overlap: their ends are sentence ends too.
        ordered = sorted(units, key=lambda u: (u[0], -u[1][0], -u[1][1], not u[2]))
        kept: list[tuple[_Pos, _Pos, bool]] = []
        for unit in ordered:
            if not kept or unit[0] >= kept[-1][1]:
                kept.append(unit)
        return kept
