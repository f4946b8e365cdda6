"""Many writers: gunicorn with 4 workers on PostgreSQL, saving through the API.

- 1 writer saving to its own page, then 16 writers each saving to a page of their own:
  saves per second and p95 latency of each run.
- 16 writers saving to one hot page, each rewriting a line of its own from a base revision
  that others have moved past: every save is merged, none may be lost (the last text must
  hold every writer's last acknowledged line), and p95 must stay under 10× the uncontended
  save's. Each writer is a person of their own (an account and token each): one account's
  saves never conflict with each other (a person does not conflict with themselves).

Needs BENCH_POSTGRES_URL or WIKI_TEST_POSTGRES_URL (CI sets the latter); without it the
benchmark says so and reports nothing.
"""

import http.client
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from benchmarks._common import Figure, env_float, env_int, heading, ms, table
from benchmarks._http import gunicorn
from benchmarks._wiki import AUTHOR, PASSWORD, config, markdown_lines, prose_lines
from wiki import create_app
from wiki.api import tokens
from wiki.extensions import db
from wiki.identity import user_key
from wiki.models import Role, User

WORKERS = 4


def postgres_url() -> str | None:
    """Return the PostgreSQL server to run on, if one is configured."""
    return os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("WIKI_TEST_POSTGRES_URL")


@contextmanager
def postgres_wiki(server_url: str, people: int):
    """Yield (folder, url, tokens) of a wiki migrated into a private PostgreSQL schema, with
    an editor's token for each of people."""
    schema = f"bottega_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in server_url else "?"
    url = f"{server_url}{separator}options=-csearch_path%3D{schema}"
    folder = Path(tempfile.mkdtemp(prefix="bottega-bench-writers-"))
    try:
        app = create_app(config(folder) | {"DATABASE_URL": url})
        with app.app_context():
            upgrade(revision="heads")
            hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
            users = []
            for n in range(people):
                name = AUTHOR if n == 0 else f"{AUTHOR}{n}"
                users.append(
                    User(username=name, key=user_key(name), password_hash=hashed, role=Role.EDITOR)
                )
            db.session.add_all(users)
            db.session.commit()
            raws = [tokens.create_token(user, "bench", ["edit"])[1] for user in users]
            db.session.remove()
            db.engine.dispose()
        yield folder, url, raws
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        shutil.rmtree(folder, ignore_errors=True)


class Writer:
    """One client with a keep-alive connection, saving through PUT /api/v1/pages/<title>."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """Send one request; reconnect once if the server closed the connection."""
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        payload = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                return response.status, json.loads(response.read() or b"{}")
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def read(self, title: str) -> tuple[str, int]:
        """Return a page's text and latest revision."""
        status, body = self.request("GET", f"/api/v1/pages/{title}")
        assert status == 200, (status, body)
        return body["text"], body["revision"]

    def save(self, title: str, lines: list[str], base: int) -> tuple[int, int]:
        """Save lines on top of base; return (status, new revision or 0)."""
        body = {"text": "\n".join(lines), "summary": "bench", "base_revision": base}
        status, answer = self.request("PUT", f"/api/v1/pages/{title}", body)
        return status, answer.get("revision", 0)


def seed_page(writer: Writer, title: str, lines: list[str]) -> None:
    """Create a page through the API."""
    status, answer = writer.request("PUT", f"/api/v1/pages/{title}", {"text": "\n".join(lines)})
    assert status in (200, 201), (status, answer)


def own_pages(port: int, keys: list[str], writers: int, seconds: float) -> list[float]:
    """Each writer saves small edits to a page of its own for seconds; return latencies."""
    latencies: list[list[float]] = [[] for _ in range(writers)]
    deadline = time.perf_counter() + seconds

    def run(i: int) -> None:
        writer = Writer(port, keys[i])
        title = f"Own_{writers}_{i}"
        lines = markdown_lines(20_000, seed=i)
        seed_page(writer, title, lines)
        _text, base = writer.read(title)
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            lines[-2] = f"Edit {n} by writer {i}."
            start = time.perf_counter()
            status, base = writer.save(title, lines, base)
            latencies[i].append(time.perf_counter() - start)
            assert status == 200, status

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [value for values in latencies for value in values]


