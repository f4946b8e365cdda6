import random

import pytest

from wiki.core.diff import (
    LIMITS,
    MARK_BYTES,
    ROW_BYTES,
    UNLIMITED,
    Diff,
    DiffLimits,
    Row,
    Segment,
    Side,
    TooLarge,
    diff_texts,
    html_estimate,
    split_lines,
)

WORDS = "the a of spring launch brand voice Perché città über naïve café review team".split()


def changed_words(side: Side) -> list[str]:
    return [segment.text for segment in side.segments if segment.changed]


def kinds(diff: Diff) -> list[str]:
    return [row.kind for row in diff.rows]


def shown(rows: tuple[Row, ...], side: str) -> dict[int, str]:
    return {s.number: s.text for row in rows if (s := getattr(row, side)) is not None}


def make_page(rng: random.Random, lines: int) -> list[str]:
    page = []
    for _ in range(lines):
        roll = rng.random()
        if roll < 0.15:
            page.append("")
        elif roll < 0.2:
            page.append("|-")
        else:
            page.append(" ".join(rng.choices(WORDS, k=rng.randint(3, 14))) + ".")
    return page


def rewrite_half(rng: random.Random, page: list[str]) -> list[str]:
    new = []
    for line in page:
        roll = rng.random()
        if roll < 0.5:
            new.append(line)
        elif roll < 0.8:
            words = line.split(" ")
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            new.append(" ".join(words))
        elif roll < 0.9:
            new += [line, " ".join(rng.choices(WORDS, k=8))]
    return new


@pytest.mark.parametrize(
    ("old", "new", "removed", "inserted"),
    [
        ("The cat sat on the mat.", "The dog sat on the mat.", ["cat"], ["dog"]),
        ("Perché no?", "Perciò no?", ["Perché"], ["Perciò"]),
        ("Un cafe\u0301 noir", "Un cafe\u0301 blanc", ["noir"], ["blanc"]),
        ("resume here", "re\u0301sume\u0301 here", ["resume"], ["re\u0301sume\u0301"]),
        ("日本語のテキスト", "日本語の文章", ["テキスト"], ["文章"]),
        ("日本語です", "日本人です", ["語"], ["人"]),
        ("I like 🍕 a lot", "I like 🍣 a lot", ["🍕"], ["🍣"]),
        ("Coder: 👩\u200d💻 here", "Coder: 👨\u200d💻 here", ["👩\u200d💻"], ["👨\u200d💻"]),
        ("Hello world.", "Hello big world.", [], ["big "]),
        ("Hello big world.", "Hello world.", ["big "], []),
        ("Sales rose 10%.", "Sales rose 12%.", ["10"], ["12"]),
        ("The quick brown fox jumps.", "The slow red fox jumps.", ["quick brown"], ["slow red"]),
        ("a b", "a  b", [" "], ["  "]),
        ("tabbed\tline", "tabbed line", ["\t"], [" "]),
        ("the end", "the end ", [], [" "]),
    ],
)
def test_a_changed_line_highlights_exactly_the_changed_words(old, new, removed, inserted):
    diff = diff_texts(old, new)

    assert kinds(diff) == ["changed"]
    row = diff.rows[0]
    assert changed_words(row.left) == removed
    assert changed_words(row.right) == inserted
    assert (row.left.text, row.right.text) == (old, new)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("a\nb\n", "a\nx\nb\n", ["same", "added", "same"]),
        ("a\nx\nb\n", "a\nb\n", ["same", "deleted", "same"]),
        ("", "first\nsecond\n", ["added", "added"]),
        ("first\nsecond\n", "", ["deleted", "deleted"]),
        ("apple pie\n", "zebra crossing\n", ["deleted", "added"]),
        ("keep\napple pie\n", "keep\napple tart\n", ["same", "changed"]),
        ("fine words here\nold\n", "new\nfine words there\n", ["added", "changed", "deleted"]),
        ("a\nb\n\n", "a\nb\n", ["same", "same", "deleted"]),
        ("x\n\ny\n", "x\n  \ny\n", ["same", "changed", "same"]),
    ],
)
def test_lines_are_aligned_and_paired(old, new, expected):
    assert kinds(diff_texts(old, new)) == expected


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("", ""),
        ("same text", "same text"),
        ("a\nb", "a\nb\n"),
        ("a\r\nb\r\n", "a\nb\n"),
        ("a\rb", "a\nb"),
    ],
)
def test_texts_differing_at_most_in_line_endings_are_identical(old, new):
    assert diff_texts(old, new) == Diff(rows=(), identical=True, added=0, deleted=0)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("\n", [""]),
        ("a", ["a"]),
        ("a\n", ["a"]),
        ("a\n\n", ["a", ""]),
        ("a\r\nb", ["a", "b"]),
    ],
)
def test_a_final_newline_ends_the_last_line(text, lines):
    assert split_lines(text) == lines


