"""Who wrote each word: attribute every token of a page's text to the revision that introduced it.

Incremental, one revision at a time, in the manner of WikiWho (Flöck & Acosta, 2014):

1. Sentences (and lines) of the new text found whole in the previous text, or among text
   deleted earlier (the page's memory), keep the authors they had there: paragraphs that
   moved, text removed by vandalism and restored, and copies within the page keep their
   original authors.
2. The tokens left over are compared with the previous text's left-over tokens by the
   project's diff core (wiki.core.merge.token_changes); unchanged tokens keep their authors.
3. Each run of inserted tokens is matched, longest first, against text deleted by this edit,
   the memory, and the previous text; matches of MIN_MATCH tokens or more (or a whole deleted
   run restored as it was) keep their authors, the rest is the new revision's.

Attributions are stored as character runs (start, end, revision); whitespace takes the
author of the word before it, so runs stay few.
"""

import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection
from dataclasses import dataclass, field

from wiki.core.merge import token_changes
from wiki.core.tokens import tokenize
from wiki.core.window import changed_lines

Run = tuple[int, int, int]  # start, end (characters), revision id
_STOPS = frozenset(".!?")
# Letters and digits (not the underscore), and emoji and other pictographs.
_WORDISH = re.compile(r"[^\W_]|[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]")
_CJK_STOPS = frozenset("。！？")
#: An inserted run must match this many tokens of older text to keep its authors (about
#: three words with their spaces), so that common words are not credited to someone else.
MIN_MATCH = 5
#: Text this very edit deleted elsewhere needs fewer (two words): it was moved.
MIN_MOVED = 3
#: At most this many characters of older text are searched for what one edit inserts: a
#: rewrite of a whole long page would otherwise search the page once per inserted word
#: (a 1 MB page of changed lines took many minutes). Past it, the rest of the edit is
#: credited to its own revision.
SEARCH_BUDGET = 50_000_000
#: Changed lines longer than this (old and new together) are credited to the edit whole,
#: without comparing words: the comparison costs about 10 µs a word, so rewriting a 1 MB
#: page would hold the save for 15 s. A 20 KB marketing page is far below it.
MAX_COMPARED_CHARS = 400_000
#: The memory of deleted text keeps about this many characters per page, newest first, in
#: at most MEMORY_FRAGMENTS runs.
MEMORY_CHARS = 30_000
MEMORY_FRAGMENTS = 300


@dataclass(frozen=True)
class Attribution:
    """A text and who wrote it: character runs covering it, each with a revision id."""

    text: str
    runs: tuple[Run, ...]

    def tokens(self) -> tuple[list[str], list[int]]:
        """Return the tokens and the revision of each (the run its first character is in)."""
        tokens = tokenize(self.text)
        revisions, run, at = [], 0, 0
        for token in tokens:
            while run < len(self.runs) - 1 and self.runs[run][1] <= at:
                run += 1
            revisions.append(self.runs[run][2] if self.runs else 0)
            at += len(token)
        return tokens, revisions


@dataclass(frozen=True)
class Memory:
    """Text deleted from a page earlier, with its authors, newest last."""

    fragments: tuple[Attribution, ...] = field(default=())


EMPTY = Memory()


def from_tokens(tokens: list[str], revisions: list[int]) -> Attribution:
    """Return the attribution of tokens, whitespace joining the run of the word before it."""
    runs: list[list[int]] = []
    at = 0
    for token, revision in zip(tokens, revisions, strict=True):
        end = at + len(token)
        if runs and (runs[-1][2] == revision or token.isspace()):
            runs[-1][1] = end
        else:
            runs.append([at, end, revision])
        at = end
    return Attribution("".join(tokens), tuple((s, e, r) for s, e, r in runs))


def first(text: str, revision: int) -> Attribution:
    """Return the attribution of a page's first text: all of it by its revision."""
    return Attribution(text, ((0, len(text), revision),) if text else ())


def is_word(token: str) -> bool:
    """Return whether a token counts as a word in shares (letters, digits, emoji, not marks)."""
    return bool(_WORDISH.search(token))


