"""Three-way merge of page texts: both sides' changes against the base, conflicts where they meet.

Each side is diffed against the base by lines, then by sentences inside changed lines, then by
tokens inside changed sentences, giving hunks in base coordinates. Hunks of different sides
that share base tokens are conflicts; the rest applies exactly. Where hunks merely touch:

* two replacements or deletions of neighbouring tokens merge: they change different tokens;
* two insertions at the same point conflict unless identical (no order is guessed);
* an insertion at the edge of the other side's change conflicts, unless one of them can shift
  by a repeated token (usually a space or blank line) to leave an unchanged token between them;
* an insertion or deletion inside repeated text that could shift onto the other side's change
  conflicts, since where it was meant to go is unknown.

Insertions and deletions are first shifted as far right as they can go (" New sentence." rather
than ". New sentence"), so the same edit made by both sides is found at one place, taken once.
Conflicts only spaces or a few words apart on one line are shown as one passage, taking in the
text between them, as each side has it.
"""

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise
from operator import attrgetter
from typing import Literal

from diff_match_patch import diff_match_patch

from wiki.core.keepboth import Piece, keep_both
from wiki.core.tokens import tokenize

Choice = Literal["mine", "theirs", "both", "base"]
CHOICES: tuple[Choice, ...] = ("mine", "theirs", "both", "base")


class _Diffs(diff_match_patch):
    """The diff library, minus the step that slides an edit along equal text to where the
    characters around it look like word or line ends: here characters are codes of lines,
    sentences or tokens (chr of their number), whose look means nothing, and the step made
    a merge depend on which numbers its texts' lines happened to get."""

    def diff_cleanupSemanticLossless(self, diffs) -> None:
        """Leave the edits where they are."""


_dmp = _Diffs()
_dmp.Diff_Timeout = 0  # exact diffs, independent of how busy the machine is
# Myers' diff takes time quadratic in the edits and, at worst, in the lengths. Past these
# bounds (pairs compared; edits needed at least, from counting tokens), a gap is first split at
# elements found once on each side (patience diff), and is one change if it has none.
_MYERS_MAX_PAIRS = 10_000
_MYERS_MAX_EDITS = 50
_NEAR_TOKENS = 5  # conflicts this close on a line are shown as one passage
_STOPS = frozenset(".!?")  # followed by a space, they end a sentence
_CJK_STOPS = frozenset("。！？")
_Region = tuple[int, int, int, int]  # a_start, a_end, b_start, b_end
_Coded = tuple[list[str], str]  # tokens, and one code character per token


@dataclass(frozen=True)
class Conflict:
    """A passage both sides changed differently: the base text and each side's version."""

    base: str
    mine: str
    theirs: str


@dataclass(frozen=True)
class Chunk:
    """A run of merged text, or a conflict; text chunks and conflicts alternate."""

    text: str = ""
    conflict: Conflict | None = None
    #: The text in runs, where it holds changes of one side only: shared text, or (merged,
    #: mine's, theirs'); empty when both sides have the text as it is. "Keep both" needs it to
    #: show each side's own version of a sentence it widens a conflict to.
    runs: tuple[Piece, ...] = ()


@dataclass(frozen=True)
class MergeResult:
    """The merged text as chunks; the text chunks around a conflict are its context."""

    chunks: tuple[Chunk, ...]

    @property
    def clean(self) -> bool:
        """Return whether the merge has no conflicts."""
        return not self.conflicts

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        """Return the conflicts in text order."""
        return tuple(chunk.conflict for chunk in self.chunks if chunk.conflict)

    @property
    def text(self) -> str:
        """Return the merged text; raise ValueError if there are conflicts."""
        if not self.clean:
            raise ValueError("the merge has conflicts; resolve them first")
        return "".join(chunk.text for chunk in self.chunks)

    def resolve(self, choices: Sequence[Choice]) -> str:
        """Return the text with exactly one choice per conflict, in order, or raise ValueError.

        "both" keeps mine's and then theirs' version of the whole sentence or line around the
        passage (see wiki.core.keepboth), so each reads complete; no default is guessed for a
        missing choice.
        """
        if len(choices) != len(self.conflicts):
            raise ValueError(f"expected {len(self.conflicts)} choices, got {len(choices)}")
        if unknown := set(choices) - set(CHOICES):
            raise ValueError(f"unknown choices: {sorted(unknown)}")
        pending = iter(choices)
        pieces: list[Piece] = []
        for chunk in self.chunks:
            if chunk.conflict:
                pieces.append(_pick(chunk.conflict, next(pending)))
            else:
                pieces += chunk.runs or [chunk.text]
        return keep_both(pieces)

    def with_markers(self, mine_label: str = "mine", theirs_label: str = "theirs") -> str:
        """Return the text with each conflict between git-style marker lines."""
        out, after_marker = "", False
        for chunk in self.chunks:
            if (c := chunk.conflict) is None:
                out += "\n" if after_marker and not chunk.text.startswith("\n") else ""
                out += chunk.text
            else:
                out += "\n" if out and not out.endswith("\n") else ""
                out += f"<<<<<<< {mine_label}\n{_line(c.mine)}=======\n{_line(c.theirs)}"
                out += f">>>>>>> {theirs_label}"
            after_marker = c is not None
        return out + ("\n" if after_marker else "")


