"""The part of a text an edit changed: whole lines between a common head and a common tail."""

from diff_match_patch import diff_match_patch

_DMP = diff_match_patch()


def changed_lines(old: str, new: str) -> tuple[int, int]:
    """Return (head, tail): how many characters both texts share at the start and at the end,
    cut at line boundaries, so that only old[head:len(old) - tail] and new[head:len(new) -
    tail] differ and both sides of each cut are whole lines."""
    if old == new:
        return len(old), 0
    head = _DMP.diff_commonPrefix(old, new)
    if head and old[head - 1] != "\n":
        head = old.rfind("\n", 0, head) + 1
    tail = _DMP.diff_commonSuffix(old[head:], new[head:])
    if tail and not (_line_start(old, len(old) - tail) and _line_start(new, len(new) - tail)):
        common = old[len(old) - tail :]
        tail = len(common) - common.find("\n") - 1 if "\n" in common else 0
    return head, tail


def _line_start(text: str, at: int) -> bool:
    return at == 0 or text[at - 1] == "\n"


def widen(text: str, start: int, end: int, head: int, tail_start: int) -> tuple[int, int]:
    """Return the window [head, tail_start) widened to whole lines taking in [start, end)."""
    low = min(head, text.rfind("\n", 0, start) + 1)
    after = text.find("\n", end)
    high = max(tail_start, len(text) if after == -1 else after + 1)
    return low, high
