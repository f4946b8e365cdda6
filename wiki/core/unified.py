"""A unified diff of two texts, as `diff -u` writes it: the download for diffs too big to show."""

import re
from collections.abc import Iterator

from wiki.core.align import Budget, OverBudget, Pairs, align, common_ends

# Aligning lines for a download may take more steps than for a page; past them the diff is one
# hunk from the first line that differs to the last, still a correct patch.
STEPS = 20_000_000
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_Op = tuple[bool, int, int, int, int]  # equal or not, old lines [i0, i1), new lines [j0, j1)


def unified_diff(
    old: str,
    new: str,
    old_label: str = "old",
    new_label: str = "new",
    context: int = 3,
    steps: float = STEPS,
) -> str:
    """Return the unified diff that turns old into new; empty if they are the same."""
    if context < 0:
        raise ValueError("context must not be negative")
    a, b = _lines(old), _lines(new)
    if a == b:
        return ""
    try:
        matches = align(a, b, Budget(steps))
    except OverBudget:
        matches = _common_ends(a, b)
    out = [f"--- {_label(old_label)}\n", f"+++ {_label(new_label)}\n"]
    for group in _groups(_opcodes(matches, len(a), len(b)), context):
        out += _hunk(group, a, b)
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Return the lines of text, each with its newline (the last may have none)."""
    return _LINE.findall(text.replace("\r\n", "\n").replace("\r", "\n"))


def _label(label: str) -> str:
    """Return a file label on one line."""
    return " ".join(label.splitlines())


def _common_ends(a: list[str], b: list[str]) -> Pairs:
    """Return the pairs of the lines both texts start and end with."""
    start, end = common_ends(a, b)
    tail = [(len(a) - end + k, len(b) - end + k) for k in range(end)]
    return [(k, k) for k in range(start)] + tail


def _opcodes(matches: Pairs, n: int, m: int) -> list[_Op]:
    """Return the runs of equal and of changed lines, in order."""
    ops: list[_Op] = []
    i = j = 0
    for mi, mj in [*matches, (n, m)]:
        if i < mi or j < mj:
            ops.append((False, i, mi, j, mj))
        if mi < n:
            if ops and ops[-1][0] and ops[-1][2] == mi and ops[-1][4] == mj:
                ops[-1] = (True, ops[-1][1], mi + 1, ops[-1][3], mj + 1)
            else:
                ops.append((True, mi, mi + 1, mj, mj + 1))
        i, j = mi + 1, mj + 1
    return ops


def _groups(ops: list[_Op], context: int) -> Iterator[list[_Op]]:
    """Yield the runs of ops making one hunk each, with up to `context` equal lines around."""
    if ops[0][0]:
        _, i0, i1, j0, j1 = ops[0]
        ops[0] = (True, max(i0, i1 - context), i1, max(j0, j1 - context), j1)
    if ops[-1][0]:
        _, i0, i1, j0, j1 = ops[-1]
        ops[-1] = (True, i0, min(i1, i0 + context), j0, min(j1, j0 + context))
    group: list[_Op] = []
    for equal, i0, i1, j0, j1 in ops:
        if equal and i1 - i0 > 2 * context and group:
            group.append((True, i0, i0 + context, j0, j0 + context))
            yield group
            group = []
            i0, j0 = i1 - context, j1 - context
        group.append((equal, i0, i1, j0, j1))
    if any(not op[0] for op in group):
        yield group


def _hunk(group: list[_Op], a: list[str], b: list[str]) -> list[str]:
    """Return the lines of one hunk: its header, then context, removed and added lines."""
    i0, j0, i1, j1 = group[0][1], group[0][3], group[-1][2], group[-1][4]
    out = [f"@@ -{_range(i0, i1 - i0)} +{_range(j0, j1 - j0)} @@\n"]
    for equal, x0, x1, y0, y1 in group:
        if equal:
            out += [_line(" ", line) for line in a[x0:x1]]
        else:
            out += [_line("-", line) for line in a[x0:x1]]
            out += [_line("+", line) for line in b[y0:y1]]
    return out


def _range(start: int, length: int) -> str:
    """Return a hunk range as diff writes it: "3" for one line, "2,0" for none after line 2."""
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


def _line(mark: str, line: str) -> str:
    """Return a marked line, saying so when it has no newline."""
    return mark + line if line.endswith("\n") else f"{mark}{line}\n\\ No newline at end of file\n"