def word_counts(attribution: Attribution) -> dict[int, int]:
    """Return how many words of the text each revision wrote."""
    counts: dict[int, int] = {}
    text = attribution.text
    for start, end, revision in attribution.runs:
        # Runs start and end at token boundaries, so each run's tokens are the text's.
        words = sum(1 for token in tokenize(text[start:end]) if _WORDISH.search(token))
        counts[revision] = counts.get(revision, 0) + words
    return {revision: n for revision, n in counts.items() if n}


def stored_form(
    runs: tuple[Run, ...],
    counts: dict[int, int],
    previous: str | None = None,
    kept: tuple[int, int] = (0, 0),
    touched: Collection[int] | None = None,
) -> str:
    """Return runs and word counts as stored for a revision: a line per run ("length
    revision"), an empty line, a line per revision's word count ("revision words").

    Lengths, not offsets: an edit changes only the lines of the runs it touched, so a
    revision's form is a small delta on the previous revision's. previous: that form, whose
    first and last lines serve for the runs Edit.kept names, and whose count lines serve
    for every revision but those in touched (Edit.touched): a long history's thousand
    lines are not written again for each save.
    """
    start, end = kept if previous is not None else (0, 0)
    old_runs, old_counts = _sections(previous) if previous is not None else ("", "")
    lines: list[str] = []
    if start:  # the first start lines, as one piece
        head = old_runs.split("\n", start)
        lines.append(old_runs[: -len(head[start]) - 1] if len(head) > start else old_runs)
    lines += [f"{e - s} {revision}" for s, e, revision in runs[start : len(runs) - end]]
    if end:  # the last end lines
        tail = old_runs.rsplit("\n", end)
        lines.append(old_runs[len(tail[0]) + 1 :] if len(tail) > end else old_runs)
    lines.append("")
    if counts:
        patched = None
        if touched is not None and old_counts:
            patched = _patched_counts(old_counts, counts, touched)
        lines.append(patched or "\n".join(map("%d %d".__mod__, sorted(counts.items()))))
    return "\n".join(lines)


def _sections(form: str) -> tuple[str, str]:
    """Return a stored form's run lines and count lines (each joined, without the blank
    line between them)."""
    if not form or form.startswith("\n"):  # no runs
        return "", form[1:]
    blank = form.find("\n\n")
    if blank < 0:  # no counts: the form ends with the blank line
        return form[:-1], ""
    return form[:blank], form[blank + 2 :]


def _patched_counts(body: str, counts: dict[int, int], touched: Collection[int]) -> str | None:
    """Return a form's count lines (body) with only the touched revisions' lines rewritten,
    removed or (after the last) added; None when a line would go in between."""
    last = int(body[body.rfind("\n") + 1 :].split(" ", 1)[0])
    # Between newlines, "\n<revision> " can only be the start of that revision's line.
    text = "\n" + body + "\n"
    for owner in sorted(touched):
        at = text.find(f"\n{owner} ")
        line = f"\n{owner} {counts[owner]}" if owner in counts else ""
        if at >= 0:
            text = text[:at] + line + text[text.index("\n", at + 1) :]
        elif line:
            if owner < last:
                return None
            text = text[:-1] + line + "\n"
    return text[1:-1]


def from_stored_form(form: str) -> tuple[tuple[Run, ...], dict[int, int]]:
    """Return the runs and word counts of a revision's stored form."""
    lines = form.split("\n")
    blank = lines.index("")
    return _runs_of(lines[:blank]), _counts_of(lines[blank + 1 :])


def counts_in_stored_form(form: str) -> dict[int, int]:
    """Return only the word counts of a revision's stored form (for shares)."""
    at = form.find("\n\n")
    return _counts_of(form[at + 2 :].split("\n") if at >= 0 else form.split("\n")[1:])


def _runs_of(lines: list[str]) -> tuple[Run, ...]:
    runs, at = [], 0
    for line in lines:
        length, revision = line.split(" ")
        runs.append((at, at + int(length), int(revision)))
        at += int(length)
    return tuple(runs)