def test_a_whitespace_only_change_highlights_the_whitespace():
    row = diff_texts("x\n\ny", "x\n  \ny").rows[1]

    assert (row.left.number, row.left.segments) == (2, ())
    assert (row.right.number, row.right.segments) == (2, (Segment("  ", True),))


NUMBERS = "".join(f"line {n}\n" for n in range(1, 21))


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        (3, ["skip 6 1", *["same"] * 3, "changed", *["same"] * 3, "skip 7 14"]),
        (0, ["skip 9 1", "changed", "skip 10 11"]),
        (1, ["skip 8 1", "same", "changed", "same", "skip 9 12"]),
        (8, [*["same"] * 9, "changed", *["same"] * 8, "skip 2 19"]),
        (10, [*["same"] * 9, "changed", *["same"] * 10]),
    ],
)
def test_unchanged_runs_beyond_the_context_are_skipped(context, expected):
    rows = diff_texts(NUMBERS, NUMBERS.replace("line 10\n", "line ten\n"), context=context).rows

    assert [f"skip {r.skipped} {r.old_from}" if r.skipped else r.kind for r in rows] == expected


def test_a_skip_row_between_changes_names_the_first_hidden_line_of_each_side():
    old = "".join(f"line {n}\n" for n in range(1, 31))
    new = old.replace("line 5\n", "line 5\nextra\n").replace("line 25\n", "line twenty-five\n")

    skip = [row for row in diff_texts(old, new).rows if row.kind == "skip"][1]

    assert (skip.skipped, skip.old_from, skip.new_from) == (13, 9, 10)


def test_line_numbers_follow_each_side():
    diff = diff_texts("a\nb\nc\n", "new\na\nb\nc changed\n")

    assert [(r.left and r.left.number, r.right and r.right.number) for r in diff.rows] == [
        (None, 1),
        (1, 2),
        (2, 3),
        (3, 4),
    ]
    assert (diff.added, diff.deleted) == (2, 1)


