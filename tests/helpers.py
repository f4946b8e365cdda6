"""Helpers shared by the test modules: plain functions, no fixtures (those are in conftest).

Test modules import from here, never from one another (tests/test_test_imports.py checks).
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyotp
from flask import current_app
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, event, select
from sqlalchemy import text as sql_text
from werkzeug.security import generate_password_hash
from werkzeug.serving import WSGIRequestHandler, make_server

from wiki import create_app, jobs
from wiki.core.titles import parse_title
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.identity import user_key
from wiki.models import Page, PageFollowUp, Role, User
from wiki.pages.service import save_page
from wiki.signin.models import TwoFactor
from wiki.talk import service as talk

PASSWORD = "correct horse battery"

_answering = threading.local()  # the response a served request's thread is sending


class _ClosedOnce:
    """A response's body, closed the first time it is asked to close."""

    def __init__(self, body) -> None:
        self.body, self.closed = body, False

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if hasattr(self.body, "close"):
                self.body.close()


class _ClosingHandler(WSGIRequestHandler):
    """werkzeug's request handler, closing every response even when the browser hung up.

    werkzeug 3.1 drains the socket before closing a response, and when the browser has
    already dropped the connection (a picture it stopped loading) that read raises first:
    the response, an open file for a stored picture, stayed open until collected.
    """

    def run_wsgi(self) -> None:
        _answering.body = None
        try:
            super().run_wsgi()
        finally:
            body, _answering.body = _answering.body, None
            if body is not None:
                body.close()


def _remembering(app):
    """Wrap a WSGI app so its handler thread can close what it answered with."""

    def remembered(environ, start_response):
        _answering.body = _ClosedOnce(app(environ, start_response))
        return _answering.body

    return remembered


@contextmanager
def served_on_a_port(app) -> Iterator[str]:
    """Serve a WSGI app on a free local port in threads (like `make run`); yield its URL."""
    server = make_server(
        "127.0.0.1", 0, _remembering(app), threaded=True, request_handler=_ClosingHandler
    )
    handlers: list[threading.Thread] = []
    answer = server.process_request_thread

    def process_request_thread(request, client_address) -> None:
        handlers.append(threading.current_thread())
        answer(request, client_address)

    server.process_request_thread = process_request_thread
    # Polled every 0.05 s (werkzeug's 0.5 s held each test's end for a quarter second).
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        # A request still being answered (a live editor's socket writing what its client
        # typed as it closes) must end before the test's database is emptied.
        deadline = time.monotonic() + 10
        for handler in handlers:
            handler.join(timeout=max(0.0, deadline - time.monotonic()))


def base_config(tmp_path, database_url: str) -> dict:
    """Return the configuration every test app starts from."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test secret key",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DEMO": False,
        "PAGE_CACHE_SECONDS": 0,  # tests of the cache turn it on
        # Counts would be written by a thread after the test; tests of reach turn it on.
        "REACH_ENABLED": False,
        # A cheap real hash: the suite makes many accounts through the forms (the default,
        # scrypt, takes 0.1 s a hash); tests/test_config.py checks the default.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # A live editor checks often that its person may still edit (2 s by default): tests
        # of blocks and protections would wait that long. The browser journeys keep 2 s.
        "LIVE_RECHECK_SECONDS": 0.3,
        # A save's authorship job starts at once, and CSRFClient lets it (and every job a
        # change queued) finish before the test goes on, as helpers.save does: a job
        # committing 50 ms later in the middle of a test's own writes met SQLite's lock.
        "FOLLOW_UP_AFTER_ANSWER": 0.0,
    }


class CSRFClient(FlaskClient):
    """A test client that adds a valid CSRF token to form posts, as a browser form would."""

    def open(self, *args, **kwargs):
        method = kwargs.get("method", "GET").upper()
        data = kwargs.get("data")
        if method != "GET" and isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        # Each request gets its own app context, as in production: its own `g` (so the
        # logged-in user of one client never leaks into another's request) and its own
        # database session. The test's session ends its transaction on both sides, so it
        # neither hides its writes from the request nor reads an old snapshot after it.
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if method != "GET":
            assert jobs.wait_idle(self.application, 10.0, delayed=False), "jobs did not finish"
        db.session.commit()
        return response

    def csrf_token(self) -> str:
        """Return a signed token for this client's session, as Flask-WTF makes them."""
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", uuid.uuid4().hex)
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


