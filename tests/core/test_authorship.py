"""Authorship: each word is credited to the revision that introduced it, moves and reverts too."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiki.core import authorship
from wiki.core.authorship import (
    EMPTY,
    MEMORY_CHARS,
    Attribution,
    Memory,
    attribute,
    attribute_edit,
    first,
    from_tokens,
    is_word,
    stored_form,
    word_counts,
)

P1 = "La torre è alta e antica.\n\n"
P2 = "Il fiume scorre verso il mare.\n\n"
P3 = "Il ponte fu costruito nel 1890.\n"


def authors(attribution: Attribution) -> dict[str, int]:
    """Return each word's revision (words are unique in these texts)."""
    tokens, revisions = attribution.tokens()
    return {t: r for t, r in zip(tokens, revisions, strict=True) if is_word(t)}


def history(*texts: str) -> tuple[Attribution, Memory]:
    """Attribute texts saved one after another as revisions 1, 2, 3 …"""
    current, memory = None, EMPTY
    for number, text in enumerate(texts, 1):
        current, memory = attribute(current, text, number, memory)
    return current, memory


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # A first text is all its revision's.
        ((P1,), {"torre": 1, "antica": 1}),
        # Words added are the adder's; the rest keeps its author.
        ((P1, P1.replace("alta", "molto alta")), {"molto": 2, "alta": 1, "torre": 1}),
        # A paragraph moved keeps its author.
        ((P1, P1 + P2, P2 + P1), {"fiume": 2, "torre": 1, "mare": 2}),
        # Text removed by vandalism and restored keeps its authors.
        ((P1, P1 + P2, "VANDALO!\n", P1 + P2), {"torre": 1, "fiume": 2}),
        # One word vandalised and put back, with other edits in between.
        (
            (
                P1 + P2,
                (P1 + P2).replace("mare", "lago"),
                (P1 + P2 + P3).replace("mare", "lago"),
                P1 + P2 + P3,
            ),
            {"mare": 1, "ponte": 3, "torre": 1},
        ),
        # A sentence copied elsewhere in the page is credited to whoever wrote it.
        ((P1, P1 + P2, P1 + P2 + P1.strip() + "\n"), {"torre": 1, "fiume": 2}),
        # Italian accents, emoji and ideographs are words, each ideograph on its own.
        (("Caffè ☕ è perché.\n", "Caffè ☕ è perché 🎉.\n"), {"Caffè": 1, "perché": 1, "🎉": 2}),
        (("東京は大きい。\n", "東京は小さい。\n"), {"東": 1, "京": 1, "小": 2, "い": 1}),
        # A sentence rewritten keeps the words left in place.
        ((P1, "La torre è bassa e antica.\n\n"), {"bassa": 2, "torre": 1, "antica": 1}),
    ],
)
def test_words_are_credited_to_who_wrote_them(texts, expected):
    current, _ = history(*texts)
    got = authors(current)
    assert {word: got[word] for word in expected} == expected
    assert current.text == texts[-1]


def test_a_revert_given_the_earlier_attribution_takes_it_as_it_was():
    one, memory = attribute(None, P1, 1)
    two, memory = attribute(one, P1 + P2, 2, memory)
    three, memory = attribute(two, "", 3, memory)
    four, _ = attribute(three, P1 + P2, 4, memory, restored=two)
    assert four == Attribution(two.text, two.runs)


def test_runs_are_compact_and_cover_the_text():
    attribution, _ = history(P1, P1 + P2, P1 + P2 + P3)
    assert attribution.runs == (
        (0, len(P1), 1),
        (len(P1), len(P1 + P2), 2),
        (len(P1 + P2), len(P1 + P2 + P3), 3),
    )


def test_word_counts_count_words_and_emoji_not_spaces_or_marks():
    attribution = from_tokens(["Ciao", " ", "mondo", "!", " ", "🎉"], [1, 1, 2, 2, 2, 3])
    assert word_counts(attribution) == {1: 1, 2: 1, 3: 1}


def test_the_memory_keeps_the_newest_deleted_text_within_its_bound():
    current, memory = attribute(None, P1, 1)
    for number in range(2, 200):
        text = f"Frase numero {number} scritta apposta per essere cancellata subito.\n"
        current, memory = attribute(current, text, number, memory)
    assert sum(len(f.text) for f in memory.fragments) <= MEMORY_CHARS
    assert "198" in memory.fragments[-1].text


def test_an_empty_text_has_no_runs():
    assert first("", 1).runs == ()
    assert attribute(first(P1, 1), "", 2)[0].runs == ()


# The property: whatever random edits, moves, copies and reverts happen, each word is
# credited to whoever introduced it (words are unique, so the truth is known), and the
# attribution always covers exactly the text.
@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_random_histories_keep_every_unique_word_with_its_author(seed):
    run_history(seed)


