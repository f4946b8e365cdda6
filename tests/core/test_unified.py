"""Unified diffs for download: correct patches, as diff -u writes them, within a budget."""

import difflib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiki.core.unified import unified_diff

LINE = re.compile(r"[^\n]*\n|[^\n]+")
HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n")


def patch_lines(patch: str) -> list[tuple[str, str]]:
    """Return the hunk lines as (mark, text), a "\\ No newline" note taking the newline off."""
    out: list[tuple[str, str]] = []
    for line in LINE.findall(patch)[2:]:
        if line.startswith("\\"):
            mark, text = out.pop()
            out.append((mark, text[:-1]))
        else:
            out.append((line[0], line[1:]))
    return out


def apply(patch: str, old: str) -> str:
    """Return old patched, checking every context and removed line against it."""
    if not patch:
        return old
    a, out, pos = LINE.findall(old), [], 0
    for mark, text in patch_lines(patch):
        if mark == "@":
            start, length = int(HUNK.match("@" + text)[1]), HUNK.match("@" + text)[2]
            start = start if length == "0" else start - 1
            assert start >= pos
            out += a[pos:start]
            pos = start
        elif mark == "+":
            out.append(text)
        else:
            assert a[pos] == text, (mark, text, a[pos])
            out += [text] if mark == " " else []
            pos += 1
    return "".join(out + a[pos:])


CASES = {
    "one-line-changed": ("a\nb\nc\n", "a\nB\nc\n"),
    "added-at-start": ("a\nb\n", "new\na\nb\n"),
    "removed-at-end": ("a\nb\nc\n", "a\nb\n"),
    "far-apart": (
        "".join(f"{n}\n" for n in range(30)),
        "".join(f"{n}\n" for n in range(30)).replace("3\n", "three\n").replace("25\n", "x\n"),
    ),
    "italian-emoji-cjk": ("Perché sì\n🍕\n日本語\n", "Perché no\n🍕\n日本語です\n"),
    "from-empty": ("", "a\nb\n"),
    "to-empty": ("a\nb\n", ""),
}


@pytest.mark.parametrize(("old", "new"), CASES.values(), ids=CASES)
def test_the_patch_is_what_difflib_writes(old: str, new: str) -> None:
    expected = "".join(
        difflib.unified_diff(old.splitlines(True), new.splitlines(True), "r1", "r2", n=3)
    )
    assert unified_diff(old, new, "r1", "r2") == expected
    assert apply(expected, old) == new


def test_a_missing_final_newline_is_noted() -> None:
    patch = unified_diff("a\nb", "a\nb\n")
    assert patch == "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
    assert apply(patch, "a\nb") == "a\nb\n"


def test_the_same_texts_give_no_patch() -> None:
    assert unified_diff("a\r\nb\r\n", "a\nb\n") == ""


def test_labels_stay_on_one_line() -> None:
    patch = unified_diff("a\n", "b\n", "Page\n+++ evil", "Page r2")
    assert patch.startswith("--- Page +++ evil\n+++ Page r2\n@@")


@pytest.mark.parametrize("context", [0, 1, 3, 10])
def test_context_lines_are_as_many_as_asked(context: int) -> None:
    old = "".join(f"line {n}\n" for n in range(40))
    new = old.replace("line 20\n", "line twenty\n")
    patch = unified_diff(old, new, context=context)
    assert sum(mark == " " for mark, _ in patch_lines(patch)) == 2 * context
    assert apply(patch, old) == new


def test_out_of_steps_it_is_one_hunk_and_still_correct() -> None:
    lines = [f"{n % 7}\n" for n in range(3000)]  # no line found once: the slow search
    old = "".join(lines)
    lines[500], lines[2500] = "changed\n", "changed too\n"
    new = "".join(lines)
    patch = unified_diff(old, new, steps=100)
    assert patch.count("@@ -") == 1
    assert apply(patch, old) == new
    assert unified_diff(old, new).count("@@ -") == 2


def test_a_megabyte_rewrite_is_one_patch_of_about_its_size() -> None:
    old, new = "x\n" * 524_000, "y\n" * 524_000
    patch = unified_diff(old, new)
    assert patch.count("\n") == 2 * 524_000 + 3 and len(patch) < 3.2e6  # a mark per line


texts = st.lists(
    st.sampled_from(["a\n", "b\n", "c\n", "Perché\n", "🍕\n", "\n", "x"]), max_size=30
)


@settings(max_examples=300, deadline=None)
@given(texts, texts, st.integers(0, 4), st.sampled_from([0, 50, 20_000_000]))
def test_every_patch_turns_old_into_new(old, new, context, steps) -> None:
    old, new = "".join(old), "".join(new)
    assert apply(unified_diff(old, new, context=context, steps=steps), old) == new