def _pick(c: Conflict, choice: Choice) -> Piece:
    """Return the text a choice stands for, or both versions to keep."""
    both = (None, c.mine, c.theirs)
    return {"mine": c.mine, "theirs": c.theirs, "both": both, "base": c.base}[choice]


def _line(text: str) -> str:
    """Return text ending with a newline, unless empty."""
    return text if not text or text.endswith("\n") else text + "\n"


@dataclass(frozen=True, slots=True)
class _Hunk:
    """Base tokens [start, end) replaced by new (token codes); reach: how far left it can shift."""

    start: int
    end: int
    new: str
    mine: bool
    reach: int = 0


def merge3(base: str, mine: str, theirs: str) -> MergeResult:
    """Merge my changes and theirs, both made to base."""
    base, mine, theirs = (t.replace("\r\n", "\n") for t in (base, mine, theirs))
    if base in (mine, theirs) or mine == theirs:
        text = theirs if mine == base else mine
        return MergeResult((Chunk(text),) if text else ())
    big = max(len(base), len(mine), len(theirs)) > LINE_UNITS_FROM
    head, tail = _frame(base, mine, theirs)
    if head or tail:
        # Lines all three share at the start and the end are neither split nor diffed (a
        # save merged on a busy 20 KB page split all of it three times): they are the
        # first and last text of the result, unless a change could shift onto them.
        middle = [text[head : len(text) - tail] for text in (base, mine, theirs)]
        chunks = _merged(*middle, big, cut=(head > 0, tail > 0))
        if chunks is not None:
            return MergeResult(_framed(chunks, base[:head], base[len(base) - tail :]))
    return MergeResult(_merged(base, mine, theirs, big))


def _merged(
    base: str, mine: str, theirs: str, big: bool, cut: tuple[bool, bool] = (False, False)
) -> tuple[Chunk, ...] | None:
    """Return the merge's chunks (big: by lines); cut: whether the texts were cut from
    longer ones at their start and at their end, and then None if a change reaches such
    an end (it might shift beyond)."""
    codes: dict[str, str] = {}
    texts = (base, mine, theirs)
    b, m, t = _split_three(texts, _lines if big else tokenize, codes)
    # Units that are all "\n" lines are their own segments (_regions).
    units = zip(texts, (b[0], m[0], t[0]), strict=True)
    lines = big and all(_newline_lines(text, cut) for text, cut in units)
    hunks = _side_hunks(b, m, True, lines) + _side_hunks(b, t, False, lines)
    end = len(b[1])
    if any((cut[0] and h.start - h.reach <= 0) or (cut[1] and h.end >= end) for h in hunks):
        return None
    return _chunks(b[1], _capped(_clusters(hunks)), list(codes))


def _frame(base: str, mine: str, theirs: str) -> tuple[int, int]:
    """Return how many characters the three texts share at the start and at the end, cut
    where a line starts with a character other than a space (a boundary of tokens, lines
    and sentences in all three), with at least one whole shared line kept before and after
    the first and last difference."""
    shared = min(_dmp.diff_commonPrefix(base, mine), _dmp.diff_commonPrefix(base, theirs))
    ends = min(_dmp.diff_commonSuffix(base, mine), _dmp.diff_commonSuffix(base, theirs))
    ends = min(ends, min(map(len, (base, mine, theirs))) - shared)
    # The start of the line before the one holding the first difference, or an earlier one.
    head = base.rfind("\n", 0, shared) + 1
    while head > 0:
        head = base.rfind("\n", 0, head - 1) + 1
        if head and not base[head].isspace():
            break
    # The start of the line after the one holding the last difference's end, or a later one.
    start = base.find("\n", len(base) - ends) + 1
    while 0 < start < len(base):
        start = base.find("\n", start) + 1
        if 0 < start < len(base) and not base[start].isspace():
            return head, len(base) - start
    return head, 0