def test_a_one_word_edit_in_a_very_long_line_highlights_only_that_word():
    words = [f"{WORDS[n % len(WORDS)]}{n}" for n in range(3000)]
    old = " ".join(words)
    assert len(old) > 20_000
    removed, words[1500] = words[1500], "rewritten"

    [row] = diff_texts(old, " ".join(words)).rows

    assert (changed_words(row.left), changed_words(row.right)) == ([removed], ["rewritten"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_half_rewritten_long_page_shows_each_side_exactly(seed):
    rng = random.Random(seed)
    page = make_page(rng, 2000)
    old, new = "\n".join(page), "\n".join(rewrite_half(rng, page))

    diff = diff_texts(old, new, context=10**6)

    assert shown(diff.rows, "left") == dict(enumerate(split_lines(old), 1))
    assert shown(diff.rows, "right") == dict(enumerate(split_lines(new), 1))
    for row in diff.rows:
        texts = {side.text for side in (row.left, row.right) if side}
        assert (row.kind == "same") == (row.kind in ("same", "changed") and len(texts) == 1)
        if row.kind == "changed":
            assert changed_words(row.left) or changed_words(row.right)
        assert all(s.text for side in (row.left, row.right) if side for s in side.segments)
    changed = [row for row in diff.rows if row.kind == "changed"]
    assert diff.added == len(split_lines(new)) - len(page) + diff.deleted
    assert len(changed) > 400


@pytest.mark.parametrize("seed", range(20))
def test_collapsed_rows_show_real_lines_at_their_numbers(seed):
    rng = random.Random(seed)
    page = make_page(rng, 60)
    old, new = "\n".join(page), "\n".join(rewrite_half(rng, page))

    rows = diff_texts(old, new).rows

    assert shown(rows, "left").items() <= dict(enumerate(split_lines(old), 1)).items()
    assert shown(rows, "right").items() <= dict(enumerate(split_lines(new), 1)).items()
    hidden = sum(row.skipped for row in rows)
    assert hidden + len(shown(rows, "left")) == len(split_lines(old))


def test_a_negative_context_is_refused():
    with pytest.raises(ValueError):
        diff_texts("a", "b", context=-1)


def test_a_megabyte_rewrite_is_too_large_to_show_and_says_how_much_changed():
    diff = diff_texts("x\n" * 524_000, "y\n" * 524_000)

    assert diff.too_large == TooLarge("size", diff.too_large.html_bytes)
    assert diff.too_large.html_bytes > LIMITS.html_bytes
    assert (diff.rows, diff.identical, diff.added, diff.deleted) == ((), False, 524_000, 524_000)


def test_running_out_of_steps_makes_the_diff_too_large():
    rng = random.Random(5)
    old = [rng.choice("abc") for _ in range(5000)]  # no line found once: the slow search
    new = [line if rng.random() > 0.05 else "z" for line in old]

    diff = diff_texts("\n".join(old), "\n".join(new), limits=DiffLimits(align_steps=10_000))

    assert diff.too_large == TooLarge("work") and diff.rows == ()
    exact = diff_texts("\n".join(old), "\n".join(new), limits=UNLIMITED)
    assert exact.too_large is None and exact.added <= diff.added and exact.deleted <= diff.deleted


def test_rows_beyond_the_html_budget_make_the_diff_too_large():
    old = "".join(f"line {n}\n" for n in range(100))
    new = old.replace("line 5\n", "line five\n").replace("line 80\n", "line eighty\n")
    shown = diff_texts(old, new)
    size = html_estimate(shown.rows)

    assert diff_texts(old, new, limits=DiffLimits(html_bytes=size)) == shown
    small = diff_texts(old, new, limits=DiffLimits(html_bytes=size - 1))
    assert small.too_large == TooLarge("size", size) and small.rows == ()
    assert (small.added, small.deleted) == (shown.added, shown.deleted) == (2, 2)


def test_the_html_estimate_counts_markup_escapes_and_utf8():
    plain = Row("same", _side(1, "abc"), _side(1, "abc"))
    assert html_estimate((plain,)) == ROW_BYTES + 6
    escaped = Row("deleted", left=_side(1, '<a href="x">&</a>'))
    assert html_estimate((escaped,)) == ROW_BYTES + 17 + 4 * 3 + 4 * 2 + 4
    marked = Row("changed", Side(1, (Segment("è ", False), Segment("日本", True))), None)
    assert html_estimate((marked,)) == ROW_BYTES + 3 + 6 + MARK_BYTES


def _side(number: int, text: str) -> Side:
    return Side(number, (Segment(text, False),))


def test_without_refining_steps_lines_show_deleted_and_added_unmarked():
    old = "The cat sat.\nA dog ran.\nBirds sing.\n"
    new = "The cat slept.\nA dog ran.\nBirds sang.\n"

    diff = diff_texts(old, new, limits=DiffLimits(refine_steps=0))

    assert kinds(diff) == ["deleted", "added", "same", "deleted", "added"]
    assert shown(diff.rows, "left") == dict(enumerate(split_lines(old), 1))
    assert shown(diff.rows, "right") == dict(enumerate(split_lines(new), 1))
    assert not any(
        s.changed
        for row in diff.rows
        for side in (row.left, row.right)
        if side
        for s in side.segments
    )


def test_very_long_changed_lines_show_without_word_marks():
    old, new = "word " * 1000, "word " * 999 + "other "

    unmarked = diff_texts(old, new, limits=DiffLimits(word_chars=10_000)).rows[0]
    marked = diff_texts(old, new, limits=DiffLimits(word_chars=10_001)).rows[0]

    assert unmarked.kind == marked.kind == "changed"
    assert (changed_words(unmarked.left), changed_words(unmarked.right)) == ([], [])
    assert unmarked.left.text == old and unmarked.right.text == new
    assert changed_words(marked.right) == ["other"]


BIG_BUT_SHOWN = {
    "200,000 empty lines, 10 filled": (
        "\n" * 200_000,
        "".join("now a line\n" if n % 20_000 == 7 else "\n" for n in range(200_000)),
        {"deleted": 10, "added": 10},
    ),
    "60,000 lines, 100 edited": (
        "".join(f"line {n}\n" for n in range(60_000)),
        "".join(f"line {n}{' edited' if n % 600 == 0 else ''}\n" for n in range(60_000)),
        {"changed": 100},
    ),
}


@pytest.mark.parametrize(("old", "new", "changed"), BIG_BUT_SHOWN.values(), ids=BIG_BUT_SHOWN)
def test_big_pages_with_few_changes_are_shown_collapsed(old, new, changed):
    diff = diff_texts(old, new)

    assert diff.too_large is None
    assert {kind: kinds(diff).count(kind) for kind in changed} == changed
    assert not {"changed", "added", "deleted"} - {"same", "skip"} - set(changed) & set(kinds(diff))
    hidden = sum(row.skipped for row in diff.rows)
    assert hidden + len(shown(diff.rows, "left")) == len(split_lines(old))
    assert html_estimate(diff.rows) < LIMITS.html_bytes / 5


@pytest.mark.parametrize("seed", range(30))
def test_the_limits_change_nothing_for_ordinary_edits(seed):
    rng = random.Random(seed)
    page = make_page(rng, 300)
    old, new = "\n".join(page), "\n".join(rewrite_half(rng, page))

    assert diff_texts(old, new) == diff_texts(old, new, limits=UNLIMITED)