def hot_page(
    port: int, keys: list[str], writers: int, seconds: float
) -> tuple[list[float], list[float], int, bool]:
    """Writers rewrite their own line of one page from stale bases; return the latencies
    of requests, those of edits (from the first attempt until saved: a 409's read and
    retry included), retries after a 409, and whether the final text holds every writer's
    last saved line."""
    title = "Hot_Page"
    starter = Writer(port, keys[0])
    lines = markdown_lines(20_000, seed=99)
    # Each writer owns a line of prose far enough from the others' for a three-way merge to
    # keep both. Prose only: a line taken from anywhere once replaced a code fence's closing
    # line, and 16 KB of the page became one code block, highlighted again on every save
    # (50-80 ms each, inside the page's turn: the hot page measured Pygments).
    prose = prose_lines(lines)
    owned = [prose[i * len(prose) // writers] for i in range(writers)]
    for i, at in enumerate(owned):
        lines[at] = f"Writer {i} line, edit 0."
    seed_page(starter, title, lines)
    _text, first = starter.read(title)
    latencies: list[list[float]] = [[] for _ in range(writers)]
    edits: list[list[float]] = [[] for _ in range(writers)]
    last_saved = [f"Writer {i} line, edit 0." for i in range(writers)]
    retries = [0] * writers
    deadline = time.perf_counter() + seconds

    def run(i: int) -> None:
        writer = Writer(port, keys[i])
        mine, base, n, begun = list(lines), first, 0, None
        while time.perf_counter() < deadline:
            n += 1
            line = f"Writer {i} line, edit {n}."
            mine[owned[i]] = line
            start = time.perf_counter()
            begun = begun or start
            status, revision = writer.save(title, mine, base)
            latencies[i].append(time.perf_counter() - start)
            if status == 200:
                edits[i].append(time.perf_counter() - begun)
                begun = None
                last_saved[i] = line
                # Keep an old base now and then, as a person with the editor open would.
                if n % 3 == 0:
                    text_now, base = writer.read(title)
                    mine = text_now.split("\n")
            else:
                assert status == 409, status
                retries[i] += 1
                text_now, base = writer.read(title)
                mine = text_now.split("\n")

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final, _revision = starter.read(title)
    kept = all(line in final.split("\n") for line in last_saved)
    flat = [v for values in latencies for v in values]
    return flat, [v for values in edits for v in values], sum(retries), kept


def p95(values: list[float]) -> float:
    """Return the 95th percentile."""
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    server_url = postgres_url()
    heading(f"Many writers: gunicorn with {WORKERS} workers on PostgreSQL, saves through the API")
    if not server_url:
        print("skipped: set BENCH_POSTGRES_URL (or WIKI_TEST_POSTGRES_URL) to a PostgreSQL server")
        return []
    seconds = env_float("WRITERS_SECONDS", 15.0)
    many = env_int("WRITERS", 16)
    with postgres_wiki(server_url, many) as (folder, url, keys):
        env = {
            "BENCH_WIKI_FOLDER": str(folder),
            "BENCH_DATABASE_URL": url,
            "WIKI_RATELIMIT_ENABLED": "0",
        }
        app = "benchmarks._apps:wiki_app()"
        with gunicorn(app, WORKERS, env, probe="/login") as server:
            one = own_pages(server.port, keys, 1, seconds)
            spread = own_pages(server.port, keys, many, seconds)
            hot, hot_edits, retries, kept = hot_page(server.port, keys, many, seconds)
    rows = [
        ("1 writer, own page", one),
        (f"{many} writers, own pages", spread),
        (f"{many} writers, one hot page", hot),
    ]
    table(
        ["run", "saves", "saves/s", "median", "p95"],
        [
            [name, len(v), f"{len(v) / seconds:.1f}", ms(statistics.median(v)), ms(p95(v))]
            for name, v in rows
        ],
    )
    print(f"hot page: {retries} saves answered 409 and retried; every last line kept: {kept}")
    assert hot_edits, "no edit was saved on the hot page"
    # Edits still being retried when the run ended are not counted (a slight flattering).
    print(
        f"hot page, each edit from its first attempt until saved: {len(hot_edits)} edits, "
        f"median {ms(statistics.median(hot_edits))}, p95 {ms(p95(hot_edits))}"
    )
    assert kept, "a writer's acknowledged save was lost on the hot page"
    return [
        Figure(f"{many} writers ÷ 1 writer, saves per second", len(spread) / len(one), "×", None),
        Figure(f"{many} writers, own pages: p95 ÷ uncontended", p95(spread) / p95(one), "×", None),
        Figure("hot page: p95 ÷ uncontended p95", p95(hot) / p95(one), "×", 10.0),
        # What a writer waits for an edit to land (a 409 is a fast answer, then a read and
        # another try): the per-request p95 counts those answers as short waits.
        Figure(
            "hot page: p95 of an edit until saved ÷ uncontended",
            p95(hot_edits) / p95(one),
            "×",
            None,
        ),
        # The same writers on pages of their own: what the machine's cores alone cost them
        # (16 writers on 2 cores wait about 8 saves' time whatever the page), so what is
        # left is the hot page's own cost (its saves take turns).
        Figure(
            f"hot page: p95 ÷ p95 of {many} writers on their own pages",
            p95(hot) / p95(spread),
            "×",
            None,
        ),
    ]


if __name__ == "__main__":
    main()
