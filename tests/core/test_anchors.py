"""Anchors follow their words through edits, and quotes find passages again."""

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wiki.core.anchors import Quote, anchor_at, find, follow, map_span, visible

IT = "Il caffè è buono. Questa affermazione richiede una fonte. Perché sì.\n"
EMOJI = "We eat 🍕 at noon 🕛. Family 👨‍👩‍👧 time is great 👍🏽 today. Night 🌙.\n"
CJK = "日本語は美しい。私は毎日本を読む。海は青くて静かだ。\n"


def span_of(text: str, passage: str) -> tuple[int, int]:
    start = text.index(passage)
    return start, start + len(passage)


@pytest.mark.parametrize(
    ("old", "passage", "new", "expected"),
    [
        # Text inserted before the passage moves it.
        (IT, "richiede una fonte", "Premessa. " + IT, "richiede una fonte"),
        # Text inserted inside grows it.
        (
            IT,
            "richiede una fonte",
            IT.replace("una fonte", "una buona fonte"),
            "richiede una buona fonte",
        ),
        # Words deleted inside shrink it.
        (IT, "richiede una fonte", IT.replace("una ", ""), "richiede fonte"),
        # A word replaced inside stays in it.
        (IT, "richiede una fonte", IT.replace("richiede", "esige"), "esige una fonte"),
        # Text after the passage changes nothing.
        (IT, "Il caffè è buono", IT.replace("Perché sì.", "No."), "Il caffè è buono"),
        # Emoji are words like any other.
        (
            EMOJI,
            "Family 👨‍👩‍👧 time",
            EMOJI.replace("We eat", "Oggi mangiamo"),
            "Family 👨‍👩‍👧 time",
        ),
        (EMOJI, "great 👍🏽 today", EMOJI.replace("👍🏽", "👍🏽 🎉"), "great 👍🏽 🎉 today"),
        # Ideographs are words one character each.
        (CJK, "毎日本を読む", CJK.replace("毎日", "毎朝"), "毎朝本を読む"),
        (CJK, "海は青くて", "前書き。" + CJK, "海は青くて"),
    ],
)
def test_anchor_follows_its_words(old, passage, new, expected):
    anchor = anchor_at(old, *span_of(old, passage))
    moved = follow(anchor, old, new)
    assert moved is not None
    assert new[moved.start : moved.end] == expected
    assert moved.quote.exact == expected


@pytest.mark.parametrize(
    ("old", "passage", "new"),
    [
        (
            IT,
            "Questa affermazione richiede una fonte.",
            IT.replace("Questa affermazione richiede una fonte. ", ""),
        ),
        (EMOJI, "🍕", EMOJI.replace(" 🍕", "")),
        (CJK, "海は青くて静かだ。", CJK.replace("海は青くて静かだ。", "")),
    ],
)
def test_an_anchor_whose_words_are_deleted_is_gone(old, passage, new):
    assert follow(anchor_at(old, *span_of(old, passage)), old, new) is None


def test_an_unchanged_text_keeps_the_anchor_where_it_was():
    assert map_span(IT, IT, 3, 9) == (3, 9)


def test_the_quote_keeps_context_on_both_sides():
    anchor = anchor_at(IT, *span_of(IT, "una fonte"))
    assert anchor.quote.prefix.endswith("affermazione richiede ")
    assert anchor.quote.suffix.startswith(". Perché")


@pytest.mark.parametrize(
    ("text", "quote", "expected"),
    [
        # The context picks the right one of two equal passages.
        ("è vero. Poi è vero, dice.", Quote("è vero", "Poi ", ", dice"), "è vero, dice"),
        ("è vero. Poi è vero, dice.", Quote("è vero", "", ". Poi"), "è vero. Poi"),
        # A selection in the rendered page is found in the Markdown around its marks.
        (
            "Intro **bold claim** and [a link](http://x) end",
            Quote("bold claim and a link"),
            "bold claim** and [a link",
        ),
        ("Vedi [[Pagina|la pagina]] qui.", Quote("la pagina qui"), "la pagina]] qui"),
        ("riga uno\nriga   due", Quote("uno riga due"), "uno\nriga   due"),
        ("Nulla qui.", Quote("assente"), None),
        ("Nulla qui.", Quote("   "), None),
    ],
)
def test_find_a_quote(text, quote, expected):
    found = find(text, quote)
    if expected is None:
        assert found is None
    else:
        start, end = found
        assert text[start:end] in (expected, expected.split(", ")[0], expected.split(". ")[0])


def test_find_prefers_the_occurrence_with_matching_context():
    text = "il gatto dorme. il cane abbaia. il gatto mangia."
    start, _ = find(text, Quote("il gatto", ". ", " mangia"))
    assert text[start:].startswith("il gatto mangia")
    start, _ = find(text, Quote("il gatto", "", " dorme"))
    assert start == 0


def test_visible_text_maps_back_to_the_source():
    shown, where = visible("a **b** [c](u)")
    assert shown == "a b c"
    assert [("a **b** [c](u)")[i] for i in where] == list("a b c")


# The property: after any sequence of random edits, an anchor whose words survive still
# covers exactly those words. Words are unique, so each one's fate is known; a word inserted
# between two of the passage's words joins it.
@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_anchor_covers_exactly_its_surviving_words(seed):
    rng = random.Random(seed)
    # Emoji and ideographs are tokens of their own, shared between words: the table above
    # covers them; here each word is one token, so its fate is its own.
    alphabet = ["caffè", "perché", "città", "word", "è", "über"]
    counter = iter(range(10_000))
    words = [f"{rng.choice(alphabet)}{next(counter)}" for _ in range(rng.randint(3, 25))]
    seps = [rng.choice([" ", " ", ", ", ".\n", "\n\n"]) for _ in words]
    first = rng.randrange(len(words))
    last = rng.randrange(first, len(words))
    anchored = set(words[first : last + 1])

    def text() -> str:
        return "".join(w + s for w, s in zip(words, seps, strict=True))

    def offset(i: int) -> int:
        return sum(len(w) + len(s) for w, s in zip(words[:i], seps[:i], strict=True))

    old = text()
    anchor = anchor_at(old, offset(first), offset(last) + len(words[last]))
    for _ in range(rng.randint(1, 12)):
        if rng.random() < 0.5 and len(words) > 1:
            i = rng.randrange(len(words))
            del words[i], seps[i]
        else:
            i = rng.randrange(len(words) + 1)
            word = f"{rng.choice(alphabet)}{next(counter)}"
            inside = [n for n, w in enumerate(words) if w in anchored]
            if inside and inside[0] < i <= inside[-1]:
                anchored.add(word)
            words.insert(i, word)
            seps.insert(i, rng.choice([" ", ", ", ".\n"]))
        new = text()
        anchor = follow(anchor, old, new)
        old = new
        survivors = anchored & set(words)
        assert (anchor is None) == (not survivors)
        if anchor is None:
            break
        covered = [w for w in re.split(r"[ ,.\n]+", new[anchor.start : anchor.end]) if w]
        assert set(covered) == survivors