def _split_three(
    texts: tuple[str, str, str], split: Callable[[str], list[str]], codes: dict
) -> list[_Coded]:
    """Return base, mine and theirs split and coded (codes given in that order, as each
    text first has them), splitting once in base what a side has as base has it.

    A side differs from base in the middle: before and after it, the side is split as base
    is, cut where a line starts with a character other than a space. Tokens and lines end
    at such a place whatever follows (only spaces run on over a line end) and never look
    back before it, so splitting the parts gives the tokens of the whole.
    """
    base = texts[0]
    spans = [_side_span(base, side) for side in texts[1:]]
    cuts = sorted({0, len(base), *(at for span in spans for at in span)})
    pieces: dict[int, tuple[list[str], str]] = {}
    for start, end in pairwise(cuts):
        tokens = split(base[start:end])
        pieces[start] = (tokens, _code(tokens, codes))

    out = [_joined_pieces(list(pieces.values()))]
    for side, (start, end) in zip(texts[1:], spans, strict=True):
        middle = split(side[start : end + len(side) - len(base)])
        before = [piece for at, piece in pieces.items() if at < start]
        after = [piece for at, piece in pieces.items() if at >= end]
        out.append(_joined_pieces([*before, (middle, _code(middle, codes)), *after]))
    return out


def _joined_pieces(pieces: list[_Coded]) -> _Coded:
    """Return the tokens and codes of consecutive pieces as one."""
    return list(chain.from_iterable(tokens for tokens, _ in pieces)), "".join(
        coded for _, coded in pieces
    )


def _side_span(base: str, side: str) -> tuple[int, int]:
    """Return where, in base, the part of side that differs from it starts and ends, both
    widened to where a line starts with a character other than a space (or a text ends)."""
    shared = _dmp.diff_commonPrefix(base, side)
    ends = min(_dmp.diff_commonSuffix(base, side), min(len(base), len(side)) - shared)
    start = base.rfind("\n", 0, max(shared - 1, 0)) + 1
    while start > 0 and base[start].isspace():
        start = base.rfind("\n", 0, start - 1) + 1
    end = base.find("\n", len(base) - ends) + 1
    while 0 < end < len(base) and base[end].isspace():
        end = base.find("\n", end) + 1
    return start, end if end > 0 else len(base)


def _framed(chunks: tuple[Chunk, ...], head: str, tail: str) -> tuple[Chunk, ...]:
    """Return a middle's chunks with the shared text before and after it put back (where
    it was cut, its first or last chunk is text: _merged kept changes off such ends)."""
    out = list(chunks)
    if head:
        first = out[0]
        runs = (head + first.runs[0], *first.runs[1:]) if first.runs else ()
        out[0] = Chunk(head + first.text, runs=runs)
    if tail:
        last = out[-1]
        runs = (*last.runs[:-1], last.runs[-1] + tail) if last.runs else ()
        out[-1] = Chunk(last.text + tail, runs=runs)
    return tuple(out)


#: Texts longer than this (in characters) merge by whole lines, as diff3 does: splitting a
#: megabyte into words and sentences three times takes seconds. Still exact, only coarser.
LINE_UNITS_FROM = 200_000
#: Past this many passages changed by both sides, they are shown as one conflict from the
#: first to the last: a person decides that by choosing a side or editing, not passage by
#: passage, and the conflict screen stays small.
MAX_CONFLICTS = 200


def _lines(text: str) -> list[str]:
    """Return the text's lines, each with its line end, as the units of a coarse merge."""
    return text.splitlines(keepends=True)


def _newline_lines(text: str, lines: list[str]) -> bool:
    """Return whether every line of _lines(text) but the last ends with "\n" (splitlines
    also ends lines at "\r", "\u2028" and other separators, which segments do not)."""
    return text.count("\n") == len(lines) - (not text.endswith("\n"))


