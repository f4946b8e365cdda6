"""Authorship and anchors: the authorship view of a page with 1,000 revisions vs a page view,
and the extra cost of a save that updates anchors and authorship vs a save without them.

The history is saved through save_page (small edits of a 20 KB page), so every revision's
authorship and the anchors' positions are computed as they are in use. For the save cost, two
pages with the same text are edited alike, interleaved: the anchors' receiver works for one
and skips the other. Authorship is attributed by a job after the save's answer, so two
figures: the extra time of the answer (saved as from a request: the job waits for it), what
the editor waits for; and the extra work, the job included (saved outside a request and
timed until the job is done).
"""

import gc
import random
import time

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

        def save(title: str, answer_only: bool):
            def go():
                texts[title] = small_edit(texts[title], rng, revisions + next(counter))
                if answer_only:
                    # As from the editor: the job waits for the answer to go out; the time
                    # is the answer's, and the job is let finish after it, untimed.
                    with wiki.app.test_request_context():
                        wiki.save(title, "\n".join(texts[title]))
                    return
                wiki.save(title, "\n".join(texts[title]))
                jobs.wait_idle(wiki.app, 60)  # the job starts at once: its work counts

            return go

        def settled(go):
            """Time go, then let the jobs it queued finish (untimed)."""

            def timed():
                start = time.perf_counter()
                go()
                elapsed = time.perf_counter() - start
                jobs.wait_idle(wiki.app, 60)
                return elapsed

            return timed

        try:
            work = interleaved(
                {"save": save(PLAIN, False), "save + anchors, authorship": save(PAGE, False)},
                repeat,
            )
            answers = {"save": [], "answer": []}
            for number in range(repeat):
                pair = [("save", PLAIN), ("answer", PAGE)][:: 1 if number % 2 else -1]
                for name, title in pair:
                    gc.collect()
                    answers[name].append(settled(save(title, True))())
        finally:
            events.revision_added.disconnect(only_anchored)
            events.revision_added.connect(anchors._on_revision_added)
    saves = work | {
        "save's answer": answers["save"],
        "save's answer + anchors (authorship after it)": answers["answer"],
    }
    times = views | saves
    print(f"median of {repeat} interleaved runs, Flask test client / save_page, SQLite")
    table(
        ["operation", "median"],
        [[name, ms(median(values))] for name, values in times.items()],
    )
    view_ratio = median(views["authorship view"]) / median(views["page view"])
    extra = median(saves["save + anchors, authorship"]) / median(saves["save"]) - 1
    answer = median(answers["answer"]) / median(answers["save"]) - 1
    return [
        Figure(f"authorship view, {revisions:,} revisions / page view", view_ratio, digits=2),
        Figure(
            "extra time of a save's answer with anchors (authorship after it)",
            answer * 100,
            unit="%",
            limit=20,
            digits=1,
        ),
        Figure(
            "extra work of a save with anchors+authorship (its job included)",
            extra * 100,
            unit="%",
            digits=1,
        ),
    ]
