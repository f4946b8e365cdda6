"""Time wiki.core.diff.diff_texts on large pages: python benchmarks/bench_diff_core.py."""

import random
import time

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


def timed(name: str, old: str, new: str, repeat: int = 5) -> None:
    """Print the best of several timings of one diff."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        diff = diff_texts(old, new)
        best = min(best, time.perf_counter() - start)
    print(
        f"{name:34} {len(old) / 1000:6.1f} KB  {best * 1000:7.1f} ms  "
        f"{len(diff.rows):5} rows  +{diff.added} -{diff.deleted}"
    )


def main() -> None:
    """Run the benchmarks."""
    rng = random.Random(1)
    lines = page(rng, 2000)
    old = "\n".join(lines) + "\n"
    timed("2,000 lines, half changed", old, "\n".join(rewrite(rng, lines, 0.5)) + "\n")
    timed("2,000 lines, 90% changed", old, "\n".join(rewrite(rng, lines, 0.9)) + "\n")
    timed("2,000 lines, total rewrite", old, "\n".join(page(rng, 2000)) + "\n")
    blanks = [line for pair in zip(lines[:1000], [""] * 1000, strict=True) for line in pair]
    edited = [line + " edited" if line else line for line in blanks]
    timed("every paragraph edited", "\n".join(blanks), "\n".join(edited))
    words = [f"{rng.choice(WORDS)}{n}" for n in range(2100)]
    line = " ".join(words)
    words[1000] = "rewritten"
    timed("one 20 KB line, one word edited", line, " ".join(words))
    one_edit = lines[:1000] + [lines[1000] + " edited"] + lines[1001:]
    timed("2,000 lines, one line edited", old, "\n".join(one_edit) + "\n")
    other = " ".join(rng.choices(WORDS, k=3500))
    timed("one 20 KB line, all words differ", " ".join(rng.choices(WORDS, k=3500)), other)


if __name__ == "__main__":
    main()