def _capped(clusters: list[list[_Hunk]]) -> list[list[_Hunk]]:
    """Return the clusters, those from the first to the last two-sided one made one if there
    are more than MAX_CONFLICTS two-sided clusters."""
    both = [i for i, cluster in enumerate(clusters) if len({h.mine for h in cluster}) == 2]
    if len(both) <= MAX_CONFLICTS:
        return clusters
    first, last = both[0], both[-1]
    merged = [h for cluster in clusters[first : last + 1] for h in cluster]
    return clusters[:first] + [merged] + clusters[last + 1 :]


def _code(items: Sequence[Hashable], codes: dict) -> str:
    """Return one character per item, the same for equal items (new items get the next
    codes, in the order they first appear)."""
    # Each distinct item is looked at once: a page has a few thousand tokens, mostly repeats.
    for item in dict.fromkeys(items):
        if item not in codes:
            codes[item] = chr(len(codes))
    return "".join(map(codes.__getitem__, items))


def _side_hunks(base: _Coded, side: _Coded, mine: bool, lines: bool = False) -> list[_Hunk]:
    """Return one side's changes to base, placed canonically (lines: the units are lines)."""
    regions = _regions(base[0], side[0], base[1], side[1], lines=lines)
    return _canonical(base[1], [_Hunk(a0, a1, side[1][b0:b1], mine) for a0, a1, b0, b1 in regions])


def _segment_ends(tokens: list[str], level: int) -> list[int]:
    """Return where segments end: lines at level 0, also sentences at level 1."""
    ends = [
        i + 1
        for i, token in enumerate(tokens)
        if "\n" in token
        or (level and (token in _CJK_STOPS or (token.isspace() and i and tokens[i - 1] in _STOPS)))
    ]
    return ends if ends and ends[-1] == len(tokens) else ends + [len(tokens)]


#: Past this many changed lines (or sentences) in one side, they are not refined further.
MAX_REFINED_REGIONS = 2_000


def _regions(
    a: list[str], b: list[str], ac: str, bc: str, level: int = 0, lines: bool = False
) -> list[_Region]:
    """Return the changed token regions of a against b, from lines to sentences to tokens.

    lines: each token is a whole line, so the segments of every level are the tokens
    themselves and their codes serve as the segments' (coding them again, twice, was a
    third of merging a megabyte of lines).
    """
    if level == 2:
        return _changes(ac, bc, True)
    if lines:
        ea, eb = range(len(a) + 1), range(len(b) + 1)
        sa, sb = ac, bc
    else:
        ea, eb = [0, *_segment_ends(a, level)], [0, *_segment_ends(b, level)]
        # Segments are equal when their tokens are, so when their tokens' codes are (one
        # code per token, for a and b alike): the same text cut into other tokens (a list of
        # left-over tokens, as authorship compares) is not the same segment.
        codes: dict[str, str] = {}
        sa = _code([ac[i:j] for i, j in pairwise(ea)], codes)
        sb = _code([bc[i:j] for i, j in pairwise(eb)], codes)
    changes = _changes(sa, sb, False)
    if len(changes) > MAX_REFINED_REGIONS:
        # Thousands of changed lines: keep whole lines as the units. Still an exact merge
        # (as diff3's); finer units would only turn some conflicts into clean merges, at a
        # cost of seconds for a hostile page.
        return [(ea[i0], ea[i1], eb[j0], eb[j1]) for i0, i1, j0, j1 in changes]
    out = []
    for i0, i1, j0, j1 in changes:
        a0, a1, b0, b1 = ea[i0], ea[i1], eb[j0], eb[j1]
        inner = _regions(a[a0:a1], b[b0:b1], ac[a0:a1], bc[b0:b1], level + 1, lines)
        out += [(a0 + x0, a0 + x1, b0 + y0, b0 + y1) for x0, x1, y0, y1 in inner]
    return out


