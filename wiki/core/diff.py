"""Compare two revisions line by line, then word by word inside the lines that changed.

Every comparison has limits (DiffLimits), so no text can make a diff slow or huge: aligning
the lines may take so many steps and the rows may come to about so many bytes of HTML; past
either the diff says it is too large (Diff.too_large) and shows nothing, and the view offers
the unified diff (wiki.core.unified) to download. Pairing similar lines and marking changed
words have a budget of their own; past it, or in very long lines, lines show without word marks.
"""

from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch

from wiki.core.align import Budget, OverBudget, Pairs, align, common_ends
from wiki.core.tokens import tokenize

RowKind = Literal["same", "changed", "deleted", "added", "skip"]
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
class TooLarge:
    """Why a diff shows no rows: comparing ran out of steps ("work"), or too much to show."""

    reason: Literal["work", "size"]
    #: The estimated bytes of HTML of the rows (a lower bound; 0 when the work ran out).
    html_bytes: int = 0


@dataclass(frozen=True)
class Diff:
    """The rows to show, and how many lines were added and deleted (a changed line is both).

    When too_large is set there are no rows, and the counts are upper bounds: exact but for
    lines the alignment could not match, or, if the work ran out, every line between the
    first and the last that differ.
    """

    rows: tuple[Row, ...]
    identical: bool
    added: int
    deleted: int
    too_large: TooLarge | None = None


@dataclass(frozen=True)
class DiffLimits:
    """How much work a diff may take and how much it may show."""

    #: Steps (lines compared or visited) to align the lines; past them the diff is too large.
    align_steps: float = 1_000_000
    #: Steps to pair similar lines and mark changed words; past them lines show unmarked.
    refine_steps: float = 750_000
    #: Estimated bytes of HTML for the rows (see html_estimate); past them it is too large.
    html_bytes: float = 1_500_000
    #: Changed lines longer than this (both sides together) show without word marks.
    word_chars: int = 100_000


LIMITS = DiffLimits()
UNLIMITED = DiffLimits(*[float("inf")] * 3, word_chars=2**62)  # for tests and benchmarks
# What a row costs in the split view besides its text (measured on the diff table macro),
# and what marking a changed run costs (<span class="word-changed">…</span>).
ROW_BYTES = 250
MARK_BYTES = 33

# An unchanged line as its 0-based (old, new) indexes, or the row for a change.
Item = tuple[int, int] | Row
_Block = tuple[int, int, int, int]  # old lines [i0, i1) replaced by new lines [j0, j1)


def diff_texts(old: str, new: str, context: int = 3, limits: DiffLimits = LIMITS) -> Diff:
    """Compare two revisions, keeping `context` unchanged lines around each change."""
    if context < 0:
        raise ValueError("context must not be negative")
    a, b = split_lines(old), split_lines(new)
    if a == b:
        return Diff(rows=(), identical=True, added=0, deleted=0)
    try:
        matches = align(a, b, Budget(limits.align_steps))
    except OverBudget:
        same = sum(common_ends(a, b))
        return Diff((), False, len(b) - same, len(a) - same, TooLarge("work"))
    blocks = _blocks(matches, len(a), len(b))
    added, deleted = sum(j1 - j0 for *_, j0, j1 in blocks), sum(i1 - i0 for i0, i1, *_ in blocks)
    # Every row holds at most one line of each side: a bound known before any line is paired.
    least = sum(
        ROW_BYTES * max(i1 - i0, j1 - j0) + sum(map(len, a[i0:i1])) + sum(map(len, b[j0:j1]))
        for i0, i1, j0, j1 in blocks
    )
    if least > limits.html_bytes:
        return Diff((), False, added, deleted, TooLarge("size", least))
    items = _items(a, b, matches, blocks, limits)
    changes = [item for item in items if isinstance(item, Row)]
    rows = _collapse(items, a, context)
    added = sum(row.kind != "deleted" for row in changes)
    deleted = sum(row.kind != "added" for row in changes)
    if (size := html_estimate(rows)) > limits.html_bytes:
        return Diff((), False, added, deleted, TooLarge("size", size))
    return Diff(rows=rows, identical=False, added=added, deleted=deleted)


def html_estimate(rows: tuple[Row, ...]) -> int:
    """Return about how many bytes of HTML the rows make in the split view."""
    total = 0
    for row in rows:
        total += ROW_BYTES
        for side in (row.left, row.right):
            for segment in side.segments if side else ():
                total += _escaped_len(segment.text) + MARK_BYTES * segment.changed
    return total


def _escaped_len(text: str) -> int:
    """Return the UTF-8 length of text once HTML-escaped (& < > " ' grow to entities)."""
    grow = 3 * (text.count("<") + text.count(">")) + 4 * text.count("&")
    return len(text.encode()) + grow + 4 * (text.count('"') + text.count("'"))


