"""Page view of a 20 KB page vs a bare Flask route, under gunicorn and in-process.

Three kinds of reader: an anonymous one served from the page cache, an anonymous one with
the cache off (the whole view), and a logged-in person who watches pages, has unread
notifications and a language preference, whose views are never cached whole.
"""

import gc
import os
import statistics
import time

from werkzeug.security import generate_password_hash

from benchmarks._apps import bare_app
from benchmarks._common import Figure, env_float, env_int, heading, interleaved, median, table
from benchmarks._http import gunicorn, load
from benchmarks._wiki import AUTHOR, Wiki, markdown_page, statements, temp_wiki
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.i18n.models import LanguagePreference
from wiki.identity import user_key
from wiki.models import Page, Role, User
from wiki.pages.service import save_page
from wiki.talk import service as talk

TITLE = "Benchmark Page"
URL = "/wiki/Benchmark_Page"
COLLEAGUE = "colleague"
#: Pages the logged-in reader wrote (and so watches) and a colleague then edited.
WATCHED = [f"Campaign {n}" for n in range(1, 9)]


def busy_reader(wiki: Wiki) -> dict[str, str]:
    """Make the benchmark author a real reader; return the headers of their requests.

    They wrote the page and eight others (so they watch them), a colleague edited all of
    them since (unread notifications), the page has a talk topic, and they chose a language.
    """
    with wiki.app.app_context():
        db.session.add(
            User(
                username=COLLEAGUE,
                key=user_key(COLLEAGUE),
                password_hash=generate_password_hash("x", method="pbkdf2:sha256:1000"),
                role=Role.EDITOR,
            )
        )
        me = db.session.scalar(db.select(User).where(User.key == user_key(AUTHOR)))
        db.session.add(LanguagePreference(user_id=me.id, locale="en", timezone="Europe/Rome"))
        db.session.commit()
    for title in WATCHED:
        wiki.save(title, markdown_page(2_000, seed=len(title)))
    with wiki.app.app_context():
        colleague = db.session.scalar(db.select(User).where(User.key == user_key(COLLEAGUE)))
        for title in [*WATCHED, TITLE]:
            page = db.session.scalar(db.select(Page).where(Page.key == parse_title(title).key))
            text = page.latest.text + "\n\nA colleague's addition.\n"
            save_page(
                parse_title(title),
                text,
                author=colleague,
                base_revision_id=page.latest_revision_id,
            )
        page = db.session.scalar(db.select(Page).where(Page.key == parse_title(TITLE).key))
        talk.start_topic(page, "Next steps", "Shall we plan the launch?", author=colleague)
    client = wiki.client()
    client.get(URL)  # the browser shows the message of logging in once, as any page would
    cookie = client.get_cookie("session")
    return {"Cookie": f"session={cookie.value}"}


def in_process(wiki, batch: int, repeat: int) -> tuple[float, float]:
    """Return requests/s of the page view and of the bare route through Flask's test client."""
    # No cookies, like the HTTP client: every request is a first visit.
    page_client = wiki.app.test_client(use_cookies=False)
    bare_client = bare_app().test_client(use_cookies=False)

    def run(client, path):
        def go():
            for _ in range(batch):
                response = client.get(path)
                assert response.status_code == 200, response.status_code

        return go

    times = interleaved({"page": run(page_client, URL), "bare": run(bare_client, "/")}, repeat)
    return batch / median(times["page"]), batch / median(times["bare"])


def after_edits_elsewhere(wiki, repeat: int) -> dict[str, float]:
    """Return, for an anonymous and a logged-in reader (page cache on, test client), the
    median view right after an edit of another page ÷ the same view with nothing changed.

    On a busy wiki someone edits every few seconds: a view that every edit anywhere sends
    back to the database is what most readers get.
    """
    kept = wiki.app.config["PAGE_CACHE_SECONDS"]
    wiki.app.config["PAGE_CACHE_SECONDS"] = 5
    readers = {"anonymous": wiki.app.test_client(use_cookies=False), "logged in": wiki.client()}
    readers["logged in"].get(URL)  # the message of logging in, once
    times: dict[tuple[str, bool], list[float]] = {}
    try:
        for number in range(repeat):
            for edited in (number % 2 == 0, number % 2 == 1):
                if edited:  # untimed: the edit, then each reader's view
                    wiki.save("Elsewhere", f"Words of another page, edit {number}.")
                for name, client in readers.items():
                    gc.collect()  # untimed, as interleaved() does: not the save's garbage
                    start = time.perf_counter()
                    assert client.get(URL).status_code == 200
                    times.setdefault((name, edited), []).append(time.perf_counter() - start)
    finally:
        wiki.app.config["PAGE_CACHE_SECONDS"] = kept
    return {name: median(times[name, True]) / median(times[name, False]) for name in readers}