def _changes(a: str, b: str, tokens: bool, ao: int = 0, bo: int = 0) -> list[_Region]:
    """Return the changed regions (a_start, a_end, b_start, b_end), offset by ao and bo."""
    n = _dmp.diff_commonPrefix(a, b)
    a, b, ao, bo = a[n:], b[n:], ao + n, bo + n
    n = _dmp.diff_commonSuffix(a, b)
    a, b = a[: len(a) - n], b[: len(b) - n]
    if not a or not b:
        return [(ao, ao + len(a), bo, bo + len(b))] if a or b else []
    if len(a) == 1 and len(b) == 1:  # one element for another: nothing to align
        return [(ao, ao + 1, bo, bo + 1)]
    if len(a) * len(b) <= _MYERS_MAX_PAIRS:
        count_a, count_b = Counter(a), Counter(b)
        if (count_a - count_b).total() + (count_b - count_a).total() <= _MYERS_MAX_EDITS:
            return _myers(a, b, ao, bo, tokens)
    anchors = _unique_common(a, b)
    if not anchors:  # a rewrite: aligning stray spaces and "the" would help nobody
        return [(ao, ao + len(a), bo, bo + len(b))]
    out, i0, j0 = [], 0, 0
    for i, j in anchors + [(len(a), len(b))]:
        if i - i0 == 1 and j - j0 == 1:  # one element for another, the usual gap: no call
            if a[i0] != b[j0]:
                out.append((ao + i0, ao + i, bo + j0, bo + j))
        elif i > i0 or j > j0:
            out += _changes(a[i0:i], b[j0:j], tokens, ao + i0, bo + j0)
        i0, j0 = i + 1, j + 1
    return out


def _myers(a: str, b: str, ao: int, bo: int, tokens: bool) -> list[_Region]:
    """Return the changed regions of a minimal diff of a against b."""
    diffs = _dmp.diff_main(a, b, False)
    if not tokens:
        # A short line or sentence ("Yes.") in common by chance would misalign the finer diff
        # of the changed text around it; the token diff will find it again if it is unchanged.
        _dmp.diff_cleanupSemantic(diffs)
    out: list[_Region] = []
    i = j = 0
    for op, text in diffs:
        i2, j2 = i + len(text) * (op <= 0), j + len(text) * (op >= 0)
        if op and out and out[-1][1::2] == (ao + i, bo + j):
            out[-1] = (out[-1][0], ao + i2, out[-1][2], bo + j2)
        elif op:
            out.append((ao + i, ao + i2, bo + j, bo + j2))
        i, j = i2, j2
    return out


def _unique_common(a: str, b: str) -> list[tuple[int, int]]:
    """Return the longest in-order list of positions of elements found once in a and once in b."""
    count_a, count_b = Counter(a), Counter(b)
    in_b = {x: j for j, x in enumerate(b) if count_b[x] == 1 and count_a[x] == 1}
    pairs = [(i, in_b[x]) for i, x in enumerate(a) if x in in_b]
    tails: list[int] = []  # tails[n]: the pair ending the best run of length n + 1
    tail_js: list[int] = []
    back = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        n = bisect_left(tail_js, j)
        back[k] = tails[n - 1] if n else -1
        if n == len(tails):
            tails.append(k)
            tail_js.append(j)
        else:
            tails[n], tail_js[n] = k, j
    run, k = [], tails[-1] if tails else -1
    while k >= 0:
        run.append(pairs[k])
        k = back[k]
    return run[::-1]


def _canonical(base: str, hunks: list[_Hunk]) -> list[_Hunk]:
    """Shift insertions and deletions right as far as they go; record how far left they can."""
    shifted: list[_Hunk] = []
    for h in reversed(hunks):
        t = _room_right(base, h, shifted[-1].start - 1 if shifted else len(base))
        if not t:  # most hunks: a new one for each cost a megabyte's merge a tenth of its time
            shifted.append(h)
            continue
        new = (h.new + base[h.start : h.start + t])[t:] if h.start == h.end else h.new
        shifted.append(_Hunk(h.start + t, h.end + t, new, h.mine))
    shifted.reverse()
    floors = [0] + [h.end + 1 for h in shifted[:-1]]
    return [
        _Hunk(h.start, h.end, h.new, h.mine, _room_left(base, h, f))
        if h.start == h.end or not h.new
        else h
        for h, f in zip(shifted, floors, strict=True)
    ]


def _room_right(base: str, h: _Hunk, ceiling: int) -> int:
    """Return how far an insertion or deletion can shift right and give the same text."""
    if h.start < h.end and h.new:
        return 0
    return _dmp.diff_commonPrefix(h.new + base[h.end : ceiling], base[h.start : ceiling])


def _room_left(base: str, h: _Hunk, floor: int) -> int:
    """Return how far an insertion or deletion can shift left and give the same text."""
    if h.start < h.end and h.new:
        return 0
    return _dmp.diff_commonSuffix(base[floor : h.start] + h.new, base[floor : h.end])


