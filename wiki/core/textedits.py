"""Turn one text into another by a few replacements, for a shared text others edit at once.

Replacing the whole text would throw away everyone's concurrent typing; replacing only the
changed runs keeps it (a CRDT keeps insertions made beside a deleted run).
"""

from diff_match_patch import diff_match_patch


def replacements(old: str, new: str) -> list[tuple[int, int, str]]:
    """Return (start, end, inserted) runs in old's character offsets, last run first."""
    differ = diff_match_patch()
    differ.Diff_Timeout = 1.0
    diffs = differ.diff_main(old, new)
    differ.diff_cleanupSemantic(diffs)
    runs: list[tuple[int, int, str]] = []
    at = 0
    for op, chunk in diffs:
        if op == 0:
            at += len(chunk)
        elif op == -1:
            if runs and runs[-1][1] == at:
                start, _end, inserted = runs[-1]
                runs[-1] = (start, at + len(chunk), inserted)
            else:
                runs.append((at, at + len(chunk), ""))
            at += len(chunk)
        else:
            if runs and runs[-1][1] == at:
                start, end, inserted = runs[-1]
                runs[-1] = (start, end, inserted + chunk)
            else:
                runs.append((at, at, chunk))
    return runs[::-1]


def utf8_offset(text: str, index: int) -> int:
    """Return the UTF-8 byte offset of a character offset (Yrs counts text in bytes here)."""
    return len(text[:index].encode())
