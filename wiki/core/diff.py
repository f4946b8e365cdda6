"""Compare two revisions line by line, then word by word inside the lines that changed."""

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch

from wiki.core.tokens import tokenize

RowKind = Literal["same", "changed", "deleted", "added", "skip"]

# Myers' search costs about d² steps for d edits. Past this many edits the path found
# so far is kept and the search restarts from its end, so a rewrite stays fast.
_MAX_EDITS = 150
# Pairing the lines of a changed block costs the product of its sides, so big blocks
# are paired window by window.
_PAIR_WINDOW = 100
_PAIR_SIMILARITY = 0.5
# Hiding a single line behind a "skip" row would save no space.
_MIN_SKIP = 2
# Each token is diffed as one private-use character, so diff-match-patch's cleanup
# counts whole tokens and can never split one.
_CODE_BASE = 0xF0000
_CODE_LIMIT = 0x110000 - _CODE_BASE
_DMP = diff_match_patch()


@dataclass(frozen=True)
class Segment:
    """A run of a line's text; changed runs are the words the edit altered."""

    text: str
    changed: bool


Segments = tuple[Segment, ...]


@dataclass(frozen=True)
class Side:
    """One revision's line: its 1-based number and its text cut into segments."""

    number: int
    segments: Segments

    @property
    def text(self) -> str:
        """Return the whole line."""
        return "".join(segment.text for segment in self.segments)


@dataclass(frozen=True)
class Row:
    """A row of the view: a line on either side, or a run of hidden unchanged lines."""

    kind: RowKind
    left: Side | None = None
    right: Side | None = None
    # Only for "skip": how many lines are hidden, and the first hidden line of each side.
    skipped: int = 0
    old_from: int = 0
    new_from: int = 0


@dataclass(frozen=True)
class Diff:
    """The rows to show, and how many lines were added and deleted (a changed line is both)."""

    rows: tuple[Row, ...]
    identical: bool
    added: int
    deleted: int


# An unchanged line as its 0-based (old, new) indexes, or the row for a change.
Item = tuple[int, int] | Row
Pairs = list[tuple[int, int]]


def diff_texts(old: str, new: str, context: int = 3) -> Diff:
    """Compare two revisions, keeping `context` unchanged lines around each change."""
    if context < 0:
        raise ValueError("context must not be negative")
    a, b = split_lines(old), split_lines(new)
    if a == b:
        return Diff(rows=(), identical=True, added=0, deleted=0)
    items = _items(a, b)
    changes = [item for item in items if isinstance(item, Row)]
    return Diff(
        rows=_collapse(items, a, context),
        identical=False,
        added=sum(row.kind != "deleted" for row in changes),
        deleted=sum(row.kind != "added" for row in changes),
    )


