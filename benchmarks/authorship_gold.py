"""Gold set for word authorship: generated histories whose every word's author is known.

Each history starts from a text by revision 1 and goes through edits made by a model of the
page (paragraphs of sentences of words, each word carrying the revision that wrote it):
sentences added, words inserted, replaced and deleted, sentences deleted, paragraphs moved,
sentences copied elsewhere (the copy keeps its writers), vandalism (a rewrite) followed by a
revert to an earlier version, and a word vandalised then put back by hand. The words come
from a small vocabulary, so the same words recur as they do in real text.

The attribution (wiki.core.authorship, as the save path runs it, reverts found by text) is
compared with the truth word by word, in every revision; precision is the share of words
credited to the right revision.

    python -m benchmarks.authorship_gold [HISTORIES] [SEED]
"""

import random
import sys
from collections import Counter

from wiki.core.authorship import attribute, is_word

VOCABULARY = (
    "il la di che e a per con una un del della sono è nel al più come anche ma si non "
    "città caffè qualità perché già così però società libertà università attività "
    "the of and to in is for with on our team brand voice customer product story market "
    "launch campaign review draft design message channel audience studio growth clear"
).split()
Word = tuple[str, int]  # the word, the revision that wrote it
Sentence = list[Word]
Page = list[list[Sentence]]  # paragraphs of sentences


def render(page: Page) -> str:
    """Return the page's text: sentences end with a full stop, paragraphs with a blank line."""
    return "".join(
        " ".join(" ".join(w for w, _ in s) + "." for s in paragraph) + "\n\n" for paragraph in page
    )


def truth(page: Page) -> list[int]:
    """Return the revision of each word of the page, in reading order."""
    return [r for paragraph in page for s in paragraph for _, r in s]


def sentence(rng: random.Random, revision: int) -> Sentence:
    return [(rng.choice(VOCABULARY), revision) for _ in range(rng.randint(4, 12))]


def copy(page: Page) -> Page:
    return [[list(s) for s in paragraph] for paragraph in page]


def edit(page: Page, rng: random.Random, revision: int) -> tuple[Page, str]:
    """Return the page after one random edit, and the edit's kind."""
    page = copy(page)
    kind = rng.choices(
        [
            "add",
            "insert",
            "replace",
            "delete words",
            "delete sentence",
            "move",
            "copy",
            "vandal revert",
            "word restore",
        ],
        weights=[20, 15, 15, 8, 6, 8, 6, 8, 6],
    )[0]
    paragraph = rng.choice(page)
    target = rng.choice(paragraph)
    if kind == "add":
        paragraph.insert(rng.randint(0, len(paragraph)), sentence(rng, revision))
    elif kind == "insert":
        at = rng.randint(0, len(target))
        target[at:at] = [(rng.choice(VOCABULARY), revision) for _ in range(rng.randint(1, 3))]
    elif kind == "replace":
        at = rng.randrange(len(target))
        target[at] = (rng.choice(VOCABULARY), revision)
    elif kind == "delete words" and len(target) > 3:
        at = rng.randrange(len(target) - 1)
        del target[at : at + rng.randint(1, 2)]
    elif kind == "delete sentence" and len(paragraph) > 1:
        paragraph.remove(target)
    elif kind == "move" and len(page) > 1:
        moved = page.pop(rng.randrange(len(page)))
        page.insert(rng.randint(0, len(page)), moved)
    elif kind == "copy":
        rng.choice(page).append(list(target))
    elif kind == "vandal revert":
        return [[[("spam", revision)] * 5]], kind  # the next revision restores
    elif kind == "word restore":
        return page, kind  # handled by the caller across two revisions
    return page, kind


def history(rng: random.Random, length: int) -> tuple[list[str], list[list[int]], Counter]:
    """Return the texts of a generated history and the true revision of each of their words."""
    page: Page = [
        [sentence(rng, 1) for _ in range(rng.randint(1, 4))] for _ in range(rng.randint(2, 5))
    ]
    texts, truths, kinds = [render(page)], [truth(page)], Counter()
    while len(texts) < length:
        revision = len(texts) + 1  # the number the next saved text gets
        new, kind = edit(page, rng, revision)
        if kind == "vandal revert":
            texts.append(render(new))
            truths.append(truth(new))
            new = copy(page)  # the revert: the page as it was, its writers unchanged
        elif kind == "word restore":
            target = rng.choice(rng.choice(new))
            at = rng.randrange(len(target))
            original = target[at]
            if original[0] == "vandalo":
                continue
            target[at] = ("vandalo", revision)
            texts.append(render(new))
            truths.append(truth(new))
            target[at] = original  # put back by hand, with other words unchanged
        if render(new) == texts[-1]:
            continue
        kinds[kind] += 1
        page = new
        texts.append(render(page))
        truths.append(truth(page))
    return texts, truths, kinds


def attributed(texts: list[str]) -> list[list[int]]:
    """Return the revision credited for each word of each text, as the wiki computes it."""
    current, memory, seen, out = None, None, {}, []
    for number, text in enumerate(texts, 1):
        args = (memory,) if memory is not None else ()
        current, memory = attribute(current, text, number, *args, restored=seen.get(text))
        seen.setdefault(text, current)
        tokens, revisions = current.tokens()
        out.append([r for t, r in zip(tokens, revisions, strict=True) if is_word(t)])
    return out


def main(argv: list[str]) -> float:
    """Generate the histories, attribute them and print the precision."""
    count = int(argv[0]) if argv else 60
    rng = random.Random(int(argv[1]) if len(argv) > 1 else 20)
    right = total = final_right = final_total = 0
    kinds: Counter = Counter()
    worst = []
    for number in range(count):
        texts, truths, made = history(rng, rng.randint(20, 60))
        kinds += made
        got = attributed(texts)
        for expected, found in zip(truths, got, strict=True):
            assert len(expected) == len(found), "the texts' words and tokens disagree"
            hits = sum(a == b for a, b in zip(expected, found, strict=True))
            right, total = right + hits, total + len(expected)
        hits = sum(a == b for a, b in zip(truths[-1], got[-1], strict=True))
        final_right, final_total = final_right + hits, final_total + len(truths[-1])
        worst.append((hits / max(1, len(truths[-1])), number))
    precision = right / total
    print(
        f"{count} histories, {sum(kinds.values())} edits: "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
    )
    print(f"precision over every revision's words: {precision:.2%} ({right:,} of {total:,})")
    print(f"precision over the final texts' words: {final_right / final_total:.2%}")
    print("lowest final precision: " + ", ".join(f"#{n} {p:.0%}" for p, n in sorted(worst)[:3]))
    return precision


if __name__ == "__main__":
    main(sys.argv[1:])