def _counts_of(lines: list[str]) -> dict[int, int]:
    counts = {}
    for line in lines:
        if line:
            revision, words = line.split(" ")
            counts[int(revision)] = int(words)
    return counts


def attribute(
    previous: Attribution | None,
    text: str,
    revision: int,
    memory: Memory = EMPTY,
    restored: Attribution | None = None,
) -> tuple[Attribution, Memory]:
    """Return the attribution of text, saved as revision after previous, and the new memory.

    restored is the attribution of an earlier revision with exactly this text (a revert):
    it is taken as it was.
    """
    if previous is None:
        return first(text, revision), memory
    attribution, memory, _window = _attributed(previous, text, revision, memory, restored)
    return attribution, memory


@dataclass(frozen=True)
class Edit:
    """A revision attributed after the previous one: its attribution, the page's memory,
    the word counts per revision, and kept: how many runs at the start and at the end are
    the previous attribution's (those at the end moved by the edit), whose lines in the
    stored form stay as they were (stored_form)."""

    attribution: Attribution
    memory: Memory
    counts: dict[int, int]
    kept: tuple[int, int] = (0, 0)
    #: The revisions with words in the lines the edit changed, before or after: the only
    #: counts it may have changed (None: all were counted again).
    touched: frozenset[int] | None = None


def attribute_edit(
    previous: Attribution,
    counts: dict[int, int],
    text: str,
    revision: int,
    memory: Memory = EMPTY,
    restored: Attribution | None = None,
) -> Edit:
    """Return attribute()'s result with the word counts, given those of previous: only the
    changed lines are counted, and the runs of the unchanged lines are named (Edit.kept)."""
    attribution, memory, window = _attributed(previous, text, revision, memory, restored)
    if window is None:  # a restore taken whole: nothing is known to be kept
        return Edit(attribution, memory, word_counts(attribution))
    head, old_end, new_end, before, after = window
    result = dict(counts)
    touched = set()
    for sign, part in ((-1, before), (1, after)):
        for owner, n in word_counts(part).items():
            result[owner] = result.get(owner, 0) + sign * n
            touched.add(owner)
    for owner in touched:
        if result[owner] <= 0:
            del result[owner]
    kept = _kept_runs(previous, attribution, head, old_end)
    return Edit(attribution, memory, result, kept, frozenset(touched))


def _kept_runs(previous: Attribution, current: Attribution, head: int, old_end: int):
    """Return how many runs current starts with that are previous's own (those ending by
    head), and how many it ends with that are previous's moved (those starting at old_end or
    later); the two runs where the edit's runs meet them may have been joined to them."""
    before, after = previous.runs, current.runs
    start = bisect_right(before, head, key=_end)
    if start and (start > len(after) or after[start - 1] != before[start - 1]):
        start -= 1  # joined to the edit's first run
    end = len(before) - bisect_left(before, old_end, key=_start)
    if end:
        s, e, r = before[-end]
        a_s, a_e, a_r = after[-end] if end <= len(after) - start else (0, -1, None)
        if (a_e - a_s, a_r) != (e - s, r):
            end -= 1  # joined to the edit's last run
    return start, end


#: What _attributed knows of an edit whose unchanged lines kept their runs: (head, old_end,
#: new_end, the changed lines' attribution before, after).
_Window = tuple[int, int, int, Attribution, Attribution]