def split_lines(text: str) -> list[str]:
    """Split text into lines; a final newline ends the last line instead of adding one."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _items(a: list[str], b: list[str]) -> list[Item]:
    """Return the unchanged lines and the changes, in reading order."""
    items: list[Item] = []
    i = j = 0
    for mi, mj in [*_align(a, b), (len(a), len(b))]:
        if i < mi or j < mj:
            items += _block(a[i:mi], b[j:mj], i, j)
        if mi < len(a):
            items.append((mi, mj))
        i, j = mi + 1, mj + 1
    return items


def _block(old: list[str], new: list[str], i0: int, j0: int) -> list[Item]:
    """Return the items for old lines replaced by new ones, pairing similar lines."""
    old_tokens = [tokenize(line) for line in old]
    new_tokens = [tokenize(line) for line in new]
    items: list[Item] = []
    i = j = 0
    for pi, pj in [*_pair_lines(old_tokens, new_tokens), (len(old), len(new))]:
        items += [Row("deleted", left=_plain(i0 + x, old[x])) for x in range(i, pi)]
        items += [Row("added", right=_plain(j0 + y, new[y])) for y in range(j, pj)]
        if pi < len(old) and old[pi] == new[pj]:
            items.append((i0 + pi, j0 + pj))
        elif pi < len(old):
            left, right = _word_diff(old_tokens[pi], new_tokens[pj])
            items.append(Row("changed", Side(i0 + pi + 1, left), Side(j0 + pj + 1, right)))
        i, j = pi + 1, pj + 1
    return items


def _plain(index: int, line: str) -> Side:
    """Return the line at a 0-based index with nothing marked as changed."""
    return Side(index + 1, (Segment(line, False),) if line else ())


def _collapse(items: list[Item], a: list[str], context: int) -> tuple[Row, ...]:
    """Turn items into rows, hiding unchanged lines far from any change behind "skip" rows."""
    rows: list[Row] = []
    start = 0
    while start < len(items):
        end = start
        while end < len(items) and isinstance(items[end], tuple):
            end += 1
        if end == start:
            rows.append(items[start])
            start += 1
            continue
        same = items[start:end]
        head, tail = (context if start else 0), len(same) - (context if end < len(items) else 0)
        if tail - head < _MIN_SKIP:
            head = tail = len(same)
        rows += [Row("same", _plain(i, a[i]), _plain(j, a[i])) for i, j in same[:head]]
        if head < tail:
            (i, j), skipped = same[head], tail - head
            rows.append(Row("skip", skipped=skipped, old_from=i + 1, new_from=j + 1))
        rows += [Row("same", _plain(i, a[i]), _plain(j, a[i])) for i, j in same[tail:]]
        start = end
    return tuple(rows)


def _pair_lines(old: list[list[str]], new: list[list[str]]) -> Pairs:
    """Return in-order (old, new) pairs of similar lines, given each line's tokens."""
    old_words = [frozenset(t for t in tokens if not t.isspace()) for tokens in old]
    new_words = [frozenset(t for t in tokens if not t.isspace()) for tokens in new]
    parts = -(-max(len(old), len(new)) // _PAIR_WINDOW)
    pairs: Pairs = []
    for p in range(parts):
        ilo, ihi = p * len(old) // parts, (p + 1) * len(old) // parts
        jlo, jhi = p * len(new) // parts, (p + 1) * len(new) // parts
        pairs += _best_pairs(old_words[ilo:ihi], new_words[jlo:jhi], ilo, jlo)
    return pairs


def _best_pairs(old: list[frozenset[str]], new: list[frozenset[str]], di: int, dj: int) -> Pairs:
    """Return in-order pairs of lines sharing enough words, with the most shared in total."""
    best = [[0.0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i, words in enumerate(old):
        above, here = best[i], best[i + 1]
        for j, other in enumerate(new):
            total = len(words) + len(other)
            # Lines with no words at all differ only in whitespace, so they belong together.
            similarity = 2 * len(words & other) / total if total else 1.0
            paired = above[j] + similarity if similarity >= _PAIR_SIMILARITY else 0.0
            here[j + 1] = max(above[j + 1], here[j], paired)
    pairs = []
    i, j = len(old), len(new)
    while i and j:
        if best[i][j] == best[i - 1][j]:
            i -= 1
        elif best[i][j] == best[i][j - 1]:
            j -= 1
        else:
            i, j = i - 1, j - 1
            pairs.append((di + i, dj + j))
    return pairs[::-1]


def _word_diff(old: list[str], new: list[str]) -> tuple[Segments, Segments]:
    """Return both lines' segments, marking the tokens that differ."""
    vocabulary = list(dict.fromkeys([*old, *new]))
    if len(vocabulary) > _CODE_LIMIT:
        return (Segment("".join(old), True),), (Segment("".join(new), True),)
    codes = {token: chr(_CODE_BASE + n) for n, token in enumerate(vocabulary)}
    diffs = _char_diffs("".join(map(codes.__getitem__, old)), "".join(map(codes.__getitem__, new)))
    _DMP.diff_cleanupSemantic(diffs)
    _start_at_words(diffs, vocabulary)
    text = [(op, "".join(vocabulary[ord(c) - _CODE_BASE] for c in s)) for op, s in diffs]
    return _segments(text, -1), _segments(text, 1)


def _char_diffs(sa: str, sb: str) -> list[tuple[int, str]]:
    """Return the diff of two strings as diff-match-patch does: (-1, 0 or 1, text) pairs."""
    runs: list[list[int]] = []  # [i, j, length] of each run of equal characters
    for i, j in _align(sa, sb):
        if runs and runs[-1][0] + runs[-1][2] == i and runs[-1][1] + runs[-1][2] == j:
            runs[-1][2] += 1
        else:
            runs.append([i, j, 1])
    diffs: list[tuple[int, str]] = []
    i = j = 0
    for mi, mj, size in [*runs, [len(sa), len(sb), 0]]:
        diffs += [(-1, sa[i:mi])] if i < mi else []
        diffs += [(1, sb[j:mj])] if j < mj else []
        diffs += [(0, sa[mi : mi + size])] if size else []
        i, j = mi + size, mj + size
    return diffs


def _start_at_words(diffs: list[tuple[int, str]], vocabulary: list[str]) -> None:
    """Shift lone insertions and deletions to start at a word: "a [big ]cat", not "a[ big] cat"."""
    for n in range(1, len(diffs) - 1):
        (before_op, before), (op, edit), (after_op, after) = diffs[n - 1 : n + 2]
        if before_op == after_op == 0 and op and edit[0] == after[:1]:
            if vocabulary[ord(edit[0]) - _CODE_BASE].isspace():
                diffs[n - 1 : n + 2] = [
                    (0, before + edit[0]),
                    (op, edit[1:] + edit[0]),
                    (0, after[1:]),
                ]


def _segments(diffs: list[tuple[int, str]], side: int) -> Segments:
    """Return one side's segments from a diff, merging neighbours alike in change."""
    segments: list[Segment] = []
    for op, text in diffs:
        if op in (0, side) and text:
            if segments and segments[-1].changed == (op == side):
                text = segments.pop().text + text
            segments.append(Segment(text, op == side))
    return tuple(segments)


def _align(a: Sequence[str], b: Sequence[str]) -> Pairs:
    """Return the (i, j) pairs with a[i] == b[j] that the diff keeps, in order."""
    matches: Pairs = []
    regions = [(0, len(a), 0, len(b))]
    while regions:
        alo, ahi, blo, bhi = regions.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            matches.append((alo, blo))
            alo, blo = alo + 1, blo + 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi, bhi = ahi - 1, bhi - 1
            matches.append((ahi, bhi))
        if alo == ahi or blo == bhi or set(a[alo:ahi]).isdisjoint(b[blo:bhi]):
            continue
        # Patience diff: items found once on each side pin the alignment; gaps are redone.
        anchors = _unique_anchors(a[alo:ahi], b[blo:bhi])
        if not anchors:
            while alo < ahi and blo < bhi:
                alo, blo = _myers(a, b, alo, ahi, blo, bhi, matches)
            continue
        matches += [(alo + i, blo + j) for i, j in anchors]
        for i, j in reversed(anchors):
            regions.append((alo + i + 1, ahi, blo + j + 1, bhi))
            ahi, bhi = alo + i, blo + j
        regions.append((alo, ahi, blo, bhi))
    return sorted(matches)


def _unique_anchors(a: Sequence[str], b: Sequence[str]) -> Pairs:
    """Return the longest in-order run of pairs of items found once on each side."""
    count_a, count_b = Counter(a), Counter(b)
    where = {x: i for i, x in enumerate(a) if count_a[x] == 1}
    pairs = [(where[x], j) for j, x in enumerate(b) if count_b[x] == 1 and x in where]
    tails: list[int] = []  # tails[n]: the smallest i ending an increasing run of n + 1 pairs
    ends: list[int] = []
    back = [-1] * len(pairs)
    for p, (i, _) in enumerate(pairs):
        n = bisect_left(tails, i)
        back[p] = ends[n - 1] if n else -1
        tails[n : n + 1], ends[n : n + 1] = [i], [p]
    run = []
    p = ends[-1] if ends else -1
    while p >= 0:
        run.append(pairs[p])
        p = back[p]
    return run[::-1]


def _myers(
    a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int, matches: Pairs
) -> tuple[int, int]:
    """Add the pairs of a shortest edit path from (alo, blo); return where it stops."""
    n, m = ahi - alo, bhi - blo
    limit = min(_MAX_EDITS, n + m)
    off = limit + 1
    v = [0] * (2 * off + 1)  # v[off + k]: the furthest x reached on diagonal k = x - y
    trace = []
    for d in range(limit + 1):
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):
                x = v[off + k + 1]
            else:
                x = v[off + k - 1] + 1
            y = x - k
            while x < n and y < m and a[alo + x] == b[blo + y]:
                x, y = x + 1, y + 1
            v[off + k] = x
            if x >= n and y >= m:
                _backtrack(trace, off, d, k, x, alo, blo, matches)
                return ahi, bhi
        trace.append(v[:])
    ends = [(v[off + k] * 2 - k, v[off + k], k) for k in range(-limit, limit + 1, 2)]
    _, x, k = max(end for end in ends if end[1] <= n and 0 <= end[1] - end[2] <= m)
    _backtrack(trace, off, limit, k, x, alo, blo, matches)
    return alo + x, blo + x - k


def _backtrack(
    trace: list[list[int]], off: int, d: int, k: int, x: int, alo: int, blo: int, matches: Pairs
) -> None:
    """Add the diagonal moves of the path reaching x on diagonal k after d edits."""
    while d > 0:
        v = trace[d - 1]
        down = k == -d or (k != d and v[off + k - 1] < v[off + k + 1])
        prev_k = k + 1 if down else k - 1
        prev_x = v[off + prev_k]
        matches += [(alo + s, blo + s - k) for s in range(prev_x if down else prev_x + 1, x)]
        x, k, d = prev_x, prev_k, d - 1
    matches += [(alo + s, blo + s) for s in range(x)]
