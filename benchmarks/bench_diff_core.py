"""Time wiki.core.diff.diff_texts on large pages: python -m benchmarks diff_core."""

import random
import time

from benchmarks._common import heading, ms, table
from wiki.core.diff import diff_texts

WORDS = (
    "the a of marketing campaign spring launch page brand voice community company "
    "Perché città über naïve café déjà review draft product customer team 日本語 🍕"
).split()


def page(rng: random.Random, lines: int) -> list[str]:
    """Return wiki-like lines: paragraphs, blank lines, table rows and headings."""
    out = []
    for _ in range(lines):
        roll = rng.random()
        if roll < 0.15:
            out.append("")
        elif roll < 0.2:
            out.append("|-")
        elif roll < 0.25:
            out.append("== " + " ".join(rng.choices(WORDS, k=3)) + " ==")
        else:
            out.append(" ".join(rng.choices(WORDS, k=rng.randint(5, 17))) + ".")
    return out


def rewrite(rng: random.Random, lines: list[str], share: float) -> list[str]:
    """Return lines with about `share` of them edited, dropped, split or replaced."""
    out = []
    for line in lines:
        roll = rng.random() / share
        if roll >= 1:
            out.append(line)
        elif roll < 0.6:
            words = line.split(" ")
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            out.append(" ".join(words))
        elif roll < 0.9:
            out += [line, " ".join(rng.choices(WORDS, k=8))] if roll >= 0.75 else []
        else:
            out.append(" ".join(rng.choices(WORDS, k=10)))
    return out


def timed(old: str, new: str, repeat: int = 5) -> tuple[float, object]:
    """Return the best of several timings of one diff, and the diff."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        diff = diff_texts(old, new)
        best = min(best, time.perf_counter() - start)
    return best, diff


def main() -> None:
    """Run the benchmarks and print each time, also as a multiple of a one-line edit's diff."""
    heading("diff_texts on large pages (best of 5)")
    rng = random.Random(1)
    lines = page(rng, 2000)
    old = "\n".join(lines) + "\n"
    cases = [
        ("2,000 lines, half changed", old, "\n".join(rewrite(rng, lines, 0.5)) + "\n"),
        ("2,000 lines, 90% changed", old, "\n".join(rewrite(rng, lines, 0.9)) + "\n"),
        ("2,000 lines, total rewrite", old, "\n".join(page(rng, 2000)) + "\n"),
    ]
    blanks = [line for pair in zip(lines[:1000], [""] * 1000, strict=True) for line in pair]
    edited = [line + " edited" if line else line for line in blanks]
    cases.append(("every paragraph edited", "\n".join(blanks), "\n".join(edited)))
    words = [f"{rng.choice(WORDS)}{n}" for n in range(2100)]
    line = " ".join(words)
    words[1000] = "rewritten"
    cases.append(("one 20 KB line, one word edited", line, " ".join(words)))
    one_edit = lines[:1000] + [lines[1000] + " edited"] + lines[1001:]
    cases.append(("2,000 lines, one line edited", old, "\n".join(one_edit) + "\n"))
    other = " ".join(rng.choices(WORDS, k=3500))
    cases.append(("one 20 KB line, all words differ", " ".join(rng.choices(WORDS, k=3500)), other))
    results = [(name, old, *timed(old, new)) for name, old, new in cases]
    # The baseline, measured in this run: the everyday case of one line edited.
    unit = next(best for name, _, best, _ in results if name == "2,000 lines, one line edited")
    table(
        ["case", "size", "time", "× one-line edit", "rows", "+ / −"],
        [
            [
                name,
                f"{len(old) / 1000:.1f} KB",
                ms(best),
                f"{best / unit:.1f}×",
                len(diff.rows),
                f"+{diff.added} -{diff.deleted}",
            ]
            for name, old, best, diff in results
        ],
    )


if __name__ == "__main__":
    main()
