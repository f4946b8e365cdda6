"""Where a request's time goes: SQL per request and a cProfile by package and function.

python -m benchmarks.profile_requests [view|person|history|save ...]   (not part of `make bench`)

"person" is the page view of a logged-in reader with watches, notifications and a language.
"""

import cProfile
import pstats
import random
import sys
import time
from collections import Counter
from contextlib import contextmanager

from flask import render_template
from sqlalchemy import event

from benchmarks._apps import bare_app
from benchmarks._common import env_int, heading, interleaved, median, ms, table
from benchmarks._wiki import csrf_token, markdown_lines, markdown_page, small_edit, temp_wiki
from benchmarks.bench_pageview import busy_reader
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.pages import service
from wiki.pages.content import rendered_html

PACKAGES = ("wiki", "flask_", "flask", "jinja2", "sqlalchemy", "werkzeug", "babel", "markupsafe")


@contextmanager
def sql_log(app):
    """Collect the SQL statements the app runs inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def package(filename: str) -> str:
    """Return the package a source file belongs to, for grouping the profile."""
    parts = filename.replace("\\", "/").split("/")
    if "site-packages" in parts:
        name = parts[parts.index("site-packages") + 1]
        return name.removesuffix(".py")
    if "/work/" in filename or "wiki" in parts:
        return "wiki (this app)"
    return "python stdlib / builtins" if filename.startswith(("/", "<", "~")) else filename


def profile(name: str, request, count: int) -> None:
    """Print SQL per request, then where the time of count requests goes."""
    heading(f"{name}: {count} requests")
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for _ in range(count):
        request()
    profiler.disable()
    elapsed = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    by_package: Counter[str] = Counter()
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        by_package[package(filename)] += tottime
    total = sum(by_package.values())
    print(f"{elapsed / count * 1000:.2f} ms per request under the profiler")
    table(
        ["package (own time)", "ms/request", "share"],
        [
            [n, f"{t / count * 1000:.3f}", f"{t / total:.0%}"]
            for n, t in by_package.most_common(10)
        ],
    )
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(
        r"wiki|jinja2/environment|flask_babel|flask_wtf", 25
    )


def view_layers(app, count: int) -> None:
    """Print, without a profiler, what the parts of a page view cost (interleaved medians)."""
    visitor, bare = app.test_client(use_cookies=False), bare_app().test_client(use_cookies=False)
    title = parse_title("Benchmark Page")

    def batch(step):
        def go():
            for _ in range(20):
                with app.test_request_context("/wiki/Benchmark_Page"):
                    step()
                    db.session.remove()

        return go

    with app.test_request_context("/wiki/Benchmark_Page"):
        shown = service.view_page(title)
        html = shown.html
        db.session.remove()  # shown stays usable: its attributes are loaded
    ops = {
        "whole page view (test client)": lambda: [
            visitor.get("/wiki/Benchmark_Page") for _ in range(20)
        ],
        "bare Flask route (test client)": lambda: [bare.get("/") for _ in range(20)],
        "empty request context + session.remove()": batch(lambda: None),
        "view_page(): page, cached HTML, red links": batch(lambda: service.view_page(title)),
        "  get_page(): the page with latest and author": batch(lambda: service.get_page(title)),
        "  with_red_links(): one IN query": batch(lambda: service.with_red_links(html)),
        "  rendered_html(): the cached HTML row": batch(
            lambda: rendered_html(shown.revision.sha1, lambda: "")
        ),
        "render_template('pages/view.html')": batch(
            lambda: render_template("pages/view.html", view=shown, title=title)
        ),
    }
    times = interleaved(ops, max(count // 20, 5))
    heading("view: what the parts cost, no profiler (median per call, in a request context)")
    unit = median(times["whole page view (test client)"]) / 20
    table(
        ["part", "per call", "share of a page view"],
        [[name, ms(median(t) / 20), f"{median(t) / 20 / unit:.0%}"] for name, t in times.items()],
    )


def main(argv: list[str]) -> None:
    """Profile the page view, the first history page and a save."""
    wanted = argv or ["view", "person", "history", "save"]
    count = env_int("PROFILE_REQUESTS", 200)
    with temp_wiki() as wiki:
        wiki.save("Benchmark Page", markdown_page(env_int("PAGE_BYTES", 20_000)))
        lines, rng = markdown_lines(4_000, seed=7), random.Random(1)
        for i in range(wiki.app.config["HISTORY_PAGE_SIZE"]):
            lines = small_edit(lines, rng, i)
            wiki.save("History Page", "\n".join(lines))
        busy_reader(wiki)
        visitor, editor = wiki.app.test_client(use_cookies=False), wiki.client()
        numbers = iter(range(10**6, 10**7))

        def save():
            nonlocal lines
            lines = small_edit(lines, rng, next(numbers))
            form = {
                "text": "\n".join(lines),
                "base_revision": str(wiki.latest_id("History Page")),
                "csrf_token": csrf_token(editor),
            }
            assert editor.post("/edit/History_Page", data=form).status_code == 302

        requests = {
            "view": lambda: visitor.get("/wiki/Benchmark_Page"),
            "person": lambda: editor.get("/wiki/Benchmark_Page"),
            "history": lambda: visitor.get("/history/History_Page"),
            "save": save,
        }
        if "view" in wanted:
            view_layers(wiki.app, count)
        for name in wanted:
            requests[name]()  # warm caches
            with sql_log(wiki.app) as statements:
                requests[name]()
            heading(f"{name}: {len(statements)} SQL statements in one request")
            for statement in statements:
                print(" ", statement[:160])
            profile(name, requests[name], count if name != "save" else count // 4)


if __name__ == "__main__":
    main(sys.argv[1:])
