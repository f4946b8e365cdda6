"""The API against the HTML pages, and the cost of counting page views.

- A page read through the API (JSON: Markdown and HTML) vs the HTML page view.
- A save through the API (PUT with a token) vs through the editor's form.
- A page view with view counting on vs off: the anonymous view from the page cache (the
  cheapest there is, so counting weighs most) and the full view (cache off).
"""

import random

from benchmarks._common import Figure, env_int, heading, interleaved, median, ms, table
from benchmarks._wiki import author, csrf_token, markdown_lines, small_edit, temp_wiki
from wiki.api import tokens
from wiki.share import reach

TITLE = "Benchmark Page"
URL = "/wiki/Benchmark_Page"
API_URL = "/api/v1/pages/Benchmark_Page"
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0"}


def reads(wiki, batch: int, repeat: int) -> dict[str, list[float]]:
    """Time batches of API reads and of HTML page views of one page."""
    client = wiki.app.test_client(use_cookies=False)

    def run(path: str):
        def go():
            for _ in range(batch):
                assert client.get(path, headers=BROWSER).status_code == 200

        return go

    return interleaved({"api": run(API_URL), "html": run(URL)}, repeat)


def saves(wiki, size: int, repeat: int) -> dict[str, list[float]]:
    """Time saves of a small edit through the API and through the editor's form."""
    with wiki.app.app_context():
        _token, raw = tokens.create_token(author(), "bench", ["edit"])
    headers = {"Authorization": f"Bearer {raw}"}
    api_client, form_client = wiki.app.test_client(), wiki.client()
    rng = random.Random(7)
    state = {}
    for name, title in (("api", "Api Page"), ("form", "Form Page")):
        lines = markdown_lines(size, seed=3)
        wiki.save(title, "\n".join(lines))
        state[name] = [lines, wiki.latest_id(title), 0]

    def api():
        lines, base, n = state["api"]
        lines = small_edit(lines, rng, n)
        body = {"text": "\n".join(lines), "summary": "bench", "base_revision": base}
        response = api_client.put("/api/v1/pages/Api_Page", json=body, headers=headers)
        assert response.status_code == 200, response.get_json()
        state["api"] = [lines, response.get_json()["revision"], n + 1]

    def form():
        lines, base, n = state["form"]
        lines = small_edit(lines, rng, n)
        data = {
            "text": "\n".join(lines),
            "summary": "bench",
            "base_revision": str(base),
            "csrf_token": csrf_token(form_client),
        }
        assert form_client.post("/edit/Form_Page", data=data).status_code == 302
        state["form"] = [lines, wiki.latest_id("Form Page"), n + 1]

    return interleaved({"api": api, "form": form}, repeat)


def counting(wiki, batch: int, repeat: int, cached: bool) -> dict[str, list[float]]:
    """Time batches of anonymous page views with counting on and off."""
    app = wiki.app
    app.config["PAGE_CACHE_SECONDS"] = 60.0 if cached else 0.0
    client = app.test_client(use_cookies=False)

    def run(on: bool):
        def go():
            app.config["REACH_ENABLED"] = on
            for _ in range(batch):
                assert client.get(URL, headers=BROWSER).status_code == 200

        return go

    times = interleaved({"on": run(True), "off": run(False)}, repeat)
    app.config["REACH_ENABLED"] = True
    return times


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    size = env_int("PAGE_BYTES", 20_000)
    batch = env_int("INPROCESS_BATCH", 20)
    repeat = env_int("API_REPEAT", 15)
    heading(f"API vs HTML on a {size // 1000} KB page; view counting on vs off")
    with temp_wiki(PAGE_CACHE_SECONDS=0.0) as wiki:
        wiki.save(TITLE, "\n".join(markdown_lines(size)))
        read = reads(wiki, batch, repeat)
        save = saves(wiki, size, repeat)
        cached = counting(wiki, batch * 5, repeat * 2, cached=True)
        full = counting(wiki, batch, repeat, cached=False)
        reach.flush(wiki.app)  # before the wiki's folder goes
    rows = [
        ("page read: API ÷ HTML view", median(read["api"]) / batch, median(read["html"]) / batch),
        ("save: API ÷ form", median(save["api"]), median(save["form"])),
        (
            "cached view: counting on ÷ off",
            median(cached["on"]) / (batch * 5),
            median(cached["off"]) / (batch * 5),
        ),
        ("full view: counting on ÷ off", median(full["on"]) / batch, median(full["off"]) / batch),
    ]
    table(
        ["measure", "first", "second", "ratio"],
        [[name, ms(a), ms(b), f"{a / b:.3f}"] for name, a, b in rows],
    )
    ratios = {name: a / b for name, a, b in rows}
    return [
        Figure("API page read ÷ HTML page view", ratios["page read: API ÷ HTML view"], "×", 1.5),
        Figure("save through the API ÷ through the form", ratios["save: API ÷ form"], "×", 1.2),
        Figure(
            "cached page view, counting on ÷ off",
            ratios["cached view: counting on ÷ off"],
            "×",
            1.05,
        ),
        Figure(
            "full page view, counting on ÷ off", ratios["full view: counting on ÷ off"], "×", 1.05
        ),
    ]


if __name__ == "__main__":
    main()
