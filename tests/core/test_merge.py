"""Three-way merge: changes of both sides against a base, in English, Italian, emoji and CJK."""

import os
import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wiki.core import merge
from wiki.core.merge import Chunk, Conflict, MergeResult, merge3, token_changes

EN = (
    "The sun is hot today. We go to the beach at noon.\n\n"
    "The sea is blue and calm. Boats sail slowly home.\n\n"
    "Night falls over the town.\n"
)
IT = (
    "Perché l'estate è più bella? Andiamo al mare a mezzogiorno.\n\n"
    "Il lago è blu e calmo. Le barche tornano piano.\n\n"
    "La notte scende sulla città.\n"
)
EMOJI = (
    "Family time 👨‍👩‍👧 is great 👍🏽 today. We eat 🍕 at noon 🕛.\n\n"
    "The sea 🌊 is calm 😌. Boats ⛵ sail home 🏠.\n\n"
    "Night 🌙 falls ✨ softly.\n"
)
CJK = (
    "日本語は美しい。私は毎日本を読む。\n\n海は青くて静かだ。船がゆっくり帰る。\n\n"
    "夜が町に来る。\n"
)
LANGUAGES = {"en": EN, "it": IT, "emoji": EMOJI, "cjk": CJK}


def sub(text: str, old: str, new: str, nth: int = 1) -> str:
    """Replace the nth occurrence of old, which must occur."""
    at = -1
    for _ in range(nth):
        at = text.index(old, at + 1)
    return text[:at] + new + text[at + len(old) :]


