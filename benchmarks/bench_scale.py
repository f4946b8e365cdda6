"""Requests on a wiki of 100,000 pages and 1,000,000 revisions vs the same on 100 pages.

Goal (issue 18, goal 4): a page view, history, a diff, /recent, a profile, search and a
save each cost at most 1.5× the same request on a wiki of 100 pages, on SQLite and on
PostgreSQL. The large wikis are built once by benchmarks/large_wiki.py (minutes) and kept
in BENCH_DATA (SQLite) or a schema (PostgreSQL); BENCH_SCALE_PAGES and
BENCH_SCALE_REVISIONS set the sizes, BENCH_SCALE_ENGINES the engines. Each person of a
wiki wrote about 100 revisions or more (10 people in the small wiki, 1,000 in the large),
so the profile shows a full page of 50 contributions in both: the same request.
"""

import os

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._scale import POSTGRES_URL, open_wiki
from benchmarks._wiki import csrf_token
from wiki import jobs
from wiki.core.titles import parse_title

LIMIT = 1.5
#: The page the benchmark saves (made by its first save).
SAVED = "Bench save page"


def requests_of(wiki, pages: int) -> dict:
    """Return the timed requests: GETs as a logged-in reader, and a save through the form."""
    client = wiki.client()
    number = pages // 2
    with wiki.app.app_context():
        from wiki.models import Page

        page = Page.query.filter_by(key=f"page {number}").one()
        latest, parent = page.latest_revision_id, page.latest.parent_id
    urls = {
        "page view": f"/wiki/Page_{number}",
        "history": f"/history/Page_{number}",
        "diff": f"/diff/Page_{number}?from={parent}&to={latest}",
        "recent changes": "/recent",
        "profile": "/user/person7",
        "search": f"/search?q=topic{number}&fulltext=1",
    }
    ops = {}
    for name, url in urls.items():

        def get(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        ops[name] = get
    counter = iter(range(10**9))
    with wiki.app.app_context():
        saved = [True] if Page.query.filter_by(key=parse_title(SAVED).key).first() else []

    def save():
        # The page's latest revision as the base, as the edit form sends it: a save on an
        # older base (or none, on a page that exists) is answered 409 with the merge page.
        base = wiki.latest_id(SAVED) if saved else ""
        text = f"# Benchmark save\n\nEdit {next(counter)} of a page saved by the benchmark.\n"
        response = client.post(
            f"/edit/{SAVED.replace(' ', '_')}",
            data={"text": text, "base_revision": base, "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 302, response.status_code
        saved.append(True)

    ops["save (new text each time)"] = save
    for op in ops.values():
        op()  # warm up: caches, templates, rendering
    return ops


def measure(engine: str, pages: int, revisions: int, repeat: int):
    """Return the median time of each request on the small and the large wiki, measured
    interleaved (both wikis open at once), so the machine's noise hits both alike."""
    with open_wiki(engine, 100, 1_000) as small, open_wiki(engine, pages, revisions) as large:
        print(f"measuring on {large.description}, and 100 pages")
        ops = {("small", name): op for name, op in requests_of(small, 100).items()}
        ops |= {("large", name): op for name, op in requests_of(large, pages).items()}
        wikis = (small, large)
        # A save's authorship job (50 ms after its answer) runs between the timed requests.
        times = interleaved(ops, repeat, lambda: [jobs.wait_idle(w.app, 60) for w in wikis])
    medians = {key: median(values) for key, values in times.items()}
    names = [name for size, name in medians if size == "small"]
    return {name: (medians["small", name], medians["large", name]) for name in names}


def main() -> list[Figure]:
    """Measure each request on the large and the small wiki, per engine."""
    pages, revisions = env_int("SCALE_PAGES", 100_000), env_int("SCALE_REVISIONS", 1_000_000)
    repeat = env_int("SCALE_REPEAT", 15)
    engines = os.environ.get("BENCH_SCALE_ENGINES", "sqlite,postgres").split(",")
    if not POSTGRES_URL and "postgres" in engines:
        print("no PostgreSQL server given (WIKI_BENCH_POSTGRES_URL): SQLite only")
        engines = [e for e in engines if e != "postgres"]
    heading(f"Scale: {pages:,} pages / {revisions:,} revisions vs 100 pages / 1,000 revisions")
    figures, rows = [], []
    for engine in engines:
        for name, (small, large) in measure(engine, pages, revisions, repeat).items():
            ratio = large / small
            rows.append([engine, name, ms(small), ms(large), f"{ratio:.2f}×"])
            figures.append(Figure(f"{engine}: {name}, large ÷ small", ratio, limit=LIMIT))
    table(["engine", "request", "100 pages", f"{pages:,} pages", "ratio"], rows)
    return figures
