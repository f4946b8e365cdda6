"""Saving a 20 KB page over HTTP: Bottega against Otter Wiki, and against its own short history.

Both wikis run under gunicorn with one sync worker on SQLite, on 127.0.0.1, each with a
logged-in editor, and get the same small edits of the same page as form POSTs, interleaved
(Bottega, Otter Wiki, Otter Wiki, Bottega, …), each once the work the saves before it
left for after their answers is done (as between an editor's saves); a save is timed from
the moment its form is encoded (≈ 1 ms of the client's for 20 KB, once inside the clock)
to its answer. Bottega is
also saved as shipped: gunicorn.conf.py's threads (for live editors' sockets) make its
worker gthread (a report, not the goal). Bottega renders and links a page
when it is saved, Otter Wiki when it is viewed, so the save followed by the page view it
redirects to (what an editor waits for) is measured too. Otter Wiki (a Flask wiki on git) is
installed, pinned, into its own venv in benchmarks/.otterwiki-venv the first time; if that
fails the comparison says "not measured" and the rest still runs.

Flatness: saves on a page with BENCH_SAVE_HISTORY [10000] revisions against saves on one
with 10, interleaved, the same edits of texts of the same size; the long history is
bulk-inserted as bench_history does (the rows save_page writes, checked by the integrity
check). Statements per save are counted
in-process with the Flask test client.

BENCH_SAVE_BEFORE=/path/to/another/checkout (with its own .venv, e.g. the main branch) also
saves through that version of Bottega, on the same database, interleaved with the others:
a before/after comparison of a change to the save path.
"""

import http.client
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import event, func, select

from benchmarks._common import Figure, env_int, heading, median, ms, table
from benchmarks._http import gunicorn
from benchmarks._wiki import (
    AUTHOR,
    PASSWORD,
    csrf_token,
    markdown_lines,
    small_edit,
    temp_wiki,
)
from benchmarks.bench_history import bulk_revisions
from wiki import jobs
from wiki.extensions import db
from wiki.integrity import check_all
from wiki.models import PageFollowUp

OTTERWIKI = "otterwiki==2.26.1"
VENV = Path(__file__).resolve().parent / ".otterwiki-venv"
TITLE, SHORT, LONG = "Save Benchmark", "Short History", "Long History"
BEFORE_TITLE = "Save Benchmark Before"
SHIPPED_TITLE = "Save Benchmark Shipped"
#: One sync worker, as Otter Wiki runs here (the goal's conditions); gunicorn.conf.py's
#: threads make the worker gthread (for live editors' sockets): measured apart, "as shipped".
SYNC = {"WIKI_GUNICORN_THREADS": "1"}
EMAIL = "bench@example.org"