def edited(text: str, edits: list[tuple[str, str]]) -> str:
    """Apply (old, new) replacements, each old occurring exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, old
        text = sub(text, old, new)
    return text


# (base, mine's edits, theirs' edits): the edits touch different tokens, so both apply.
CLEAN = {
    "en-paragraphs": (EN, [("hot", "warm")], [("calm", "rough")]),
    "it-paragraphs": (IT, [("bella", "calda")], [("calmo", "mosso")]),
    "emoji-paragraphs": (EMOJI, [("👍🏽", "👍🏻")], [("⛵", "🚤")]),
    "cjk-paragraphs": (CJK, [("美しい", "難しい")], [("静か", "賑やか")]),
    "en-sentences": (EN, [("hot", "warm")], [("beach", "lake")]),
    "it-sentences": (IT, [("più bella", "più calda")], [("mezzogiorno", "sera")]),
    "emoji-sentences": (EMOJI, [("👨‍👩‍👧", "👨‍👩‍👦")], [("🍕", "🍣")]),
    "cjk-sentences": (CJK, [("美しい", "難しい")], [("読む", "買う")]),
    "en-words": (EN, [("The sun", "The moon")], [("today", "tonight")]),
    "it-words": (IT, [("Perché", "Forse")], [("bella", "calda")]),
    "emoji-words": (EMOJI, [("👨‍👩‍👧", "👨‍👩‍👦")], [("👍🏽", "👍🏻")]),
    "cjk-words": (CJK, [("日本語", "中国語")], [("美しい", "難しい")]),
    "en-many": (EN, [("hot", "warm"), ("Night", "Dusk")], [("blue", "grey"), ("noon", "ten")]),
    "it-accents-only": (IT, [("è più", "e più")], [("città", "citta")]),
    "en-neighbouring-tokens": (EN, [("today", "tonight")], [(". We", "! We")]),
    "cjk-neighbouring-characters": (CJK, [("美", "優")], [("しい", "よい")]),
    "en-insert-and-delete": (EN, [("at noon", "at noon sharp")], [(" slowly", "")]),
    "it-new-paragraph": (
        IT,
        [("piano.\n\n", "piano.\n\nNuovo paragrafo.\n\n")],
        [("lago", "mare")],
    ),
    "emoji-append": (EMOJI, [("softly.\n", "softly. 🎉\n")], [("🍕", "🍝")]),
    "cjk-prepend": (CJK, [("日本語は", "今日、日本語は")], [("夜", "朝")]),
}


@pytest.mark.parametrize(("base", "mine_edits", "theirs_edits"), CLEAN.values(), ids=CLEAN)
def test_changes_to_different_tokens_merge_cleanly(
    base: str, mine_edits: list[tuple[str, str]], theirs_edits: list[tuple[str, str]]
) -> None:
    expected = edited(edited(base, mine_edits), theirs_edits)
    result = merge3(base, edited(base, mine_edits), edited(base, theirs_edits))
    assert result.clean
    assert result.text == expected
    assert merge3(base, edited(base, theirs_edits), edited(base, mine_edits)).text == expected


# (base, word, mine's version, theirs' version, theirs' other edit far away)
SAME_WORD = {
    "en": (EN, "hot", "warm", "cold", ("calm", "rough")),
    "it": (IT, "bella", "calda", "fresca", ("calmo", "mosso")),
    "emoji": (EMOJI, "👨‍👩‍👧", "👨‍👩‍👦", "👩‍👩‍👧", ("⛵", "🚤")),
    "cjk": (CJK, "美", "難", "楽", ("静か", "賑やか")),
}


@pytest.mark.parametrize(
    ("base", "word", "ours", "other", "far"), SAME_WORD.values(), ids=SAME_WORD
)
def test_same_word_changed_differently_is_a_conflict(
    base: str, word: str, ours: str, other: str, far: tuple[str, str]
) -> None:
    mine = sub(base, word, ours)
    theirs = edited(sub(base, word, other), [far])
    result = merge3(base, mine, theirs)
    assert result.conflicts == (Conflict(base=word, mine=ours, theirs=other),)
    assert not result.clean
    before, conflict, after = result.chunks
    assert before.text == base[: base.index(word)]
    assert conflict.conflict == Conflict(word, ours, other)
    assert after.text == edited(base[base.index(word) + len(word) :], [far])
    assert result.resolve(["mine"]) == edited(mine, [far])
    assert result.resolve(["theirs"]) == theirs
    assert result.resolve(["base"]) == edited(base, [far])
    both = result.resolve(["both"])
    assert ours in both and other in both and ours + other not in both
    with pytest.raises(ValueError):
        _ = result.text


@pytest.mark.parametrize(
    ("base", "word", "ours", "other", "far"), SAME_WORD.values(), ids=SAME_WORD
)
def test_the_same_change_on_both_sides_is_taken_once(
    base: str, word: str, ours: str, other: str, far: tuple[str, str]
) -> None:
    mine = sub(base, word, ours) + "Fine 👍🏽 日本.\n"
    theirs = edited(sub(base, word, ours), [far])
    expected = edited(mine, [far])
    assert merge3(base, mine, theirs).text == expected
    assert merge3(base, theirs, mine).text == expected
    assert expected.count(ours) == base.count(word)


# (base, where a sentence is inserted, the sentence, theirs' other edit)
INSERTED_TWICE = {
    "en": (EN, "noon.", " Bring a hat.", ("calm", "rough")),
    "it": (IT, "mezzogiorno.", " Porta il cappello, perché è più caldo.", ("calmo", "mosso")),
    "emoji": (EMOJI, "noon 🕛.", " 🎉👨‍👩‍👧👍🏽", ("⛵", "🚤")),
    "cjk": (CJK, "読む。", "帽子を持って行く。", ("静か", "賑やか")),
    "en-paragraph": (EN, "home.\n\n", "A new paragraph.\n\n", ("hot", "warm")),
}


@pytest.mark.parametrize(
    ("base", "at", "sentence", "far"), INSERTED_TWICE.values(), ids=INSERTED_TWICE
)
def test_the_same_insertion_made_twice_is_taken_once(
    base: str, at: str, sentence: str, far: tuple[str, str]
) -> None:
    mine = sub(base, at, at + sentence)
    theirs = edited(mine, [far])
    result = merge3(base, mine, theirs)
    assert result.text == theirs
    assert result.text.count(sentence) == 1


# (base, the deleted paragraph, mine's edit inside it)
DELETED_AND_EDITED = {
    "en-word": (EN, "The sea is blue and calm. Boats sail slowly home.\n\n", ("blue", "green")),
    "en-append": (
        EN,
        "The sea is blue and calm. Boats sail slowly home.\n\n",
        ("home.", "home. Ok."),
    ),
    "en-prepend": (
        EN,
        "The sea is blue and calm. Boats sail slowly home.\n\n",
        ("The sea", "Yes. The sea"),
    ),
    "it": (IT, "Il lago è blu e calmo. Le barche tornano piano.\n\n", ("è blu", "è più blu")),
    "emoji": (EMOJI, "The sea 🌊 is calm 😌. Boats ⛵ sail home 🏠.\n\n", ("😌", "😌👍🏽")),
    "cjk": (CJK, "海は青くて静かだ。船がゆっくり帰る。\n\n", ("青", "緑")),
}


@pytest.mark.parametrize(
    ("base", "paragraph", "edit"), DELETED_AND_EDITED.values(), ids=DELETED_AND_EDITED
)
def test_a_paragraph_deleted_by_one_side_and_edited_by_the_other_is_a_conflict(
    base: str, paragraph: str, edit: tuple[str, str]
) -> None:
    mine = edited(base, [edit])
    theirs = base.replace(paragraph, "")
    for result, mine_text in (
        (merge3(base, mine, theirs), "mine"),
        (merge3(base, theirs, mine), "theirs"),
    ):
        (conflict,) = result.conflicts
        edited_paragraph = edited(paragraph, [edit])
        assert getattr(conflict, mine_text) == edited_paragraph
        assert conflict.base == paragraph
        assert result.resolve([mine_text]) == mine
        assert result.resolve(["mine" if mine_text == "theirs" else "theirs"]) == theirs


# (sentence said twice, its word, mine's word for the 2nd copy, theirs' word for the 1st copy)
DUPLICATED = {
    "en": ("The sun is hot.", "hot", "warm", "cold"),
    "it": ("Perché l'estate è più bella?", "bella", "calda", "fresca"),
    "emoji": ("Family 👨‍👩‍👧 is great 👍🏽.", "👍🏽", "👍🏻", "👎🏽"),
    "cjk": ("日本語は美しい。", "美", "難", "楽"),
}


@pytest.mark.parametrize(
    ("sentence", "word", "ours", "other"), DUPLICATED.values(), ids=DUPLICATED
)
@pytest.mark.parametrize("separator", [" ", "\n\n"], ids=["sentences", "paragraphs"])
def test_an_edit_to_a_repeated_sentence_lands_on_the_copy_edited(
    sentence: str, word: str, ours: str, other: str, separator: str
) -> None:
    middle = "Something else entirely."
    base = separator.join([sentence, middle, sentence]) + "\n"
    mine = sub(base, word, ours, nth=2)
    second = sentence.replace(word, ours)
    theirs_middle = sub(base, "else", "different")
    expected = separator.join([sentence, "Something different entirely.", second]) + "\n"
    assert merge3(base, mine, theirs_middle).text == expected
    theirs_first = sub(base, word, other)
    expected = separator.join([sentence.replace(word, other), middle, second]) + "\n"
    assert merge3(base, mine, theirs_first).text == expected
    assert merge3(base, theirs_first, mine).text == expected
    # Theirs adds text above, which moves the first copy to where the second one was, and a
    # sentence after the second copy (patch_apply puts mine's edit on the first copy here).
    above = ("Intro. " * 100)[: base.rindex(sentence) - 1] + "\n"
    theirs = above + base[:-1] + " More.\n"
    expected = above + separator.join([sentence, middle, second]) + " More.\n"
    assert merge3(base, mine, theirs).text == expected
    assert merge3(base, theirs, mine).text == expected


def filler(language: str, count: int) -> str:
    """Return count numbered paragraphs of text in a language."""
    line = {"en": "Line {} of the page.", "it": "Riga {} è più bella.", "cjk": "第{}行の文。"}[
        language
    ]
    emoji = " 👨‍👩‍👧👍🏽" if language == "en" else ""
    return "".join(line.format(i) + emoji + "\n\n" for i in range(count))


@pytest.mark.parametrize("language", ["en", "it", "cjk"])
def test_a_large_insertion_far_above_keeps_a_small_edit_far_below(language: str) -> None:
    base = filler(language, 200)
    block = "".join(f"[{i}] " + filler(language, 2) for i in range(150))
    assert len(block.encode()) > 5000
    mine = block + base
    last = filler(language, 200).split("\n\n")[-2]
    theirs = sub(base, last, last + " !")
    expected = block + theirs
    assert merge3(base, mine, theirs).text == expected
    assert merge3(base, theirs, mine).text == expected


@pytest.mark.parametrize("base", LANGUAGES.values(), ids=LANGUAGES)
def test_an_unchanged_side_gives_the_other_side_exactly(base: str) -> None:
    changed = base.replace("\n\n", "\n\n\n", 1) + "👍🏽 日本語"
    assert merge3(base, base, changed).text == changed
    assert merge3(base, changed, base).text == changed
    assert merge3(base, base, base).text == base
    assert merge3(base, changed, changed).text == changed
    assert merge3(base, "", "").chunks == ()


# (base, mine, theirs, expected text or the conflict)
TOUCHING = {
    "same point, different text": (
        "A. B.",
        "A. X. B.",
        "A. Y. B.",
        Conflict(base="", mine="X. ", theirs="Y. "),
    ),
    "same point, cjk": (
        "日本語",
        "日本の語",
        "日本と語",
        Conflict(base="", mine="の", theirs="と"),
    ),
    "same point, emoji": (
        "Ciao 👍🏽",
        "Ciao 👍🏽👨‍👩‍👧",
        "Ciao 👍🏽🎉",
        Conflict(base="", mine="👨‍👩‍👧", theirs="🎉"),
    ),
    "insertion glued to a changed word": (
        "Hello world.",
        "Hello world!.",
        "Hello there.",
        Conflict("world", "world!", "there"),
    ),
    "word inserted before a changed word": (
        "the red car",
        "the very red car",
        "the blue car",
        "the very blue car",
    ),
    "word inserted before a deleted word": (
        "Perché l'estate è più bella",
        "Perché l'estate è molto più bella",
        "Perché l'estate è bella",
        "Perché l'estate è molto bella",
    ),
    "paragraph inserted after a deleted one": (
        "A.\n\nB.\n\nC.",
        "A.\n\nB.\n\nNew.\n\nC.",
        "A.\n\nC.",
        "A.\n\nNew.\n\nC.",
    ),
    "paragraph inserted before a deleted one": (
        "A.\n\nB.\n\nC.",
        "A.\n\nNew.\n\nB.\n\nC.",
        "A.\n\nC.",
        "A.\n\nNew.\n\nC.",
    ),
    "deleted words next to each other": ("a big red car", "a red car", "a big car", "a car"),
    "insertion that could go either side of a change": (
        "a a",
        "a a a",
        "a b",
        Conflict(base="a", mine="a a", theirs="b"),
    ),
    "conflicts a few words apart read as one": (
        "one two three four five",
        "ONE two three FOUR five",
        "uno two three quattro five",
        Conflict("one two three four", "ONE two three FOUR", "uno two three quattro"),
    ),
    "a change between close conflicts is part of them": (
        "Il mare è blu.",
        "Un mare è verde.",
        "Quel mare era azzurro.",
        Conflict("Il mare è blu", "Un mare è verde", "Quel mare era azzurro"),
    ),
    "neighbouring conflicts read as one": (
        "the red car",
        "the blue bike",
        "the green boat",
        Conflict(base="red car", mine="blue bike", theirs="green boat"),
    ),
}


@pytest.mark.parametrize(("base", "mine", "theirs", "expected"), TOUCHING.values(), ids=TOUCHING)
def test_touching_changes(base: str, mine: str, theirs: str, expected: str | Conflict) -> None:
    result = merge3(base, mine, theirs)
    if isinstance(expected, Conflict):
        assert result.conflicts == (expected,)
    else:
        assert result.text == expected


def test_resolve_takes_one_choice_per_conflict_in_order() -> None:
    base = "one two\nthree four five"
    result = merge3(base, "ONE two\nthree FOUR five", "uno two\nthree quattro five")
    assert len(result.conflicts) == 2
    assert result.resolve(["mine", "theirs"]) == "ONE two\nthree quattro five"
    assert result.resolve(["base", "both"]) == "one two\nthree FOUR five\nthree quattro five"


@pytest.mark.parametrize(
    "choices", [[], ["mine"], ["mine", "theirs", "both"], ["mine", "yours"], ["mine", ""]]
)
def test_resolve_refuses_anything_but_one_known_choice_per_conflict(choices: list) -> None:
    result = merge3(
        "one two\nthree four five", "ONE two\nthree FOUR five", "uno two\nthree 4 five"
    )
    with pytest.raises(ValueError):
        result.resolve(choices)


def test_markers_surround_each_conflict() -> None:
    result = merge3("a\nb\nc\n", "a\nB\nc\n", "a\nβ\nc\n")
    assert result.with_markers() == "a\n<<<<<<< mine\nB\n=======\nβ\n>>>>>>> theirs\nc\n"
    inline = merge3("The cat sat.", "The dog sat.", "The cow sat.")
    markers = "The \n<<<<<<< Bob\ndog\n=======\ncow\n>>>>>>> Alice\n sat."
    assert inline.with_markers("Bob", "Alice") == markers


def test_windows_line_endings_are_normalised() -> None:
    assert merge3("a\r\nb\r\n", "A\r\nb\r\n", "a\nB\n").text == "A\nB\n"


def test_undo_of_an_old_revision_keeps_later_changes() -> None:
    r1 = EN
    r2 = sub(r1, "hot", "warm")  # the revision to undo
    r3 = sub(r2, "calm", "rough")
    undone = merge3(base=r2, mine=r1, theirs=r3)
    assert undone.text == sub(r1, "calm", "rough")
    r4 = sub(r3, "warm", "mild")  # a later edit of the same word
    assert merge3(base=r2, mine=r1, theirs=r4).conflicts == (Conflict("warm", "hot", "mild"),)


def test_chunks_alternate_text_and_conflicts() -> None:
    result = merge3("a b\nc d", "x b\ny d", "z b\nw d")
    assert result == MergeResult(
        (
            Chunk(conflict=Conflict("a", "x", "z")),
            Chunk(" b\n"),
            Chunk(conflict=Conflict("c", "y", "w")),
            Chunk(" d"),
        )
    )


WORDS = ["the", "sun", "è", "più", "bella", "👨‍👩‍👧", "👍🏽", "日", "本", "語", ",", "."]
SPACES = [" ", " ", " ", "\n", "\n\n"]


def random_tokens(rng: random.Random, count: int) -> list[str]:
    """Return words and spaces, with repeats so that diffs have choices to make."""
    return [rng.choice(WORDS) if i % 2 == 0 else rng.choice(SPACES) for i in range(count)]


@pytest.mark.parametrize("seed", range(300))
def test_random_edits_in_separate_regions_merge_to_both(seed: int) -> None:
    rng = random.Random(seed)
    regions = [random_tokens(rng, rng.randint(0, 30)) for _ in range(rng.randint(2, 7))]
    # Mine edits the even regions and theirs the odd ones; unique words keep regions apart.
    edits = [edit_region(rng, region) for region in regions]
    mine_regions = [(edits if i % 2 == 0 else regions)[i] for i in range(len(regions))]
    theirs_regions = [(regions if i % 2 == 0 else edits)[i] for i in range(len(regions))]
    separators = [rng.choice([" ", ". ", "\n", "\n\n"]) + f"S{i} " for i in range(len(regions))]

    def text(parts: list[list[str]]) -> str:
        return "".join("".join(part) + sep for part, sep in zip(parts, separators, strict=True))

    base, mine, theirs, expected = map(text, (regions, mine_regions, theirs_regions, edits))
    if rng.random() < 0.5:
        mine, theirs = theirs, mine
    assert merge3(base, mine, theirs).text == expected
    assert merge3(base, mine, mine).text == mine
    assert merge3(base, base, theirs).text == theirs
    assert merge3(base, mine, base).text == mine


def edit_region(rng: random.Random, tokens: list[str]) -> list[str]:
    """Return tokens with one to three random edits (replace, delete or insert)."""
    tokens = list(tokens)
    for _ in range(rng.randint(1, 3)):
        start = rng.randrange(len(tokens) + 1)
        end = min(len(tokens), start + rng.randint(0, 3))
        tokens[start:end] = random_tokens(rng, rng.randint(0 if end > start else 1, 4))
    return tokens


@pytest.mark.parametrize("separator", ["\n\n", " "], ids=["paragraphs", "one-line"])
def test_a_100_kb_page_with_edits_on_both_sides(separator: str) -> None:
    paragraphs = [
        f"Paragraph {i}: Perché l'estate è più bella? 日本語 👨‍👩‍👧 {i * 7919 % 1000}."
        for i in range(1400)
    ]
    mine_paragraphs, theirs_paragraphs, merged = list(paragraphs), list(paragraphs), []
    for i, paragraph in enumerate(paragraphs):
        if i % 50 == 0:
            mine_paragraphs[i] = paragraph.replace("bella", "calda")
        if i % 50 == 25:
            theirs_paragraphs[i] = paragraph.replace("日本語", "中国語")
        merged.append(mine_paragraphs[i] if i % 50 == 0 else theirs_paragraphs[i])
    theirs_paragraphs[700] += " Una frase in più."  # the paragraph mine also changed
    merged[700] += " Una frase in più."
    for side in (mine_paragraphs, merged):
        side.insert(10, "Un paragrafo nuovo.")
    base, mine, theirs = (
        separator.join(p) for p in (paragraphs, mine_paragraphs, theirs_paragraphs)
    )
    assert len(base.encode()) > 100_000
    assert merge3(base, mine, theirs).text == separator.join(merged)


def swapped(result: MergeResult) -> MergeResult:
    """Return the result with mine and theirs exchanged."""
    return MergeResult(
        tuple(
            Chunk(conflict=Conflict(c.base, c.theirs, c.mine))
            if (c := chunk.conflict)
            else Chunk(
                chunk.text,
                runs=tuple(r if isinstance(r, str) else (r[0], r[2], r[1]) for r in chunk.runs),
            )
            for chunk in result.chunks
        )
    )


@pytest.mark.parametrize("seed", range(300))
def test_random_edits_anywhere_merge_the_same_whichever_side_is_mine(seed: int) -> None:
    rng = random.Random(seed)
    base_tokens = random_tokens(rng, rng.randint(0, 60))
    base = "".join(base_tokens)
    mine, theirs = ("".join(edit_region(rng, base_tokens)) for _ in range(2))
    result = merge3(base, mine, theirs)
    assert merge3(base, theirs, mine) == swapped(result)
    kinds = [bool(chunk.text) - bool(chunk.conflict) for chunk in result.chunks]
    assert 0 not in kinds
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))  # text, conflict, text...
    assert all(len({c.base, c.mine, c.theirs}) == 3 for c in result.conflicts)


# (base, mine, theirs, resolve(["both"] * conflicts)): each side's whole sentence or line.
KEEP_BOTH = {
    "en-one-word-in-a-sentence": (
        "The launch is on Monday.",
        "The launch is on Friday.",
        "The launch is on Tuesday.",
        "The launch is on Friday. The launch is on Tuesday.",
    ),
    "en-sentence-inside-a-paragraph": (
        "Hello. The launch is on Monday. Be there.\n",
        "Hello. The launch is on Friday. Be there.\n",
        "Hello. The launch is on Tuesday. Be there.\n",
        "Hello. The launch is on Friday. The launch is on Tuesday. Be there.\n",
    ),
    "it-accents": (
        "Perché la festa è lunedì? Sì, a Milano.\n",
        "Perché la festa è venerdì? Sì, a Milano.\n",
        "Perché la festa è martedì? Sì, a Milano.\n",
        "Perché la festa è venerdì? Perché la festa è martedì? Sì, a Milano.\n",
    ),
    "emoji": (
        "We eat 🍕 at noon 🕛. Family 👨‍👩‍👧 comes too.\n",
        "We eat 🍣 at noon 🕛. Family 👨‍👩‍👧 comes too.\n",
        "We eat 🍝 at noon 🕛. Family 👨‍👩‍👧 comes too.\n",
        "We eat 🍣 at noon 🕛. We eat 🍝 at noon 🕛. Family 👨‍👩‍👧 comes too.\n",
    ),
    "cjk": (
        "日本語は美しい。私は毎日本を読む。\n",
        "日本語は難しい。私は毎日本を読む。\n",
        "日本語は楽しい。私は毎日本を読む。\n",
        "日本語は難しい。日本語は楽しい。私は毎日本を読む。\n",
    ),
    "two-rewritten-sentences": (
        "Anna wrote the first paragraph. Then she wrote the second paragraph.\n",
        "Anna wrote the first paragraph. Later she wrote her own second paragraph.\n",
        "Anna wrote the first paragraph. Marco rewrote the whole thing.\n",
        "Anna wrote the first paragraph. Later she wrote her own second paragraph."
        " Marco rewrote the whole thing.\n",
    ),
    "rewritten-sentence-ending-a-paragraph": (
        "Intro.\n\nThen she wrote the second paragraph.\n\nEnd.\n",
        "Intro.\n\nThen she wrote her own second.\n\nEnd.\n",
        "Intro.\n\nMarco rewrote the paragraph.\n\nEnd.\n",
        "Intro.\n\nThen she wrote her own second. Marco rewrote the paragraph.\n\nEnd.\n",
    ),
    "heading": (
        "# Plans for Monday\n\nText.\n",
        "# Plans for Friday\n\nText.\n",
        "# Plans for Tuesday\n\nText.\n",
        "# Plans for Friday\n\n# Plans for Tuesday\n\nText.\n",
    ),
    "list-item": (
        "- one\n- Monday.\n- three\n",
        "- one\n- Friday.\n- three\n",
        "- one\n- Tuesday.\n- three\n",
        "- one\n- Friday.\n- Tuesday.\n- three\n",
    ),
    "multi-line-passage": (
        "Top.\nb\nBottom.\n",
        "Top.\nb1\nb2\nBottom.\n",
        "Top.\nB1\nB2\nB3\nBottom.\n",
        "Top.\nb1\nb2\nB1\nB2\nB3\nBottom.\n",
    ),
    "multi-line-paragraphs": (
        "Intro.\n\nFirst line of it\nand the second line\n\nEnd.\n",
        "Intro.\n\nA first line of mine\nand my second line\nand a third\n\nEnd.\n",
        "Intro.\n\nTheir opening line\nthen another\n\nEnd.\n",
        "Intro.\n\nA first line of mine\nand my second line\nand a third\n\n"
        "Their opening line\nthen another\n\nEnd.\n",
    ),
    "end-of-text-without-newline": (
        "Notes.\nThe launch is on Monday",
        "Notes.\nThe launch is on Friday",
        "Notes.\nThe launch is on Tuesday",
        "Notes.\nThe launch is on Friday\nThe launch is on Tuesday",
    ),
    "end-of-text-sentence-without-newline": (
        "Notes. The launch is on Monday.",
        "Notes. The launch is on Friday.",
        "Notes. The launch is on Tuesday.",
        "Notes. The launch is on Friday. The launch is on Tuesday.",
    ),
    "one-side-deletes-the-sentence": (
        "Keep. The launch is on Monday. Also keep.\n",
        "Keep. Also keep.\n",
        "Keep. The launch is on Tuesday. Also keep.\n",
        "Keep. The launch is on Tuesday. Also keep.\n",
    ),
    "two-conflicts-in-one-sentence": (
        "The launch is on Monday in Rome, they say.\n",
        "The launch is on Friday in Milan, they say.\n",
        "The launch is on Tuesday in Turin, they say.\n",
        "The launch is on Friday in Milan, they say."
        " The launch is on Tuesday in Turin, they say.\n",
    ),
    # What both wrote is written once: the shared sentence or line before the passage.
    "en-sentence-both-added-after-a-question": (
        "Why Bottega?\n\nEnd.\n",
        "Why Bottega? It is fast.\n\nEnd.\n",
        "Why Bottega? It is fast!\n\nEnd.\n",
        "Why Bottega? It is fast. It is fast!\n\nEnd.\n",
    ),
    "en-list-item-both-added-then-one-each": (
        "## Plans\n\nEnd.\n",
        "## Plans\n\n- Basic: free\n- Pro: 10 €\n\nEnd.\n",
        "## Plans\n\n- Basic: free\n- Team: 25 €\n\nEnd.\n",
        "## Plans\n\n- Basic: free\n- Pro: 10 €\n- Team: 25 €\n\nEnd.\n",
    ),
    # Two versions of a table's last row stay rows of the table (no blank line between).
    "en-table-row": (
        "| Plan | Price |\n|---|---|\n| Pro | 10 € |\n\nEnd.\n",
        "| Plan | Price |\n|---|---|\n| Pro | 12 € |\n\nEnd.\n",
        "| Plan | Price |\n|---|---|\n| Pro | 15 € |\n\nEnd.\n",
        "| Plan | Price |\n|---|---|\n| Pro | 12 € |\n| Pro | 15 € |\n\nEnd.\n",
    ),
}


@pytest.mark.parametrize(("base", "mine", "theirs", "expected"), KEEP_BOTH.values(), ids=KEEP_BOTH)
def test_keep_both_keeps_each_side_whole(base: str, mine: str, theirs: str, expected: str) -> None:
    result = merge3(base, mine, theirs)
    assert not result.clean
    assert result.resolve(["both"] * len(result.conflicts)) == expected


def test_keep_both_widens_only_the_passages_kept_twice() -> None:
    base = "The launch is on Monday. We meet in Rome.\n"
    result = merge3(
        base,
        base.replace("Monday", "Friday").replace("Rome", "Milan"),
        base.replace("Monday", "Tuesday").replace("Rome", "Turin"),
    )
    assert result.resolve(["mine", "both"]) == (
        "The launch is on Friday. We meet in Milan. We meet in Turin.\n"
    )
    assert result.resolve(["theirs", "mine"]) == "The launch is on Tuesday. We meet in Milan.\n"


def is_subsequence(part: str, whole: str) -> bool:
    """Return whether every character of part is in whole, in order."""
    rest = iter(whole)
    return all(ch in rest for ch in part)


edits = st.lists(
    st.tuples(
        st.integers(0, 40), st.integers(0, 4), st.sampled_from(WORDS + SPACES + ["x. ", "y\n"])
    ),
    min_size=1,
    max_size=4,
)


def apply_edits(tokens: list[str], changes: list[tuple[int, int, str]]) -> str:
    """Return the tokens with (where, how many, replacement) edits applied."""
    tokens = list(tokens)
    for at, count, new in changes:
        at = min(at, len(tokens))
        tokens[at : at + count] = [new]
    return "".join(tokens)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS + SPACES + [". ", "\n"]), max_size=40), edits, edits, st.data()
)
def test_keep_both_never_loses_a_character(base_tokens, mine_edits, theirs_edits, data) -> None:
    base = "".join(base_tokens)
    result = merge3(
        base, apply_edits(base_tokens, mine_edits), apply_edits(base_tokens, theirs_edits)
    )
    n = len(result.conflicts)
    both = result.resolve(["both"] * n)
    assert is_subsequence("".join(c.mine for c in result.conflicts), both)
    assert is_subsequence("".join(c.theirs for c in result.conflicts), both)
    for c in result.conflicts:  # each whole, but for what both versions share at its ends
        mine, theirs = differing(c.mine, c.theirs)
        assert mine.rstrip() in both and theirs.rstrip() in both
    # Any mix of choices: each "both" passage keeps both versions, the others their choice.
    choices = data.draw(
        st.lists(st.sampled_from(["mine", "theirs", "both", "base"]), min_size=n, max_size=n)
    )
    mixed = result.resolve(choices)
    as_mine = result.resolve(["mine" if c == "both" else c for c in choices])
    if "both" not in choices:
        assert mixed == as_mine
    for c, choice in zip(result.conflicts, choices, strict=True):
        if choice == "both":
            mine, theirs = differing(c.mine, c.theirs)
            assert mine.rstrip() in mixed and theirs.rstrip() in mixed


def differing(mine: str, theirs: str) -> tuple[str, str]:
    """Return two versions without the text both start and end with (kept once)."""
    head = len(os.path.commonprefix([mine, theirs]))
    mine, theirs = mine[head:], theirs[head:]
    tail = len(os.path.commonprefix([mine[::-1], theirs[::-1]]))
    return mine[: len(mine) - tail], theirs[: len(theirs) - tail]


@pytest.mark.parametrize("seed", range(100))
def test_a_long_text_merges_line_by_line(seed: int, monkeypatch) -> None:
    monkeypatch.setattr(merge, "LINE_UNITS_FROM", 0)  # as a text over 200,000 characters does
    rng = random.Random(seed)
    # Lines that splitlines() would cut again (\u2028, \r) are units of their own kind.
    odd = ["", "", "", " \u2028 aside", "\r return"] if seed % 2 else [""]
    base = [f"Line {i}{rng.choice(odd)}" for i in range(rng.randint(4, 40))]
    mine, theirs, expected = list(base), list(base), list(base)
    for i in rng.sample(range(len(base)), rng.randint(1, len(base) // 2)):
        side = mine if i % 2 else theirs
        side[i] = expected[i] = base[i] + rng.choice([" edited", "", " and more"]) + "!"
    end = rng.choice(["", "\n"])
    texts = ["\n".join(lines) + end for lines in (base, mine, theirs, expected)]
    assert merge3(*texts[:3]).text == texts[3]
    clash = list(base)
    clash[0] = base[0] + " changed differently"
    mine[0] = base[0] + " changed"
    result = merge3(texts[0], "\n".join(mine) + end, "\n".join(clash) + end)
    conflict = result.conflicts[0]  # the first line (with the next, if mine changed it)
    assert " changed" in conflict.mine and " changed differently" not in conflict.mine
    assert " changed differently" in conflict.theirs


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([" ", "  ", "\n", "\u2028", "!", ".", "_", "a", "b a"]), max_size=20),
    st.lists(st.sampled_from([" ", "  ", "\n", "\u2028", "!", ".", "_", "a", "b a"]), max_size=20),
)
@example([" ", "  ", " "], [" ", "  ", "_", "!", " ", "  ", "  "])
def test_token_changes_of_any_token_lists_rebuild_the_new_list(old, new):
    # Lists of left-over tokens (authorship compares them) need not be a text's own
    # tokenization: "  " + " " and " " + "  " read the same but are other tokens.
    rebuilt, at = [], 0
    for a0, a1, b0, b1 in token_changes(old, new):
        assert a0 >= at and b0 - len(rebuilt) == a0 - at
        rebuilt += old[at:a0] + new[b0:b1]
        at = a1
    assert rebuilt + old[at:] == new


LINES = ["", " ", "  indented", "- item", "- item", "# Heading", "x", "x", "Yes.", "\t tab"]
LINE_EDITS = st.lists(
    st.tuples(
        st.integers(0, 30),
        st.integers(0, 2),
        st.lists(st.sampled_from(LINES + ["x y", "New line. Two.", "- item!"]), max_size=2),
    ),
    max_size=3,
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(LINES + ["The launch is in April. It is in Milan.", "y"]), max_size=30
    ),
    LINE_EDITS,
    LINE_EDITS,
    st.booleans(),
    st.booleans(),
)
def test_lines_all_three_share_at_both_ends_leave_the_merge_as_it_is(
    base_lines, mine_edits, theirs_edits, end, by_lines
) -> None:
    """merge3 merges only between the first and last line any side changed (with a shared
    line either side) unless a change could shift past them: the result is the merge of
    the whole texts, in chunks, runs and conflicts."""

    def edited(changes) -> str:
        lines = list(base_lines)
        for at, count, new in changes:
            lines[at : at + count] = new
        return "\n".join(lines) + ("\n" if end else "")

    base = "\n".join(base_lines) + ("\n" if end else "")
    mine, theirs = edited(mine_edits), edited(theirs_edits)
    if base in (mine, theirs) or mine == theirs:
        return
    with pytest.MonkeyPatch.context() as patch:
        if by_lines:  # as texts over 200,000 characters merge
            patch.setattr(merge, "LINE_UNITS_FROM", 0)
        whole = MergeResult(merge._merged(base, mine, theirs, by_lines))
        assert merge3(base, mine, theirs) == whole


SENTENCES = "The launch is in April. It is in Milan."


@pytest.mark.parametrize(
    "texts",
    [
        # A deletion in a run of equal lines can shift down to the shared end: merged whole.
        (
            "April\n東京 caffè 東京 b\n\nx\nx\nx\n? . April in b a ! spring\n",
            "April\n東京 caffè 東京 b\n\nx\nx\n? . April in b a ! spring\n",
            "April\n- item\n東京 caffè 東京 b\n\ncaffè x\nx\nx\n? . April in b a ! spring\n",
        ),
        (
            f"{SENTENCES}\n!\n\n \n{SENTENCES}\n\n",
            f"{SENTENCES}\n!\n \n{SENTENCES}\n\n",
            f"{SENTENCES}\n! the\nlaunch \n \n{SENTENCES}\n\n",
        ),
        # A line each side of the changes stays in: a deletion could shift onto the line
        # before the first change.
        (
            "x April ?\n\t tab\n\t tab\n",
            "x April ?\n\t tab\n",
            "x April ?\n\t y tab\n\t x 東京 y tab\n",
        ),
    ],
)
def test_changes_that_could_shift_onto_shared_lines_are_merged_as_in_the_whole(texts) -> None:
    assert merge3(*texts) == MergeResult(merge._merged(*texts, False))


#: 400 paragraphs (24 KB), as the merges below split them.
PARAGRAPHS = "\n\n".join(
    f"Paragraph {n}: our spring launch, in Milan, with partners." for n in range(400)
)


def merged_and_split(monkeypatch, mine_edit, theirs_edit) -> tuple[str, list[str]]:
    """Merge two edits (old, new) of PARAGRAPHS; return the merged text and the texts the
    merge tokenized."""
    base = PARAGRAPHS + "\n"
    split: list[str] = []
    tokenize = merge.tokenize
    monkeypatch.setattr(merge, "tokenize", lambda text: split.append(text) or tokenize(text))
    result = merge3(base, base.replace(*mine_edit), base.replace(*theirs_edit))
    return result.text, split


def test_a_merge_of_two_edits_of_one_paragraph_splits_only_around_it(monkeypatch) -> None:
    mine = ("Paragraph 200: our", "Paragraph 200: all our")
    theirs = ("with partners.\n\nParagraph 201", "with our partners.\n\nParagraph 201")
    text, split = merged_and_split(monkeypatch, mine, theirs)
    assert text == (PARAGRAPHS + "\n").replace(*mine).replace(*theirs)
    assert max(map(len, split)) < 500  # three lines and their neighbours, not 24 KB


SPLIT_PIECES = [
    *("a", "word ", "Yes. ", "x.", "日本", "\u3000", "e\u0301", "👩\u200d💻", "1\ufe0f\u20e3"),
    *("\n", "\n\n", " ", "  ", "\t", "- ", "# ", "\r", "\u2028", "\x1c", "\n "),
    *("\x0b", "\x0c", "\x1d", "\x85", "\u2029", "\xa0", "\u200d", "🇮🇹", "\n\u3000"),
]
PIECE_EDITS = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 2), st.lists(st.sampled_from(SPLIT_PIECES))),
    max_size=3,
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(SPLIT_PIECES), max_size=40), PIECE_EDITS, PIECE_EDITS)
def test_each_side_split_only_where_it_differs_gives_the_tokens_of_the_whole(
    base_pieces, mine_edits, theirs_edits
) -> None:
    """Base is split once; each side's text outside what it changed is taken from base's
    pieces: the tokens (and lines) and their codes are those of splitting each whole text."""

    def edited(changes) -> str:
        pieces = list(base_pieces)
        for at, count, new in changes:
            pieces[at : at + count] = new
        return "".join(pieces)

    texts = ("".join(base_pieces), edited(mine_edits), edited(theirs_edits))
    for split in (merge.tokenize, merge._lines):
        codes: dict[str, str] = {}
        whole: dict[str, str] = {}
        expected = [(split(text), merge._code(split(text), whole)) for text in texts]
        assert merge._split_three(texts, split, codes) == expected
        assert codes == whole


def test_a_merge_of_edits_at_both_ends_of_a_page_splits_its_middle_once(monkeypatch) -> None:
    mine = ("Paragraph 3: our", "Paragraph 3: all our")
    theirs = ("Paragraph 396: our", "Paragraph 396: all of our")
    text, split = merged_and_split(monkeypatch, mine, theirs)
    assert text == (PARAGRAPHS + "\n").replace(*mine).replace(*theirs)
    assert sum(map(len, split)) < 1.1 * len(PARAGRAPHS)  # not each of the three texts whole