def _attributed(
    previous: Attribution,
    text: str,
    revision: int,
    memory: Memory,
    restored: Attribution | None,
) -> tuple[Attribution, Memory, _Window | None]:
    """Return attribute()'s result, and the window of changed lines (None for a restore
    taken whole)."""
    old = previous.text
    if old == text:
        nothing = Attribution("", ())
        return Attribution(text, previous.runs), memory, (len(old),) * 3 + (nothing, nothing)
    # Only the lines between what both texts share at the start and at the end changed.
    head, tail = changed_lines(old, text)
    old_end, new_end = len(old) - tail, len(text) - tail
    middle = Attribution(old[head:old_end], tuple(_cut(previous.runs, head, old_end)))
    if restored is None and (old_end - head) + (new_end - head) > MAX_COMPARED_CHARS:
        changed = ((0, new_end - head, revision),) if new_end > head else ()
        runs = _joined(
            _cut(previous.runs, 0, head),
            _shifted(list(changed), head),
            _cut(previous.runs, old_end, len(old), new_end),
        )
        window = (head, old_end, new_end, middle, Attribution(text[head:new_end], changed))
        return Attribution(text, runs), memory, window
    old_tokens, old_revisions = middle.tokens()
    new_tokens = tokenize(text[head:new_end])
    if restored is not None and restored.text == text:
        kept = _kept_by_diff(old_tokens, new_tokens)
        attribution, window = Attribution(text, restored.runs), None
    else:
        pools = _Pools(memory, previous)
        new_revisions, kept = _attribute(
            old_tokens, old_revisions, new_tokens, revision, memory, pools
        )
        changed = from_tokens(new_tokens, new_revisions)
        attribution = Attribution(
            text,
            _joined(
                _cut(previous.runs, 0, head),
                _shifted(list(changed.runs), head),
                _cut(previous.runs, old_end, len(old), new_end),
            ),
        )
        window = (head, old_end, new_end, middle, changed)
    deleted = _deleted_runs(old_tokens, old_revisions, kept)
    return attribution, _remember(memory, deleted), window


def _cut(runs: tuple[Run, ...], start: int, end: int, to: int = 0) -> list[Run]:
    """Return the runs within [start, end), moved so that start is at to (counted from
    start, by default)."""
    first = bisect_right(runs, start, key=_end)  # the first run ending after start
    last = bisect_left(runs, end, key=_start)  # past the last run starting before end
    inside = list(runs[first:last])
    if not inside:
        return []
    s, e, r = inside[0]
    inside[0] = (max(s, start), e, r)
    s, e, r = inside[-1]
    inside[-1] = (s, min(e, end), r)
    return _shifted(inside, to - start) if to != start else inside


def _start(run: Run) -> int:
    return run[0]


def _end(run: Run) -> int:
    return run[1]


def _shifted(runs, offset: int) -> list[Run]:
    """Return the runs moved by offset characters."""
    return [(s + offset, e + offset, r) for s, e, r in runs]


def _joined(*parts: list[Run]) -> tuple[Run, ...]:
    """Return the parts' runs one after another, joining neighbours of one revision where
    the parts meet, without empty runs at their edges (each part is joined within itself
    already, and only cuts at its edges can leave a run empty)."""
    out: list[Run] = []
    for part in parts:
        while part and part[0][1] <= part[0][0]:
            part = part[1:]
        while part and part[-1][1] <= part[-1][0]:
            part = part[:-1]
        if out and part and out[-1][2] == part[0][2] and out[-1][1] == part[0][0]:
            out[-1] = (out[-1][0], part[0][1], out[-1][2])
            part = part[1:]
        out += part
    return tuple(out)


def _attribute(
    old: list[str],
    old_revs: list[int],
    new: list[str],
    revision: int,
    memory: Memory,
    pools: "_Pools",
) -> tuple[list[int], set[int]]:
    """Return the revision of each new token, and which old tokens live on in the new text."""
    result: list[int | None] = [None] * len(new)
    kept: set[int] = set()
    old_units = _units(old)
    free: dict[str, list[tuple[int, int]]] = {}
    every: dict[str, tuple[int, int]] = {}
    for start, end in old_units:
        key = "".join(old[start:end])
        free.setdefault(key, []).append((start, end))
        every.setdefault(key, (start, end))
    remembered: dict[int, tuple[list[str], list[int], list[tuple[int, int]]]] = {}
    for start, end in _units(new):
        key = "".join(new[start:end])
        if free.get(key):
            o0, _ = free[key].pop(0)
            result[start:end] = old_revs[o0 : o0 + end - start]
            kept.update(range(o0, o0 + end - start))
        elif key in every:  # a copy of a sentence that is still there
            o0 = every[key][0]
            result[start:end] = old_revs[o0 : o0 + end - start]
        else:
            found = _remembered(key, memory, remembered)
            if found is not None:
                result[start:end] = found
    # What no sentence matched is compared token by token with what is left of the old text.
    old_left = [i for i in range(len(old)) if i not in kept]
    new_left = [j for j in range(len(new)) if result[j] is None]
    a, b = [old[i] for i in old_left], [new[j] for j in new_left]
    x = y = 0
    inserted: list[list[int]] = []
    deleted: list[tuple[int, int]] = []
    for a0, a1, b0, b1 in [*token_changes(a, b), (len(a), len(a), len(b), len(b))]:
        for step in range(a0 - x):
            result[new_left[y + step]] = old_revs[old_left[x + step]]
            kept.add(old_left[x + step])
        if b1 > b0:  # split where the left-over tokens were apart in the new text
            for k in range(b0, b1):
                if k == b0 or new_left[k] != new_left[k - 1] + 1:
                    inserted.append([])
                inserted[-1].append(new_left[k])
        if a1 > a0:
            deleted.append((a0, a1))
        x, y = a1, b1
    pools.moved = [
        _pool(a[a0:a1], [old_revs[old_left[i]] for i in range(a0, a1)]) for a0, a1 in deleted
    ]
    for positions in inserted:
        _match_inserted(new, positions, pools, result, revision)
    return [revision if r is None else r for r in result], kept