def _blocks(matches: Pairs, n: int, m: int) -> list[_Block]:
    """Return the runs of lines between matched lines: each a change."""
    blocks, i, j = [], 0, 0
    for mi, mj in [*matches, (n, m)]:
        if i < mi or j < mj:
            blocks.append((i, mi, j, mj))
        i, j = mi + 1, mj + 1
    return blocks


def split_lines(text: str) -> list[str]:
    """Split text into lines; a final newline ends the last line instead of adding one."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _items(
    a: list[str], b: list[str], matches: Pairs, blocks: list[_Block], limits: DiffLimits
) -> list[Item]:
    """Return the unchanged lines and the changes, in reading order."""
    budget = Budget(limits.refine_steps)
    changes = {
        (i0, j0): _block(a[i0:i1], b[j0:j1], i0, j0, budget, limits) for i0, i1, j0, j1 in blocks
    }
    items: list[Item] = []
    i = j = 0
    for mi, mj in [*matches, (len(a), len(b))]:
        items += changes.get((i, j), [])
        if mi < len(a):
            items.append((mi, mj))
        i, j = mi + 1, mj + 1
    return items


def _block(
    old: list[str], new: list[str], i0: int, j0: int, budget: Budget, limits: DiffLimits
) -> list[Item]:
    """Return the items for old lines replaced by new ones, pairing similar lines."""
    # Lines too long to mark words in are only paired, by their words between spaces.
    old_tokens = [tokenize(x) if len(x) <= limits.word_chars else x.split() for x in old]
    new_tokens = [tokenize(y) if len(y) <= limits.word_chars else y.split() for y in new]
    items: list[Item] = []
    i = j = 0
    for pi, pj in [*_pair_lines(old_tokens, new_tokens, budget), (len(old), len(new))]:
        items += [Row("deleted", left=_plain(i0 + x, old[x])) for x in range(i, pi)]
        items += [Row("added", right=_plain(j0 + y, new[y])) for y in range(j, pj)]
        if pi < len(old) and old[pi] == new[pj]:
            items.append((i0 + pi, j0 + pj))
        elif pi < len(old):
            if len(old[pi]) + len(new[pj]) > limits.word_chars:
                left, right = _plain(0, old[pi]).segments, _plain(0, new[pj]).segments
            else:
                left, right = _word_diff(old_tokens[pi], new_tokens[pj], budget)
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


def _pair_lines(old: list[list[str]], new: list[list[str]], budget: Budget) -> Pairs:
    """Return in-order (old, new) pairs of similar lines, given each line's tokens."""
    old_words = [frozenset(t for t in tokens if not t.isspace()) for tokens in old]
    new_words = [frozenset(t for t in tokens if not t.isspace()) for tokens in new]
    parts = -(-max(len(old), len(new)) // _PAIR_WINDOW)
    pairs: Pairs = []
    for p in range(parts):
        ilo, ihi = p * len(old) // parts, (p + 1) * len(old) // parts
        jlo, jhi = p * len(new) // parts, (p + 1) * len(new) // parts
        try:
            budget.spend((ihi - ilo) * (jhi - jlo))
        except OverBudget:
            break  # the lines left are shown deleted and added, not side by side
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


def _word_diff(old: list[str], new: list[str], budget: Budget) -> tuple[Segments, Segments]:
    """Return both lines' segments, marking the tokens that differ (none if over budget)."""
    vocabulary = list(dict.fromkeys([*old, *new]))
    if len(vocabulary) > _CODE_LIMIT:
        return (Segment("".join(old), True),), (Segment("".join(new), True),)
    codes = {token: chr(_CODE_BASE + n) for n, token in enumerate(vocabulary)}
    sa, sb = "".join(map(codes.__getitem__, old)), "".join(map(codes.__getitem__, new))
    try:
        diffs = _char_diffs(sa, sb, budget)
        # The cleanup joins runs again and again: about a step per four tokens per run.
        budget.spend((len(sa) + len(sb)) * len(diffs) // 4)
    except OverBudget:
        return _plain(0, "".join(old)).segments, _plain(0, "".join(new)).segments
    _DMP.diff_cleanupSemantic(diffs)
    _start_at_words(diffs, vocabulary)
    text = [(op, "".join(vocabulary[ord(c) - _CODE_BASE] for c in s)) for op, s in diffs]
    return _segments(text, -1), _segments(text, 1)


def _char_diffs(sa: str, sb: str, budget: Budget) -> list[tuple[int, str]]:
    """Return the diff of two strings as diff-match-patch does: (-1, 0 or 1, text) pairs."""
    runs: list[list[int]] = []  # [i, j, length] of each run of equal characters
    for i, j in align(sa, sb, budget):
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