@contextmanager
def app_with_translations(database_url: str, tmp_path, translations) -> Iterator:
    """Yield an app (in its context) whose catalogues are in the folder translations."""
    config = base_config(tmp_path, database_url) | {"TRANSLATIONS_PATH": str(translations)}
    app = create_app(config)
    app.test_client_class = CSRFClient
    with app.app_context():
        yield app
        release(app)


def finish_jobs(app, timeout: float = 10.0) -> None:
    """Wait until the background jobs queued so far (email, webhooks) have run."""
    assert jobs.wait_idle(app, timeout), "background jobs did not finish in time"
    db.session.commit()  # end the test's read snapshot: see what the jobs wrote


@contextmanager
def jobs_lost(app) -> Iterator[tuple]:
    """Send the app's jobs to a Redis queue of their own that no worker reads, for the
    block: the work they would do is left undone, as on a site whose worker is down.
    Yields the Redis client and the queue's name."""
    client = redis_or_skip()
    queue = f"bottega-test-{uuid.uuid4().hex}"
    before = {name: app.config.get(name) for name in ("REDIS_URL", "JOBS_QUEUE")}
    app.config.update(REDIS_URL=REDIS_URL, JOBS_QUEUE=queue)
    app.extensions.pop("bottega_jobs", None)
    try:
        yield client, queue
    finally:
        for key in client.scan_iter(f"rq:*{queue}*"):
            client.delete(key)
        app.config.update(before)
        app.extensions.pop("bottega_jobs", None)


