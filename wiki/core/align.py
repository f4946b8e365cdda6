"""Align two sequences (lines, or tokens as characters) within a budget of work."""

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

# Myers' search costs about d² steps for d edits. Past this many edits the path found
# so far is kept and the search restarts from its end, so a rewrite stays fast.
_MAX_EDITS = 150

Pairs = list[tuple[int, int]]


class OverBudget(Exception):
    """The work allowed for a comparison ran out before it was done."""


class Budget:
    """Steps of work left: roughly, elements compared or visited."""

    def __init__(self, steps: float) -> None:
        self.left = steps

    def spend(self, steps: int) -> None:
        """Take steps from the budget; raise OverBudget once it is spent."""
        self.left -= steps
        if self.left < 0:
            raise OverBudget


UNLIMITED = float("inf")


def align(a: Sequence[str], b: Sequence[str], budget: Budget | None = None) -> Pairs:
    """Return the (i, j) pairs with a[i] == b[j] that the diff keeps, in order."""
    budget = budget or Budget(UNLIMITED)
    matches: Pairs = []
    regions = [(0, len(a), 0, len(b))]
    while regions:
        alo, ahi, blo, bhi = regions.pop()
        # The ends, the sets and the anchors: quick steps, each about half a search step.
        budget.spend((ahi - alo + bhi - blo) // 2 + 1)
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
                alo, blo = _myers(a, b, (alo, ahi, blo, bhi), matches, budget)
            continue
        matches += [(alo + i, blo + j) for i, j in anchors]
        for i, j in reversed(anchors):
            regions.append((alo + i + 1, ahi, blo + j + 1, bhi))
            ahi, bhi = alo + i, blo + j
        regions.append((alo, ahi, blo, bhi))
    return sorted(matches)


def common_ends(a: Sequence[str], b: Sequence[str]) -> tuple[int, int]:
    """Return how many items both start with, and how many more they both end with."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start, end


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
    a: Sequence[str],
    b: Sequence[str],
    region: tuple[int, int, int, int],
    matches: Pairs,
    budget: Budget,
) -> tuple[int, int]:
    """Add the pairs of a shortest edit path from the region's start; return where it stops."""
    alo, ahi, blo, bhi = region
    n, m = ahi - alo, bhi - blo
    limit = min(_MAX_EDITS, n + m)
    off = limit + 1
    v = [0] * (2 * off + 1)  # v[off + k]: the furthest x reached on diagonal k = x - y
    trace = []
    for d in range(limit + 1):
        steps = d + 1
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[off + k - 1] < v[off + k + 1]):
                x = v[off + k + 1]
            else:
                x = v[off + k - 1] + 1
            y, start = x - k, x
            while x < n and y < m and a[alo + x] == b[blo + y]:
                x, y = x + 1, y + 1
            steps += x - start
            v[off + k] = x
            if x >= n and y >= m:
                _backtrack(trace, off, d, k, x, alo, blo, matches)
                return ahi, bhi
        budget.spend(steps)
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
