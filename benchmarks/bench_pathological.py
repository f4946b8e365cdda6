"""The worst diff-shaped responses the site accepts: time and HTML size for hostile texts.

An outside probe found that a 1 MB page of "x\\n" lines made /diff take 10 s and send
138 MB. Every input here is a text the wiki accepts; each diff-shaped response (diff,
inline diff, undo, conflict screen, show changes, history feed) is requested once, cold
(diffs are cached per revision pair afterwards), and must take under 1 s and send under
2 MB. A 20 KB page view, measured in the same run, is the yardstick for the time.
"""

import time

from benchmarks._common import Figure, heading, table
from benchmarks._wiki import add_author, csrf_token, markdown_page, temp_wiki

LIMIT_SECONDS = 1.0
LIMIT_MB = 2.0
COLLEAGUE = "colleague"


def timed(client, method: str, path: str, **kwargs) -> tuple[float, int, int]:
    """Return seconds, bytes and status of one request."""
    start = time.perf_counter()
    response = client.open(path, method=method, **kwargs)
    body = response.get_data()
    return time.perf_counter() - start, len(body), response.status_code


def form(client, **fields) -> dict:
    """Return form data with a CSRF token."""
    return {"csrf_token": csrf_token(client), **fields}


def main() -> list[Figure]:
    """Save the hostile texts, request every diff-shaped view once, report the worst."""
    heading("Diff-shaped responses for hostile texts (each under 1 s and 2 MB?)")
    rows, worst_time, worst_mb = [], 0.0, 0.0
    # A slow machine may need more than a second to render 1 MB of lines: the texts must
    # be accepted for the responses about them to be measured.
    with temp_wiki(RENDER_TIMEOUT=30.0) as wiki:
        client = wiki.client()
        wiki.save("Small", markdown_page(20_000))
        base_view = min(timed(client, "GET", "/wiki/Small")[0] for _ in range(5))
        ys, xs = "y\n" * 524_000, "x\n" * 524_000
        first = wiki.save("Lines", ys)
        last = wiki.save("Lines", xs)
        # A dot first: a page of nothing but blank lines is refused (a blank page).
        empty = wiki.save("Empty", ".\n" + "\n" * 200_000)
        wiki.save("Empty", ".\n" + "\n" * 100_000 + "changed\n" + "\n" * 100_000)
        lines = [f"L{n}." for n in range(60_000)]
        conflict_base = wiki.save("Contested", "\n".join(lines) + "\n")
        theirs = [f"{line} T." if n % 2 else line for n, line in enumerate(lines)]
        # Someone else's: over one's own saves, one's newer text is kept without a conflict.
        with wiki.app.app_context():
            add_author(COLLEAGUE)
        wiki.save("Contested", "\n".join(theirs) + "\n", by=COLLEAGUE)
        mine = [f"{line} M." if n % 2 else line for n, line in enumerate(lines)]
        requests = [
            ("diff of the last edit (1 MB of lines)", "GET", "/diff/Lines", {}),
            ("inline diff of the same", "GET", "/diff/Lines?view=inline", {}),
            ("first-to-last diff", "GET", f"/diff/Lines?from={first}&to={last}", {}),
            ("undo of the last edit", "GET", f"/undo/Lines?rev={last}", {}),
            ("diff of 200,000 empty lines", "GET", f"/diff/Empty?from={empty}", {}),
            ("history feed", "GET", "/feed/history/Lines", {}),
            (
                "show changes of 1 MB",
                "POST",
                "/edit/Lines",
                {"data": form(client, text=ys, base_revision=str(last), action="changes")},
            ),
            (
                "conflict screen, 30,000 passages",
                "POST",
                "/edit/Contested",
                {
                    "data": form(
                        client,
                        text="\n".join(mine) + "\n",
                        base_revision=str(conflict_base),
                        action="save",
                    )
                },
            ),
        ]
        for name, method, path, kwargs in requests:
            seconds, size, status = timed(client, method, path, **kwargs)
            worst_time, worst_mb = max(worst_time, seconds), max(worst_mb, size / 1e6)
            rows.append([name, status, f"{seconds:.2f} s", f"{size / 1e6:.2f} MB"])
    table(["response", "status", "time", "HTML"], rows)
    print(f"a 20 KB page view takes {base_view * 1000:.1f} ms in the same run")
    return [
        Figure("worst diff-shaped response time", worst_time, " s", LIMIT_SECONDS, digits=2),
        Figure("worst diff-shaped response size", worst_mb, " MB", LIMIT_MB, digits=2),
        Figure("worst time ÷ a 20 KB page view", worst_time / base_view, "×", digits=0),
    ]
