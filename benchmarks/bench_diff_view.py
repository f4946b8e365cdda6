"""A diff between far-apart revisions of a 100 KB page, half its lines changed, vs page views."""

import random

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._wiki import WORDS, markdown_lines, markdown_page, temp_wiki
from wiki.core.diff import diff_texts

BIG, SMALL = "Big Page", "Benchmark Page"


def change(line: str, rng: random.Random, number: int) -> str:
    """Return the line edited: mostly a few words replaced, sometimes rewritten."""
    if rng.random() < 0.3 or " " not in line:
        return " ".join(rng.choices(WORDS, k=rng.randint(6, 14))).capitalize() + f" r{number}."
    words = line.split(" ")
    for _ in range(rng.randint(1, 3)):
        words[rng.randrange(len(words))] = f"{rng.choice(WORDS)}{number}"
    return " ".join(words)


def revisions(size: int, hops: int, rng: random.Random) -> list[str]:
    """Return hops + 1 texts; from the first to the last, half of all lines have changed."""
    lines = markdown_lines(size, seed=11)
    filled = [i for i, line in enumerate(lines) if line.strip()]
    chosen = rng.sample(filled, min(len(lines) // 2, len(filled)))
    texts = ["\n".join(lines)]
    for hop in range(hops):
        for i in chosen[hop::hops]:
            lines[i] = change(lines[i], rng, hop)
        texts.append("\n".join(lines))
    return texts


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    size, hops = env_int("DIFF_PAGE_BYTES", 100_000), env_int("DIFF_HOPS", 20)
    repeat = env_int("DIFF_REPEAT", 15)
    heading(f"Diff of revisions {hops} edits apart on a {size // 1000} KB page, half changed")
    texts = revisions(size, hops, random.Random(3))
    with temp_wiki() as wiki:
        ids = [wiki.save(BIG, text) for text in texts]
        wiki.save(SMALL, markdown_page(env_int("PAGE_BYTES", 20_000)))
        client = wiki.app.test_client(use_cookies=False)
        diff_url = f"/diff/Big_Page?from={ids[0]}&to={ids[-1]}"
        sizes = {}

        def get(name, path):
            def go():
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                sizes[name] = len(response.data)

            return go

        ops = {
            "page view, 20 KB page": get("view20", "/wiki/Benchmark_Page"),
            f"page view, {size // 1000} KB page": get("view100", "/wiki/Big_Page"),
            "diff, side by side": get("diff", diff_url),
            "diff, inline": get("inline", diff_url + "&view=inline"),
            "diff_texts() alone": lambda: diff_texts(texts[0], texts[-1]),
        }
        times = interleaved(ops, repeat)

    diff = diff_texts(texts[0], texts[-1])
    old_lines = texts[0].count("\n") + 1
    print(
        f"revisions {ids[0]} → {ids[-1]}: {old_lines} lines, {len(texts[0]) / 1000:.0f} KB; "
        f"diff +{diff.added} -{diff.deleted} lines, {len(diff.rows)} rows; "
        f"median of {repeat} interleaved runs, Flask test client"
    )
    unit = median(times["page view, 20 KB page"])
    table(
        ["request", "median", "× 20 KB page view", "response bytes"],
        [
            [name, ms(median(t)), f"{median(t) / unit:.1f}×", f"{sizes.get(key, 0):,}"]
            for (name, t), key in zip(
                times.items(), ["view20", "view100", "diff", "inline", "-"], strict=True
            )
        ],
    )
    big_view = median(times[f"page view, {size // 1000} KB page"])
    return [
        Figure("far-apart diff ÷ 20 KB page view", median(times["diff, side by side"]) / unit),
        Figure(
            f"far-apart diff ÷ {size // 1000} KB page view",
            median(times["diff, side by side"]) / big_view,
        ),
    ]


if __name__ == "__main__":
    main()