def _units(tokens: list[str]) -> list[tuple[int, int]]:
    """Return the sentences and lines of tokens, without whitespace at their ends."""
    units, start = [], 0
    for i, token in enumerate(tokens):
        ends = (
            "\n" in token
            or token in _CJK_STOPS
            or (token.isspace() and i and tokens[i - 1] in _STOPS)
        )
        if ends or i == len(tokens) - 1:
            s, e = start, i + 1
            while s < e and tokens[s].isspace():
                s += 1
            while e > s and tokens[e - 1].isspace():
                e -= 1
            if e > s:
                units.append((s, e))
            start = i + 1
    return units


def _remembered(key: str, memory: Memory, cache: dict) -> list[int] | None:
    """Return the revisions of the tokens of a sentence found whole in the memory, newest
    first; fragments are tokenized only when their text holds the sentence."""
    for number in range(len(memory.fragments) - 1, -1, -1):
        fragment = memory.fragments[number]
        if key not in fragment.text:
            continue
        if number not in cache:
            tokens, revisions = fragment.tokens()
            cache[number] = (tokens, revisions, _units(tokens))
        tokens, revisions, units = cache[number]
        for start, end in units:
            if "".join(tokens[start:end]) == key:
                return revisions[start:end]
    return None


_Pool = tuple[str, list[str], list[int], dict[int, int]]  # text, tokens, revisions, offset → token


def _pool(tokens: list[str], revisions: list[int]) -> _Pool:
    """Return older text to match inserted tokens against."""
    starts, at = {}, 0
    for n, token in enumerate(tokens):
        starts[at] = n
        at += len(token)
    return "".join(tokens), tokens, revisions, starts


class _Pools:
    """Where inserted text may come from, most likely first: text this edit deleted
    (moved), the memory of deleted text, the previous text (copies). Built when first needed."""

    def __init__(self, memory: Memory, previous: Attribution) -> None:
        self.moved: list[_Pool] = []
        self._memory = list(reversed(memory.fragments))
        self._previous = previous
        self._built: list[_Pool] | None = None
        self.budget = SEARCH_BUDGET
        self._missing: set[tuple[int, str]] = set()

    def find(self, text: str, probe: str) -> int:
        """Return where probe first is in text, or -1 (also once the budget is spent)."""
        if (id(text), probe) in self._missing or self.budget <= 0:
            return -1
        # Finding every later occurrence too scans the text at most once more in all.
        self.budget -= len(text)
        at = text.find(probe)
        if at == -1:
            self._missing.add((id(text), probe))
        return at

    def older(self) -> list[_Pool]:
        """Return the memory's pools and the previous text's."""
        if self._built is None:
            sources = [*self._memory, self._previous]
            self._built = [_pool(*source.tokens()) for source in sources]
        return self._built

    def restorable(self, whole: str):
        """Yield the deleted runs (this edit's, then the memory's) whose text is whole."""
        yield from (pool for pool in self.moved if pool[0].strip() == whole)
        for fragment in self._memory:
            if fragment.text.strip() == whole:
                yield _pool(*fragment.tokens())


