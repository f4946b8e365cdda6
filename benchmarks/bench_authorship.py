"""Authorship and anchors: the authorship view of a page with 1,000 revisions vs a page view,
and the extra cost of a save that updates anchors and authorship vs a save without them.

The history is saved through save_page (small edits of a 20 KB page), so every revision's
authorship and the anchors' positions are computed as they are in use. For the save cost, two
pages with the same text are edited alike, interleaved: the anchors' receiver works for one
and skips the other; each save's time includes its authorship job (run after its answer),
so the figure is the work a save costs the server, not what its editor waits for
(bench_save measures that).
"""

import random

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._wiki import author, markdown_lines, prose_lines, small_edit, temp_wiki
from wiki import anchors, events, jobs
from wiki.anchors import threads
from wiki.core.anchors import Quote
from wiki.core.titles import parse_title
from wiki.pages.service import get_page

PAGE = "Authorship Page"
PLAIN = "Plain Page"
THREADS = 5


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    revisions, repeat = env_int("AUTHORSHIP_REVISIONS", 1000), env_int("AUTHORSHIP_REPEAT", 80)
    heading(f"Authorship: view of a page with {revisions:,} revisions; cost of a save")
    rng = random.Random(20)
    lines = markdown_lines(env_int("PAGE_BYTES", 20_000))
    with temp_wiki() as wiki:
        wiki.save(PAGE, "\n".join(lines))
        with wiki.app.app_context():
            page = get_page(parse_title(PAGE))
            for i in prose_lines(lines)[:THREADS]:
                quote = Quote(" ".join(lines[i].split()[:4]))
                threads.start_thread(page, quote, "Needs a source.", author=author())
        for number in range(revisions - 1):
            lines = small_edit(lines, rng, number)
            wiki.save(PAGE, "\n".join(lines))
        jobs.wait_idle(wiki.app, 600)  # every revision attributed, as the jobs leave them
        client = wiki.app.test_client(use_cookies=False)
        url = PAGE.replace(" ", "_")

        def get(path):
            def go():
                assert client.get(path).status_code == 200

            return go

        views = interleaved(
            {"page view": get(f"/wiki/{url}"), "authorship view": get(f"/authorship/{url}")},
            repeat,
        )
        counter = iter(range(10**6))
        texts = {PAGE: lines, PLAIN: lines}
        wiki.save(PLAIN, "\n".join(lines))

        def only_anchored(sender, **extra):
            if extra["page"].title == PAGE:
                anchors._on_revision_added(sender, **extra)

        events.revision_added.disconnect(anchors._on_revision_added)
        events.revision_added.connect(only_anchored)

        def save(title: str):
            def go():
                texts[title] = small_edit(texts[title], rng, revisions + next(counter))
                wiki.save(title, "\n".join(texts[title]))
                # Authorship is attributed by a job after the save's answer: its work counts.
                jobs.wait_idle(wiki.app, 60)

            return go

        try:
            saves = interleaved(
                {"save": save(PLAIN), "save + anchors, authorship": save(PAGE)}, repeat
            )
        finally:
            events.revision_added.disconnect(only_anchored)
            events.revision_added.connect(anchors._on_revision_added)
    times = views | saves
    print(f"median of {repeat} interleaved runs, Flask test client / save_page, SQLite")
    table(
        ["operation", "median"],
        [[name, ms(median(values))] for name, values in times.items()],
    )
    view_ratio = median(views["authorship view"]) / median(views["page view"])
    extra = median(saves["save + anchors, authorship"]) / median(saves["save"]) - 1
    return [
        Figure(f"authorship view, {revisions:,} revisions / page view", view_ratio, digits=2),
        Figure(
            "extra cost of a save with anchors+authorship",
            extra * 100,
            unit="%",
            limit=20,
            digits=1,
        ),
    ]