#: The Redis server the tests that need one use (CI sets WIKI_REQUIRE_REDIS=1: it must answer).
REDIS_URL = os.environ.get("WIKI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get("WIKI_TEST_POSTGRES_URL", "")
# PostgreSQL joins the run when a server is given (CI always gives one).
ENGINES = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


def redis_or_skip():
    """Return a client of the test Redis, or skip when none answers (fail when required)."""
    import pytest

    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("WIKI_REQUIRE_REDIS") == "1":
            pytest.fail(f"WIKI_REQUIRE_REDIS=1 but no Redis answers at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return client


def release(app) -> None:
    """Let the app's background jobs finish, then close every database connection it holds.

    A job thread still holding a connection when the pool is disposed leaves it to the garbage
    collector, which warns (as an error) inside whichever test happens to run next.
    """
    # A job waiting for its delay (a webhook's retry) is dropped, not waited for: its work
    # is in the database, and waiting for it held a test's teardown for 10 s.
    jobs.cancel_delayed(app)
    jobs.wait_idle(app, 10.0, delayed=False)
    jobs.cancel_delayed(app)  # one a job that was running just asked for
    db.session.remove()
    db.engine.dispose()


def text(response) -> str:
    """Return a response's body as text."""
    return response.get_data(as_text=True)


def log_in(client, username: str, password: str = PASSWORD, **kwargs):
    """Post the login form as a person would; return the response."""
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def register(client, username="newbie", password=PASSWORD, confirm=None, url="/register"):
    """Post the registration form; return the response."""
    data = {"username": username, "password": password, "confirm": confirm or password}
    return client.post(url, data=data)


def add_user(username: str, role: Role = Role.EDITOR, password: str = PASSWORD) -> User:
    """Add an account to the database of the current app context; return it."""
    user = User(
        username=username,
        key=user_key(username),
        # A cheap real hash: the suite creates many accounts.
        password_hash=generate_password_hash(password, method="pbkdf2:sha256:1000"),
        role=role,
    )
    # A write transaction (not the session's read snapshot, which a background job may have
    # outdated meanwhile: SQLite would refuse to upgrade it with "database is locked").
    with write_transaction() as session:
        session.add(user)
    return user


# Pages


def page_named(title: str) -> Page | None:
    """Return the page with this title (None if there is none)."""
    return db.session.scalar(select(Page).where(Page.key == parse_title(title).key))


def latest_id(title: str) -> int | None:
    """Return the id of a page's latest revision (None for a missing page)."""
    page = page_named(title)
    return page.latest_revision_id if page else None


def latest_text(title: str) -> str:
    """Return the current text of a page, read afresh from the database."""
    db.session.expire_all()
    return page_named(title).latest.text


def save(title: str, text: str, author, summary: str = "", minor: bool = False):
    """Save a new text of a page (made if missing) through the service, on its latest
    revision, and let the jobs it queued run (its words' authorship), as before the next
    thing a person does."""
    revision = save_page(
        parse_title(title),
        text,
        author=author,
        summary=summary,
        minor=minor,
        base_revision_id=latest_id(title),
    )
    assert jobs.wait_idle(current_app, 10.0, delayed=False), "the save's jobs did not finish"
    return revision


def form_value(html: str, name: str) -> str:
    """Return the value of the hidden input with this name in a page."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} in form"
    return match.group(1)


def edit(client, title, text, summary="", base=None, action="save", minor=False, **fields):
    """Open the editor and submit it, as a person in a browser would; return the response.

    With base given, the editor is not opened: the form is posted on that base revision.
    """
    if base is None:
        editor = client.get(f"/edit/{title}").get_data(as_text=True)
        base = form_value(editor, "base_revision")
    data = {"text": text, "summary": summary, "base_revision": base, "action": action, **fields}
    if minor:
        data["minor"] = "1"
    return client.post(f"/edit/{title}", data=data)


# Talk


def start_topic(title: str, subject: str, body: str, author):
    """Start a topic through the talk service; return its first comment."""
    return talk.start_topic(page_named(title), subject, body, author=author)


def reply(comment_or_topic_id, body: str, author, parent=None):
    """Reply in a topic through the talk service; return the new comment."""
    return talk.reply(
        comment_or_topic_id, body, author=author, parent_id=parent.id if parent else None
    )


#: Words of a page edited a word at a time (accents, CJK, an emoji: every width).
EDIT_WORDS = "il nostro caffè è buono città 東京 🎉 prezzo qualità sempre".split()


def edits(count: int) -> list[str]:
    """Return texts of a page edited a word at a time, each version by its own line."""
    words = EDIT_WORDS
    lines = [" ".join(words[(n + k) % len(words)] for k in range(8)) for n in range(30)]
    texts = []
    for n in range(count):
        lines[(n * 7) % len(lines)] += f" {words[n % len(words)]}{n}"
        texts.append("\n".join(lines) + "\n")
    return texts


# SQL


@contextmanager
def count_queries():
    """Collect the SQL statements run inside the block (all connections of the app's engine)."""
    seen: list[str] = []

    def on_execute(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


def queries_of(client, url: str) -> int:
    """Return how many statements a GET of url runs (after one warm-up request)."""
    assert client.get(url).status_code == 200
    with count_queries() as seen:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(seen)


# Email


class Inbox:
    """What a local SMTP server (aiosmtpd) received, as parsed email messages."""

    def __init__(self) -> None:
        import threading

        self.messages: list = []
        self.port = 0
        self._lock = threading.Lock()
        #: Connections that sent a message and have not said QUIT yet.
        self.open_sessions: set[int] = set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
            self.open_sessions.add(id(session))
        return "250 Message accepted"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self._lock:
            self.open_sessions.discard(id(session))
        return "221 Bye"

    def wait_for_quits(self, timeout: float = 5.0) -> None:
        """Wait until every client that sent a message has said QUIT (its socket closes)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self.open_sessions:
                    break
            time.sleep(0.02)

    def wait_for(self, count: int, timeout: float = 5.0) -> list:
        """Return the messages once at least count arrived (SMTP is over a socket)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        return list(self.messages)

    def body(self, message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


@contextmanager
def smtp_inbox(app=None):
    """Run a real SMTP server on a free local port; yield its Inbox.

    Given the app, its background jobs finish before the server stops: a mail job that
    connects while the server is stopping leaves a socket to the garbage collector.
    """
    import socket

    from aiosmtpd.controller import Controller

    inbox = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        inbox.port = sock.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        # Stopping the server while a client is still saying QUIT would leave its socket
        # to the garbage collector, which warns inside whichever test runs next.
        if app is not None:
            jobs.wait_idle(app, 10.0)
        inbox.wait_for_quits()
        controller.stop()


@contextmanager
def private_schema(server_url: str, prefix: str, options: str = ""):
    """Create a schema of its own on the PostgreSQL server; yield the URL that uses it (with
    any further `-c` options), and drop the schema afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as connection:
        connection.execute(sql_text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{separator}options=-csearch_path%3D{schema}{options}"
    finally:
        with admin.begin() as connection:
            connection.execute(sql_text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def insert_old_account(connection, user_id: int, name: str) -> None:
    """Insert an editor's account as the first schemas stored it (tests of upgrades)."""
    connection.execute(
        sql_text(
            "INSERT INTO user (id, username, key, password_hash, role, created_at) "
            "VALUES (:id, :name, :name, '!', 20, '2026-01-01')"
        ),
        {"id": user_id, "name": name},
    )


@contextmanager
def saves_on_an_older_schema() -> Iterator[None]:
    """Let today's saves run on a database migrated to an older revision: add the table
    every save writes now (its follow-up notes, migration 0028) for the block's saves."""
    table = PageFollowUp.__table__
    table.create(db.engine)
    try:
        yield
    finally:
        finish_jobs(current_app._get_current_object())  # its commit ends the test's read
        table.drop(db.engine)


def plan(statement) -> str:
    """Return how the database answers a query: SQLite's plan, or PostgreSQL's."""
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    explain = "EXPLAIN QUERY PLAN" if db.engine.dialect.name == "sqlite" else "EXPLAIN"
    rows = db.session.execute(sql_text(f"{explain} {compiled}")).all()
    return "\n".join(str(row[-1]) for row in rows)


def on_new_database(engine: str, tmp_path, schema: str, check) -> None:
    """Run check(app) with an app on an empty database of the engine ("sqlite": a file in
    tmp_path; else a private schema named after schema on the PostgreSQL server)."""
    if engine == "sqlite":
        check(create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite'}")))
        return
    with private_schema(POSTGRES_URL, schema) as url:
        check(create_app(base_config(tmp_path, url)))


def start_gunicorn(app, **settings: str) -> tuple[subprocess.Popen, str]:
    """Start gunicorn as the README says (one worker) on the app's database and Redis, with
    WIKI_* settings added; return the process and its URL once it listens."""
    environment = os.environ | {
        "WIKI_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "WIKI_SECRET_KEY": app.config["SECRET_KEY"],
        "WIKI_REDIS_URL": REDIS_URL,
        "WIKI_DEMO": "0",
        "WIKI_RATELIMIT_ENABLED": "0",
        **settings,
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", "1"]
        + ["--bind", "127.0.0.1:0"],
        cwd=Path(__file__).resolve().parent.parent,
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    port, deadline = None, time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if "Listening at: http://127.0.0.1:" in line:
            port = int(line.split("Listening at: http://127.0.0.1:")[1].split()[0])
        if "Booting worker" in line or not line:
            break
    assert port, "gunicorn did not start"
    # Keep reading its log, so a full pipe can never stall the server.
    process.drain = threading.Thread(target=process.stderr.read, daemon=True)
    process.drain.start()
    return process, f"http://127.0.0.1:{port}"


def stop_gunicorn(process: subprocess.Popen, seconds: float = 10) -> None:
    """Stop a server at the end of a test: at once (gunicorn's quick shutdown, SIGINT; what
    it answered is in the database), or killed if it does not stop.

    The graceful stop (SIGTERM) waited up to 1.5 s a server for idle connections to end.
    """
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    process.drain.join(timeout=10)
    process.stderr.close()


# Two-factor


def secret_of(user) -> str:
    """Return the person's two-factor secret as stored now."""
    db.session.expire_all()
    return db.session.get(TwoFactor, user.id).secret


def code(user, steps: int = 0) -> str:
    """Return the app's code for now (or a step later: the next code a person would see)."""
    return pyotp.TOTP(secret_of(user)).at(time.time() + 30 * steps)


def turn_on(client, user) -> list[str]:
    """Set up two-factor through preferences; return the recovery codes shown."""
    page = client.get("/preferences/two-factor")
    assert "<svg" in text(page) and secret_of(user) in text(page)
    done = client.post("/preferences/two-factor", data={"code": code(user)})
    assert done.status_code == 200
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", text(done))