def _match_inserted(
    new: list[str], positions: list[int], pools: _Pools, result: list, revision: int
) -> None:
    """Credit a run of inserted tokens to the older text it repeats, else to revision."""
    run = [new[p] for p in positions]
    core = _trimmed(run)
    for _text, tokens, revisions, _starts in pools.restorable("".join(run).strip()):
        s, e = _trimmed(tokens)
        if e - s == core[1] - core[0] and tokens[s:e] == run[core[0] : core[1]] and e > s:
            # A deleted run restored as it was, however short.
            for k in range(core[0], core[1]):
                result[positions[k]] = revisions[s + k - core[0]]
            for k in [*range(core[0]), *range(core[1], len(run))]:
                result[positions[k]] = revision
            return
    k = 0
    while k < len(run):
        if pools.budget <= 0:  # nothing more is searched: the rest is this revision's
            for position in positions[k:]:
                result[position] = revision
            return
        found = _longest(run, k, pools)
        if found is None:
            result[positions[k]] = revision
            k += 1
            continue
        revisions, at, size = found
        for step in range(size):
            result[positions[k + step]] = revisions[at + step]
        k += size


def _trimmed(tokens: list[str]) -> tuple[int, int]:
    """Return the bounds of tokens without whitespace at either end."""
    s, e = 0, len(tokens)
    while s < e and tokens[s].isspace():
        s += 1
    while e > s and tokens[e - 1].isspace():
        e -= 1
    return s, e


def _longest(run: list[str], k: int, pools: _Pools) -> tuple[list[int], int, int] | None:
    """Return (revisions, token index, length) of the longest match of run[k:] in a pool;
    in text this edit deleted (moved), MIN_MOVED tokens are enough."""
    if len(run) - k < MIN_MOVED:
        return None
    best = None
    candidates = [(MIN_MOVED, pool) for pool in pools.moved]
    if len(run) - k >= MIN_MATCH:
        candidates += [(MIN_MATCH, pool) for pool in pools.older()]
    for least, (text, tokens, revisions, starts) in candidates:
        probe = "".join(run[k : k + least])
        at = pools.find(text, probe)
        while at != -1:
            if at in starts:
                t = starts[at]
                size = least
                while (
                    k + size < len(run)
                    and t + size < len(tokens)
                    and tokens[t + size] == run[k + size]
                ):
                    size += 1
                if best is None or size > best[2]:
                    best = (revisions, t, size)
                break
            at = text.find(probe, at + 1)
    return best


def _kept_by_diff(old: list[str], new: list[str]) -> set[int]:
    """Return the old tokens the diff finds unchanged in the new text."""
    kept, x = set(), 0
    for a0, a1, _b0, _b1 in [*token_changes(old, new), (len(old), len(old), 0, 0)]:
        kept.update(range(x, a0))
        x = a1
    return kept


def _deleted_runs(tokens: list[str], revisions: list[int], kept: set[int]) -> list[Attribution]:
    """Return the runs of old tokens that did not live on, with their authors."""
    runs, current = [], []
    for i in range(len(tokens)):
        if i in kept:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(i)
    if current:
        runs.append(current)
    return [
        from_tokens([tokens[i] for i in run], [revisions[i] for i in run])
        for run in runs
        if any(is_word(tokens[i]) for i in run)
    ]


def _remember(memory: Memory, deleted: list[Attribution]) -> Memory:
    """Return the memory with the deleted runs added, the oldest dropped past MEMORY_CHARS
    characters or MEMORY_FRAGMENTS runs."""
    if not deleted:
        return memory
    fragments = [*memory.fragments, *deleted][-MEMORY_FRAGMENTS:]
    total, keep = 0, len(fragments)
    while keep and total + len(fragments[keep - 1].text) <= MEMORY_CHARS:
        total += len(fragments[keep - 1].text)
        keep -= 1
    return Memory(tuple(fragments[keep:]))