def under_gunicorn(
    wiki, workers: int, seconds: float, rounds: int, connections: int, person: dict[str, str]
):
    """Return the loads of the page (cached, uncached, logged in) and the bare route, run
    alternately, round by round."""
    env = {"BENCH_WIKI_FOLDER": str(wiki.folder), "WIKI_PAGE_CACHE_SECONDS": "5"}
    # The same wiki with the anonymous page cache turned off: the cost of a full view.
    uncached_env = {**env, "WIKI_PAGE_CACHE_SECONDS": "0"}
    loads: dict[str, list] = {"page": [], "uncached": [], "logged in": [], "bare": []}
    with (
        gunicorn("benchmarks._apps:wiki_app()", workers, env, probe=URL) as page_server,
        gunicorn("benchmarks._apps:wiki_app()", workers, uncached_env, probe=URL) as uncached,
        gunicorn("benchmarks._apps:bare_app()", workers, {}) as bare_server,
    ):
        targets = {
            "page": (page_server, URL),
            "uncached": (uncached, URL),
            "logged in": (page_server, URL, person),
            "bare": (bare_server, "/"),
        }
        for server, path, *headers in targets.values():
            load(server, path, min(seconds, 1.0), connections, *headers)  # warm up every worker
        names = list(targets)
        for round_ in range(rounds):
            turn = round_ % len(names)
            for name in names[turn:] + names[:turn]:
                server, path, *headers = targets[name]
                loads[name].append(load(server, path, seconds, connections, *headers))
    return loads


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    size = env_int("PAGE_BYTES", 20_000)
    workers = env_int("GUNICORN_WORKERS", 2)
    seconds = env_float("HTTP_SECONDS", 2.0)
    rounds = env_int("HTTP_ROUNDS", 6)
    connections = env_int("HTTP_CONNECTIONS", 2 * workers)
    heading(f"Page view of a {size // 1000} KB page vs a bare Flask route")
    with temp_wiki() as wiki:
        wiki.save(TITLE, markdown_page(size))
        person = busy_reader(wiki)
        page_ips, bare_ips = in_process(wiki, env_int("INPROCESS_BATCH", 20), 25)
        reader = wiki.client()
        reader.get(URL)
        queries = statements(wiki.app, reader, URL)
        elsewhere = after_edits_elsewhere(wiki, env_int("EDITS_ELSEWHERE", 60))
        loads = under_gunicorn(wiki, workers, seconds, rounds, connections, person)

    print(
        f"gunicorn: {workers} workers as shipped (gunicorn.conf.py's gthread, "
        f"{os.environ.get('WIKI_GUNICORN_THREADS', '32')} threads) for the wiki and the bare "
        f"route alike; client: {connections} threads on 127.0.0.1, "
        f"a new connection per request, {rounds} rounds of {seconds:g} s alternating."
    )
    rows = []
    for name in loads:
        for i, run in enumerate(loads[name]):
            rows.append(
                [
                    f"{name} #{i + 1}",
                    run.requests,
                    run.errors,
                    f"{run.rps:.0f}",
                    f"{run.cpu_per_request * 1000:.2f}",
                    f"{run.client_cpu / run.seconds:.0%}",
                    run.response_bytes,
                ]
            )
    table(["run", "requests", "errors", "req/s", "server CPU ms/req", "client CPU", "bytes"], rows)
    page_rps = statistics.median(run.rps for run in loads["page"])
    bare_rps = statistics.median(run.rps for run in loads["bare"])
    uncached_rps = statistics.median(run.rps for run in loads["uncached"])
    person_rps = statistics.median(run.rps for run in loads["logged in"])
    page_cpu = statistics.median(run.cpu_per_request for run in loads["page"])
    bare_cpu = statistics.median(run.cpu_per_request for run in loads["bare"])
    uncached_cpu = statistics.median(run.cpu_per_request for run in loads["uncached"])
    person_cpu = statistics.median(run.cpu_per_request for run in loads["logged in"])
    measures = [
        ("gunicorn req/s (median of rounds)", page_rps, bare_rps, 0),
        ("gunicorn req/s, page cache off", uncached_rps, bare_rps, 0),
        ("gunicorn req/s, logged in", person_rps, bare_rps, 0),
        ("gunicorn server CPU ms/req (median)", page_cpu * 1000, bare_cpu * 1000, 2),
        ("  … page cache off", uncached_cpu * 1000, bare_cpu * 1000, 2),
        ("  … logged in", person_cpu * 1000, bare_cpu * 1000, 2),
        ("test client req/s (median of batches)", page_ips, bare_ips, 0),
    ]
    table(
        ["measure", "page", "bare", "page / bare"],
        [[name, f"{p:,.{d}f}", f"{b:,.{d}f}", f"{p / b:.3f}"] for name, p, b, d in measures],
    )
    errors = sum(run.errors for runs in loads.values() for run in runs)
    if errors:
        print(f"WARNING: {errors} requests failed")
    print(f"SQL statements in a logged-in page view: {queries}")
    for name, ratio in elsewhere.items():
        print(f"{name} view right after an edit of another page ÷ nothing changed: {ratio:.2f}×")
    return [
        Figure("page view req/s ÷ bare route (gunicorn)", page_rps / bare_rps, "", 0.85, True),
        Figure(
            "page view req/s ÷ bare route, cache off (gunicorn)",
            uncached_rps / bare_rps,
            "",
            0.25,
            True,
        ),
        Figure(
            "logged-in page view req/s ÷ bare route (gunicorn)",
            person_rps / bare_rps,
            "",
            0.25,
            True,
        ),
        Figure("SQL statements in a logged-in page view", queries, "", digits=0),
        Figure(
            "anonymous view after an edit elsewhere ÷ nothing changed (test client)",
            elsewhere["anonymous"],
        ),
        Figure(
            "logged-in view after an edit elsewhere ÷ nothing changed (test client)",
            elsewhere["logged in"],
        ),
        Figure("page view req/s ÷ bare route (test client)", page_ips / bare_ips, ""),
        Figure("page view server CPU ÷ bare route", page_cpu / bare_cpu),
        Figure("logged-in page view server CPU ÷ bare route", person_cpu / bare_cpu),
    ]


if __name__ == "__main__":
    main()
