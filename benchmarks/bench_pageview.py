"""Page view of a 20 KB page vs a bare Flask route, under gunicorn and in-process."""

import statistics

from benchmarks._apps import bare_app
from benchmarks._common import Figure, env_float, env_int, heading, interleaved, median, table
from benchmarks._http import gunicorn, load
from benchmarks._wiki import markdown_page, temp_wiki

TITLE = "Benchmark Page"
URL = "/wiki/Benchmark_Page"


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


def under_gunicorn(wiki, workers: int, seconds: float, rounds: int, connections: int):
    """Return the loads of the page and the bare route, run alternately, round by round."""
    env = {"BENCH_WIKI_FOLDER": str(wiki.folder), "WIKI_PAGE_CACHE_SECONDS": "5"}
    # The same wiki with the anonymous page cache turned off: the cost of a full view.
    uncached_env = {**env, "WIKI_PAGE_CACHE_SECONDS": "0"}
    loads: dict[str, list] = {"page": [], "uncached": [], "bare": []}
    with (
        gunicorn("benchmarks._apps:wiki_app()", workers, env, probe=URL) as page_server,
        gunicorn("benchmarks._apps:wiki_app()", workers, uncached_env, probe=URL) as uncached,
        gunicorn("benchmarks._apps:bare_app()", workers, {}) as bare_server,
    ):
        targets = {
            "page": (page_server, URL),
            "uncached": (uncached, URL),
            "bare": (bare_server, "/"),
        }
        for server, path in targets.values():
            load(server, path, min(seconds, 1.0), connections)  # warm up every worker
        names = list(targets)
        for round_ in range(rounds):
            order = names[round_ % 3 :] + names[: round_ % 3]
            for name in order:
                loads[name].append(load(*targets[name], seconds, connections))
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
        page_ips, bare_ips = in_process(wiki, env_int("INPROCESS_BATCH", 20), 25)
        loads = under_gunicorn(wiki, workers, seconds, rounds, connections)

    print(
        f"gunicorn: {workers} sync workers each; client: {connections} threads on 127.0.0.1, "
        f"a new connection per request, {rounds} rounds of {seconds:g} s alternating."
    )
    rows = []
    for name in ("page", "uncached", "bare"):
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
    page_cpu = statistics.median(run.cpu_per_request for run in loads["page"])
    bare_cpu = statistics.median(run.cpu_per_request for run in loads["bare"])
    measures = [
        ("gunicorn req/s (median of rounds)", page_rps, bare_rps, 0),
        ("gunicorn req/s, page cache off", uncached_rps, bare_rps, 0),
        ("gunicorn server CPU ms/req (median)", page_cpu * 1000, bare_cpu * 1000, 2),
        ("test client req/s (median of batches)", page_ips, bare_ips, 0),
    ]
    table(
        ["measure", "page", "bare", "page / bare"],
        [[name, f"{p:,.{d}f}", f"{b:,.{d}f}", f"{p / b:.3f}"] for name, p, b, d in measures],
    )
    errors = sum(run.errors for runs in loads.values() for run in runs)
    if errors:
        print(f"WARNING: {errors} requests failed")
    return [
        Figure("page view req/s ÷ bare route (gunicorn)", page_rps / bare_rps, "", 0.5, True),
        Figure("page view req/s ÷ bare route, cache off (gunicorn)", uncached_rps / bare_rps, ""),
        Figure("page view req/s ÷ bare route (test client)", page_ips / bare_ips, ""),
        Figure("page view server CPU ÷ bare route", page_cpu / bare_cpu),
    ]


if __name__ == "__main__":
    main()