def run_history(seed):
    rng = random.Random(seed)
    counter = iter(range(100_000))
    truth: dict[str, int] = {}

    def sentence(revision: int) -> list[str]:
        words = [f"parola{next(counter)}" for _ in range(rng.randint(3, 8))]
        truth.update(dict.fromkeys(words, revision))
        return words

    paragraphs = [[sentence(1) for _ in range(rng.randint(1, 3))] for _ in range(3)]
    versions = []

    def render() -> str:
        return "".join(" ".join(" ".join(s) + "." for s in p) + "\n\n" for p in paragraphs)

    current, memory = attribute(None, render(), 1)
    seen = {current.text: current}
    versions.append([[list(s) for s in p] for p in paragraphs])
    for revision in range(2, rng.randint(3, 15)):
        move = rng.random()
        if move < 0.3:  # add a sentence
            rng.choice(paragraphs).insert(0, sentence(revision))
        elif move < 0.5 and len(paragraphs) > 1:  # move a paragraph
            paragraphs.insert(rng.randrange(len(paragraphs)), paragraphs.pop())
        elif move < 0.7:  # revert to an earlier version
            paragraphs = [[list(s) for s in p] for p in rng.choice(versions)]
        elif move < 0.85:  # delete a sentence
            target = rng.choice(paragraphs)
            if len(target) > 1:
                target.pop(rng.randrange(len(target)))
        else:  # insert words inside a sentence
            target = rng.choice(rng.choice(paragraphs))
            words = [f"parola{next(counter)}" for _ in range(rng.randint(1, 3))]
            truth.update(dict.fromkeys(words, revision))
            at = rng.randrange(len(target) + 1)
            target[at:at] = words
        versions.append([[list(s) for s in p] for p in paragraphs])
        # As the storage does: a text some earlier revision had is a revert to it.
        current, memory = attribute(current, render(), revision, memory, seen.get(render()))
        seen.setdefault(current.text, current)
        assert current.text == render()
        assert current.runs[0][0] == 0 and current.runs[-1][1] == len(current.text)
        got = authors(current)
        assert {w: got[w] for w in got if w.startswith("parola")} == {
            w: truth[w] for w in got if w.startswith("parola")
        }


def test_the_generated_gold_set_is_attributed_with_high_precision(capsys):
    from benchmarks.authorship_gold import main

    assert main(["12", "7"]) > 0.95


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_edit_counts_and_stores_only_the_lines_it_changed(seed):
    from benchmarks.authorship_gold import history

    texts, _truths, _kinds = history(random.Random(seed), 15)
    # Then the same text again, a text of marks only, an empty one, and a revert.
    texts += [texts[-1], "... !", "", texts[len(texts) // 2]]
    check_edits(texts)
    with pytest.MonkeyPatch.context() as patch:  # changes too long to compare word by word
        patch.setattr(authorship, "MAX_COMPARED_CHARS", 40)
        check_edits(texts)


def check_edits(texts: list[str]) -> None:
    """Save texts one after another, checking each edit against attribute() and counting
    and storing everything again."""
    current = first(texts[0], 1)
    memory, counts, seen = EMPTY, word_counts(current), {texts[0]: current}
    form = stored_form(current.runs, counts)
    for number, text in enumerate(texts[1:], 2):
        edit = attribute_edit(current, counts, text, number, memory, seen.get(text))
        whole = attribute(current, text, number, memory, seen.get(text))
        assert (edit.attribution, edit.memory) == whole
        assert edit.counts == word_counts(edit.attribution)
        written = stored_form(edit.attribution.runs, edit.counts, form, edit.kept, edit.touched)
        assert written == stored_form(edit.attribution.runs, edit.counts)
        current, memory, counts, form = edit.attribution, edit.memory, edit.counts, written
        seen.setdefault(text, current)


def test_past_the_search_budget_inserted_words_are_the_new_revisions(monkeypatch):
    copied = (P1, P1 + P2, P1 + P2 + P1.strip() + "\n")
    # With the budget, a sentence copied from elsewhere in the page keeps its author …
    assert authors(history(*copied)[0])["torre"] == 1
    # … without one (an edit that rewrote a huge page spent it), it is the edit's, and the
    # text is still exactly the saved one.
    monkeypatch.setattr(authorship, "SEARCH_BUDGET", 0)
    unsearched, _ = history(*copied)
    assert authors(unsearched)["torre"] == 3 and authors(unsearched)["fiume"] == 2
    assert unsearched.text == copied[-1]


def test_a_huge_change_is_credited_to_its_revision_without_comparing_words(monkeypatch):
    monkeypatch.setattr(authorship, "MAX_COMPARED_CHARS", 40)
    before = P1 + P2 + P3
    after = P1 + P2.replace("fiume", "torrente").replace("mare", "lago") + P3
    attribution, _ = history(before, after)
    got = authors(attribution)
    # The changed lines are the edit's, even the words it left; the other lines keep theirs.
    assert got["torrente"] == 2 and got["scorre"] == 2
    assert got["torre"] == 1 and got["ponte"] == 1
    assert attribution.text == after


@pytest.mark.parametrize(
    ("before", "after"),
    [("! !  _ ", "! !  _! !  _  "), ("\u2028x\nalpha", "x\u2028\nalpha")],
)
def test_left_over_spaces_that_read_alike_are_still_attributed(before, after):
    # The words left over after matching sentences joined into segments that read the same
    # but were cut into other tokens: the comparison fell out of step (a save failed).
    attribution, _memory = attribute(first(before, 1), after, 2)
    assert attribution.runs[0][0] == 0 and attribution.runs[-1][1] == len(after)