def _clash(left: _Hunk, right: _Hunk) -> bool:
    """Return whether hunks of different sides must be decided together; left sorts first."""
    if left.end > right.start:
        return True  # they change the same tokens
    if left.start == left.end == right.start == right.end:
        return True  # two insertions at one point: no order to take
    if left.end - left.reach > right.start - right.reach:
        return True  # right could shift onto left, so where it belongs is unknown
    if left.end < right.start:
        return False
    if left.start < left.end and right.start < right.end:
        return False  # neighbouring tokens, each changed by one side
    return left.reach == 0  # an insertion glued to the other change, with no space to move


_place = attrgetter("start", "end")


def _clusters(hunks: list[_Hunk]) -> list[list[_Hunk]]:
    """Group hunks, in base order, into runs that must be decided together."""
    clusters: list[list[_Hunk]] = []
    last: dict[bool, _Hunk] = {}  # the latest hunk of each side in the current cluster
    end = -1
    for h in sorted(hunks, key=_place):
        other = last.get(not h.mine)
        if clusters and (h.start < end or (other is not None and _clash(other, h))):
            clusters[-1].append(h)
            end = max(end, h.end)
        else:
            clusters.append([h])
            last, end = {}, h.end
        last[h.mine] = h
    return clusters


def _apply(base: str, start: int, end: int, hunks: Iterable[_Hunk]) -> str:
    """Return base[start:end] with hunks applied."""
    parts, pos = [], start
    for h in hunks:
        parts += [base[pos : h.start], h.new]
        pos = h.end
    parts.append(base[pos:end])
    return "".join(parts)


def _versions(base: str, cluster: list[_Hunk]) -> tuple[str, str, str]:
    """Return the base, mine and theirs text (as codes) of the region a cluster covers."""
    start, end = cluster[0].start, max(h.end for h in cluster)
    mine = _apply(base, start, end, (h for h in cluster if h.mine))
    return base[start:end], mine, _apply(base, start, end, (h for h in cluster if not h.mine))


def _joined(
    base: str, clusters: list[list[_Hunk]], decode: Callable[[str], str]
) -> list[list[_Hunk]]:
    """Join conflicting clusters that are close (spaces, or a few words on one line) into one."""
    joined: list[list[_Hunk]] = []
    last = -1  # index in joined of the last conflicting cluster
    for cluster in clusters:
        if len(set(map(decode, _versions(base, cluster)))) < 3:
            joined.append(cluster)
            continue
        if last >= 0:
            codes = base[max(h.end for h in joined[last]) : cluster[0].start]
            gap = decode(codes)
            if not gap.strip() or (len(codes) <= _NEAR_TOKENS and "\n" not in gap):
                cluster = [h for c in joined[last:] for h in c] + cluster
                del joined[last:]
        joined.append(cluster)
        last = len(joined) - 1
    return joined


def _chunks(base: str, clusters: list[list[_Hunk]], vocab: list[str]) -> tuple[Chunk, ...]:
    """Return the merged chunks: base text between clusters, each cluster merged or a conflict."""

    def decode(codes: str) -> str:
        """Return the text of token codes."""
        return codes.translate(vocab)  # vocab[ord(code)] for each code

    chunks: list[Chunk] = []
    runs: list[Piece] = []  # merged text since the last conflict
    pos = 0
    for cluster in _joined(base, clusters, decode):
        runs.append(decode(base[pos : cluster[0].start]))
        pos = max(h.end for h in cluster)
        old, mine, theirs = map(decode, _versions(base, cluster))
        if old in (mine, theirs) or mine == theirs:
            runs.append((theirs if mine == old else mine, mine, theirs))
            continue
        chunks += _text_chunk(runs)
        chunks.append(Chunk(conflict=Conflict(old, mine, theirs)))
        runs = []
    runs.append(decode(base[pos:]))
    return tuple(chunks + _text_chunk(runs))


def _text_chunk(runs: list[Piece]) -> list[Chunk]:
    """Return the text chunk of runs (none if empty), keeping them if the sides differ."""
    text = "".join(r if isinstance(r, str) else r[0] or "" for r in runs)
    differ = any(not isinstance(r, str) and r[1] != r[2] for r in runs)
    return [Chunk(text, runs=tuple(runs) if differ else ())] if text else []


def token_changes(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """Return the changed regions (old_start, old_end, new_start, new_end) between two token
    lists, found as the merge finds one side's changes: lines, then sentences, then tokens."""
    codes: dict[str, str] = {}
    return _regions(old, new, _code(old, codes), _code(new, codes))