class Session:
    """A browser-like client: one new connection per request, a cookie, forms with tokens."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}

    def request(
        self, method: str, path: str, form: dict | None = None, clock: list | None = None
    ) -> tuple[int, str]:
        """Send one request; return the status and the body (clock: append the time the
        request started, after the form was encoded: the client's work is not the wiki's)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if clock is not None:
            clock.append(time.perf_counter())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read().decode(errors="replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return response.status, data

    def token(self, path: str) -> str:
        """Return the CSRF token of the form at path."""
        status, page = self.request("GET", path)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert found, (path, status)
        return found.group(1)

    def post(self, path: str, form: dict) -> float:
        """POST form and return the seconds it took; it must answer with a redirect."""
        clock: list[float] = []
        status, body = self.request("POST", path, form, clock)
        elapsed = time.perf_counter() - clock[0]
        assert status == 302, (path, status, body[:300])
        return elapsed


# --- Otter Wiki ---------------------------------------------------------------------------


def otter_python() -> tuple[str | None, str]:
    """Return the Python of a venv with Otter Wiki installed (installing it if needed), or
    None and why not."""
    python = VENV / "bin" / "python"
    wanted = OTTERWIKI.split("==")[1]
    probe = [str(python), "-c", "import importlib.metadata as m; print(m.version('otterwiki'))"]
    if python.exists():
        found = subprocess.run(probe, capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.strip() == wanted:
            return str(python), ""
        shutil.rmtree(VENV, ignore_errors=True)
    print(f"installing {OTTERWIKI} into {VENV} …", flush=True)
    steps = [
        [sys.executable, "-m", "venv", str(VENV)],
        [str(python), "-m", "pip", "install", "--quiet", OTTERWIKI, "gunicorn"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            shutil.rmtree(VENV, ignore_errors=True)
            lines = (done.stderr or done.stdout).strip().splitlines()
            return None, f"{' '.join(step[2:])} failed: {lines[-1] if lines else '?'}"
    return str(python), ""


def otter_server(stack: ExitStack, python: str):
    """Start Otter Wiki on a fresh git repository; return the server and a logged-in session."""
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-otter-")))
    repository = folder / "repository"
    repository.mkdir()
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    settings = folder / "settings.cfg"
    settings.write_text(
        f"REPOSITORY = {str(repository)!r}\n"
        f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{folder / 'otter.sqlite'}'\n"
        "SECRET_KEY = 'benchmark secret key of otters'\n"
        "READ_ACCESS = 'ANONYMOUS'\nWRITE_ACCESS = 'REGISTERED'\n"
        "EMAIL_NEEDS_CONFIRMATION = False\nLOG_LEVEL = 'WARNING'\n"
        "LOG_LEVEL_WERKZEUG = 'WARNING'\n"
    )
    env = {"OTTERWIKI_SETTINGS": str(settings)}
    # Run from its own folder: from this repository gunicorn would read Bottega's
    # gunicorn.conf.py, whose threads made Otter Wiki's worker gthread (1-1.5 ms a request).
    server = stack.enter_context(
        gunicorn("otterwiki.server:app", 1, env, probe="/-/login", python=python, chdir=folder)
    )
    session = Session(server.port)
    session.post(
        "/-/register",
        {
            "email": EMAIL,
            "name": AUTHOR,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "csrf_token": session.token("/-/register"),
        },
    )
    session.post(
        "/-/login",
        {"email": EMAIL, "password": PASSWORD, "csrf_token": session.token("/-/login")},
    )
    return session


class OtterEditor:
    """Saves the benchmark page in Otter Wiki."""

    def __init__(self, session: Session, path: str) -> None:
        self.session, self.path = session, path
        self.token = session.token(f"/{path}/edit")

    def save(self, text: str) -> float:
        """Save text as the page's next version; return the seconds the POST took."""
        form = {"content": text, "commit": "Benchmark save", "csrf_token": self.token}
        return self.session.post(f"/{self.path}/save", form)

    def view(self) -> float:
        """GET the page as the browser does after the save's redirect; return the seconds."""
        return _timed_get(self.session, f"/{self.path}")


# --- Bottega ------------------------------------------------------------------------------


class BottegaEditor:
    """Saves a page in Bottega through the edit form (with the latest revision as base)."""

    def __init__(self, wiki, session: Session, title: str) -> None:
        self.wiki, self.session, self.title = wiki, session, title
        self.path = "/edit/" + title.replace(" ", "_")
        self.token = session.token(self.path)  # valid for the session, like Otter Wiki's

    def save(self, text: str) -> float:
        """Save text as the page's next revision; return the seconds the POST took."""
        form = {
            "text": text,
            "summary": "Benchmark save",
            "base_revision": str(self.wiki.latest_id(self.title)),
            "csrf_token": self.token,
            "action": "save",
        }
        return self.session.post(self.path, form)

    def view(self) -> float:
        """GET the page as the browser does after the save's redirect; return the seconds."""
        return _timed_get(self.session, "/wiki/" + self.title.replace(" ", "_"))


def _timed_get(session: Session, path: str) -> float:
    """GET path; it must answer 200; return the seconds it took."""
    start = time.perf_counter()
    status, _body = session.request("GET", path)
    assert status == 200, (path, status)
    return time.perf_counter() - start


def bottega_session(port: int) -> Session:
    """Return a session logged in to Bottega."""
    session = Session(port)
    token = session.token("/login")
    session.post("/login", {"username": AUTHOR, "password": PASSWORD, "csrf_token": token})
    return session


def follow_ups_done(wiki, patience: float = 30.0) -> None:
    """Wait (untimed) until the wiki's servers have done the work earlier saves left for
    after their answers (wiki.followups: authorship, the search index).

    An editor saves seconds apart; saves timed 15 ms apart met the jobs of the saves before
    them in the same worker, which made single saves take 10 to 45 ms (and the history
    lengths' ratio anything from 0.9 to 1.15) while measuring neither wiki's save.
    """
    deadline = time.monotonic() + patience
    with wiki.app.app_context():
        waiting = select(func.count()).select_from(PageFollowUp)
        while db.session.scalar(waiting) and time.monotonic() < deadline:
            db.session.rollback()  # a fresh snapshot at the next look
            time.sleep(0.002)
        db.session.rollback()


def statements_per_save(wiki, lines: list[str], title: str, count: int) -> list[int]:
    """Return how many SQL statements each of count saves through the test client ran
    (the request alone, then the background jobs it queued)."""
    client, rng = wiki.client(), random.Random(3)
    with wiki.app.app_context():
        engine = db.engine
    seen: list[int] = []

    def on_execute(*_args) -> None:
        seen.append(1)

    counts = []
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for number in range(count):
            lines[:] = small_edit(lines, rng, 2_000_000 + number)
            form = {
                "text": "\n".join(lines),
                "summary": "Counted save",
                "base_revision": str(wiki.latest_id(title)),
                "csrf_token": csrf_token(client),
                "action": "save",
            }
            before = len(seen)
            response = client.post("/edit/" + title.replace(" ", "_"), data=form)
            assert response.status_code == 302, response.status_code
            request_only = len(seen) - before
            jobs.wait_idle(wiki.app)
            counts.append((request_only, len(seen) - before))
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return counts


def main() -> list[Figure]:
    """Run the benchmark and return its figures."""
    size = env_int("SAVE_PAGE_BYTES", 20_000)
    edits, warm = env_int("SAVE_EDITS", 40), env_int("SAVE_WARMUP", 10)
    history, flat = env_int("SAVE_HISTORY", 10_000), env_int("SAVE_FLAT_EDITS", 30)
    heading(f"Saving a {size // 1000} KB page over HTTP (gunicorn, 1 worker, SQLite)")
    python, why = otter_python()
    figures: list[Figure] = []
    times: dict[str, list[float]] = {
        "bottega": [],
        "otter": [],
        "before": [],
        "shipped": [],
        "short": [],
        "long": [],
    }
    before = os.environ.get("BENCH_SAVE_BEFORE")
    with temp_wiki() as wiki, ExitStack() as stack:
        start = time.perf_counter()
        base = markdown_lines(size, seed=11)
        texts = {key: list(base) for key in times}
        for title in (TITLE, SHORT, LONG, BEFORE_TITLE, SHIPPED_TITLE):
            wiki.save(title, "\n".join(base), summary="Created")
        for i in range(8):  # the short history: 10 revisions with the timed ones to come
            texts["short"] = small_edit(texts["short"], random.Random(i), i)
            wiki.save(SHORT, "\n".join(texts["short"]), summary=f"Edit {i}")
        with wiki.app.app_context():
            bulk_revisions(LONG, base, history - 2, random.Random(5))
        # The bulk rows are checked before the long page's first save attributes its words
        # (a minute for 10,000 revisions); checking those records too took 40 s more.
        with wiki.app.app_context():
            problems = check_all()
        # Random small edits grow a text (20 KB becomes 29 KB over 10,000 of them): the last
        # one before the timed saves brings the long page to the short page's text, so the
        # two differ in history alone.
        texts["long"] = list(texts["short"])
        wiki.save(LONG, "\n".join(texts["long"]), summary="Last edit before the timed ones")
        print(
            f"built pages of 1, 9 and {history:,} revisions in "
            f"{time.perf_counter() - start:.1f} s; integrity check: "
            f"{'ok' if not problems else problems[:3]}"
        )
        env = {"BENCH_WIKI_FOLDER": str(wiki.folder)}
        app = "benchmarks._apps:wiki_app()"
        server = stack.enter_context(gunicorn(app, 1, env | SYNC, "/login"))
        shipped = stack.enter_context(gunicorn(app, 1, env, "/login"))
        session = bottega_session(server.port)
        editors = {
            "bottega": BottegaEditor(wiki, session, TITLE),
            "shipped": BottegaEditor(wiki, bottega_session(shipped.port), SHIPPED_TITLE),
            "short": BottegaEditor(wiki, session, SHORT),
            "long": BottegaEditor(wiki, session, LONG),
        }
        if python is not None:
            try:
                otter_session = otter_server(stack, python)
                editors["otter"] = OtterEditor(otter_session, "Save_Benchmark")
                # Otter Wiki's first save creates the page; Bottega's page exists already.
                editors["otter"].save("\n".join(base))
            except Exception as exc:  # a broken install must not stop the rest
                python, why = None, f"Otter Wiki did not run: {exc}"
        if before:
            tree = Path(before).resolve()
            other = stack.enter_context(
                gunicorn(
                    app,
                    1,
                    env | SYNC,
                    "/login",
                    python=str(tree / ".venv" / "bin" / "python"),
                    chdir=tree,
                )
            )
            editors["before"] = BottegaEditor(wiki, bottega_session(other.port), BEFORE_TITLE)
        rngs = {key: random.Random(key) for key in editors}

        seen: dict[str, list[float]] = {"bottega": [], "otter": []}

        def save(key: str, number: int) -> float:
            texts[key] = small_edit(texts[key], rngs[key], number)
            follow_ups_done(wiki)
            seconds = editors[key].save("\n".join(texts[key]))
            if key in seen and number >= warm:
                # What the editor waits for: the save, then the page it sends them to.
                seen[key].append(seconds + editors[key].view())
            return seconds

        rounds = [("bottega", "otter", "before", "shipped"), ("short", "long")]
        for pair, count in ((rounds[0], warm + edits), (rounds[1], flat)):
            pair = tuple(key for key in pair if key in editors)
            for number in range(count):
                shift = number % len(pair)  # a rotating start: drift hits all alike
                order = pair[shift:] + pair[:shift]
                for key in order:
                    seconds = save(key, number)
                    if pair == rounds[1] or number >= warm:
                        times[key].append(seconds)
        jobs_done = jobs.wait_idle(wiki.app)
        counts = statements_per_save(wiki, texts["bottega"], TITLE, 5)

    rows = [["Bottega", ms(median(times["bottega"])), len(times["bottega"])]]
    if times["before"]:
        change = median(times["bottega"]) / median(times["before"])
        rows.append([f"Bottega at {before}", ms(median(times["before"])), edits])
        figures.append(Figure("save ÷ save before the change", change))
    if python is not None:
        ratio = median(times["bottega"]) / median(times["otter"])
        rows.append([f"Otter Wiki {OTTERWIKI.split('==')[1]}", ms(median(times["otter"])), edits])
        figures.append(Figure("save ÷ Otter Wiki's save (20 KB page)", ratio, limit=0.5))
        as_shipped = median(times["shipped"]) / median(times["otter"])
        rows.append(["Bottega as shipped (gthread)", ms(median(times["shipped"])), edits])
        figures.append(Figure("save as shipped (gthread) ÷ Otter Wiki's", as_shipped))
        both = median(seen["bottega"]) / median(seen["otter"])
        rows.append(["Bottega: save, then view the page", ms(median(seen["bottega"])), edits])
        rows.append(["Otter Wiki: save, then view the page", ms(median(seen["otter"])), edits])
        figures.append(Figure("save + the page view after it ÷ Otter Wiki's", both))
    else:
        print(f"Otter Wiki: not measured: {why}")
    short, long = median(times["short"]), median(times["long"])
    rows.append([f"Bottega, page with {history:,} revisions", ms(long), flat])
    rows.append(["Bottega, page with 10 revisions", ms(short), flat])
    print(
        f"median POST /edit (or Otter Wiki's /save) time, {warm} warm-up saves each first; "
        f"the two wikis are saved interleaved, then the two history lengths"
    )
    table(["wiki", "median save", "saves"], rows)
    if python is not None:
        print(f"Bottega ÷ Otter Wiki: {ratio:.2f}× (goal ≤ 0.5×: {_met(ratio <= 0.5)})")
    flatness = long / short
    print(f"{history:,} ÷ 10 revisions: {flatness:.2f}× (goal ≤ 1.1×: {_met(flatness <= 1.1)})")
    request_only = median([c[0] for c in counts])
    with_jobs = median([c[1] for c in counts])
    print(
        f"SQL statements per save: {request_only:g} in the request, {with_jobs:g} with the "
        f"background jobs it queued (median of {len(counts)}); jobs finished: {jobs_done}"
    )
    figures.append(Figure(f"save: {history:,} ÷ 10 revisions", flatness, limit=1.1))
    figures.append(Figure("SQL statements per save (request)", request_only, "", digits=0))
    return figures


def _met(ok: bool) -> str:
    """Return "met" or "not met"."""
    return "met" if ok else "not met"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
