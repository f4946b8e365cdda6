"""Merging: a 100 KB page edited on both sides, and saves under contention vs alone."""

import random
import statistics
import threading
import time

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._wiki import author, markdown_lines, markdown_page, small_edit, temp_wiki
from wiki.core.merge import merge3
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.pages.service import get_page, save_page

CONTENDED = "Contended Page"


def both_sides(size: int) -> tuple[str, str, str]:
    """Return a base text and two versions, each with edits scattered over the page."""
    lines = markdown_lines(size, seed=5)
    rng = random.Random(7)
    mine, theirs = list(lines), list(lines)
    for number in range(20):
        mine = small_edit(mine, rng, number)
        theirs = small_edit(theirs, rng, 100 + number)
    return "\n".join(lines), "\n".join(mine), "\n".join(theirs)


def save_times(wiki, writers: int, saves: int) -> list[float]:
    """Return the latency of each save when `writers` threads each save `saves` times."""
    lines = [f"writer {n}: 0" for n in range(writers)]
    with wiki.app.app_context():
        page = get_page(parse_title(CONTENDED))
        base = page.latest_revision_id if page else None
        save_page(
            parse_title(CONTENDED), "\n".join(lines) + "\n", author=author(), base_revision_id=base
        )
    latencies: list[float] = []
    start = threading.Barrier(writers)

    def writer(number: int) -> None:
        with wiki.app.app_context():
            user = author()
            start.wait()
            for step in range(1, saves + 1):
                began = time.perf_counter()
                page = get_page(parse_title(CONTENDED))
                text = page.latest.text.replace(
                    f"writer {number}: {step - 1}\n", f"writer {number}: {step}\n"
                )
                save_page(
                    parse_title(CONTENDED),
                    text,
                    author=user,
                    base_revision_id=page.latest_revision_id,
                )
                latencies.append(time.perf_counter() - began)
                db.session.rollback()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    size, repeat = env_int("MERGE_PAGE_BYTES", 100_000), env_int("MERGE_REPEAT", 9)
    saves = env_int("MERGE_SAVES", 25)
    heading(f"Merging a {size // 1000} KB page; saves with 4 writers vs 1")
    base, mine, theirs = both_sides(size)
    assert merge3(base, mine, theirs).clean
    with temp_wiki() as wiki:
        wiki.save("Benchmark Page", markdown_page(env_int("PAGE_BYTES", 20_000)))
        client = wiki.app.test_client(use_cookies=False)
        times = interleaved(
            {
                "page view, 20 KB page": lambda: client.get("/wiki/Benchmark_Page"),
                "merge3, 100 KB, 20 edits a side": lambda: merge3(base, mine, theirs),
            },
            repeat,
        )
        alone = save_times(wiki, 1, saves)
        contended = save_times(wiki, 4, saves)
    print(
        "4 writers are threads of one process: they share the GIL and SQLite's write lock, "
        "so the latency includes waiting for both; every contended save merged or retried."
    )
    view = median(times["page view, 20 KB page"])
    merge = median(times["merge3, 100 KB, 20 edits a side"])
    one, four = statistics.median(alone), statistics.median(contended)
    table(
        ["measure", "median", "ratio"],
        [
            ["page view, 20 KB page", ms(view), "1.0× page view"],
            ["merge3, 100 KB, 20 edits a side", ms(merge), f"{merge / view:.1f}× page view"],
            [f"save, 1 writer × {saves}", ms(one), "1.0× uncontended"],
            [
                f"save, 4 writers × {saves} (each merges)",
                ms(four),
                f"{four / one:.2f}× uncontended",
            ],
        ],
    )
    return [
        Figure("merge of a 100 KB page ÷ page view", merge / view),
        Figure("save with 4 writers ÷ save alone", four / one),
    ]


if __name__ == "__main__":
    main()
