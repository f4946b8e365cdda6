"""A throwaway wiki on a SQLite file, realistic Markdown pages, and a logged-in test client."""

import logging
import os
import random
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Integer, event, text
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from wiki import create_app, jobs, renderer
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.identity import user_key
from wiki.models import Page, Role, User
from wiki.pages.service import save_page
from wiki.share import reach

PASSWORD = "benchmark password"
SECRET_KEY = "benchmark secret key"
AUTHOR = "benchbot"

WORDS = (
    "the a of and to in our with for is are we you your team teams brand voice customer "
    "customers partner partners community campaign launch spring product page story stories "
    "review draft webinar newsletter budget message channel market audience studio design "
    "write together change history every version shared open better clear simple growth "
    "città über naïve café déjà Perché qualità"
).split()
LINKS = ["Home", "Spring Campaign 2026", "Bottega Studio", "FAQ", "Campaigns/Press Kit"]


def config(folder: Path) -> dict:
    """Return the app configuration of a benchmark wiki living in folder."""
    return {
        "SECRET_KEY": SECRET_KEY,
        # bench_writers points the gunicorn workers at a PostgreSQL schema instead.
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL")
        or f"sqlite:///{folder / 'wiki.sqlite'}",
        "INSTANCE_PATH": str(folder / "instance"),
        "DEMO": False,
        # A benchmark is one client making many requests: rate limits would answer 429.
        "RATELIMIT_ENABLED": False,
        # Benchmarks measure the work of a page view; bench_pageview turns the cache on.
        "PAGE_CACHE_SECONDS": float(os.environ.get("WIKI_PAGE_CACHE_SECONDS", "0")),
    }


@dataclass
class Wiki:
    """A benchmark wiki: its app, folder and SQLite file."""

    app: Flask
    folder: Path

    @property
    def db_path(self) -> Path:
        """Return the SQLite file."""
        return self.folder / "wiki.sqlite"

    def client(self) -> FlaskClient:
        """Return a test client logged in as the benchmark author."""
        client = self.app.test_client()
        response = client.post(
            "/login",
            data={"username": AUTHOR, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 302, response.status_code
        return client

    def save(self, title: str, text: str, summary: str = "", by: str = AUTHOR) -> int:
        """Save text as the page's next revision through save_page, by the benchmark author
        or the account named by; return the revision id."""
        with self.app.app_context():
            page = db.session.scalar(db.select(Page).where(Page.key == parse_title(title).key))
            result = save_page(
                parse_title(title),
                text,
                author=author(by),
                summary=summary,
                base_revision_id=page.latest_revision_id if page else None,
            )
            assert result.revision is not None, "the text did not change"
            # Its authorship job runs now, not in the middle of what the benchmark does next
            # (whose own writes it could meet in SQLite's lock).
            jobs.wait_idle(self.app, 60, delayed=False)
            return result.revision.id

    def latest_id(self, title: str) -> int:
        """Return the id of the page's latest revision."""
        with self.app.app_context():
            page = db.session.scalar(db.select(Page).where(Page.key == parse_title(title).key))
            return page.latest_revision_id


def migrate_quietly() -> None:
    """Bring the app's database to the newest migration, without its progress lines."""
    logging.disable(logging.INFO)
    try:
        upgrade(revision="heads")
    finally:
        logging.disable(logging.NOTSET)


def sequences_caught_up(session: Session) -> None:
    """Move each id sequence past the ids a bulk insert gave explicitly (PostgreSQL).

    PostgreSQL's sequences do not see explicit ids: without this, the wiki's next insert
    into such a table reuses an id and fails (a save then answers "edited very busily").
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    quote = session.get_bind().dialect.identifier_preparer.quote
    for table in db.metadata.sorted_tables:
        if "id" not in table.c or not isinstance(table.c.id.type, Integer):
            continue  # no id, or one the wiki makes itself (a token, a session key)
        name = quote(table.name)
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:name, 'id'), max(id) + 1, false) "
                f"FROM {name} HAVING max(id) IS NOT NULL"
            ),
            {"name": name},
        )


def add_author(name: str = AUTHOR) -> None:
    """Add the benchmark's editor account, or another editor's (in an app context)."""
    db.session.add(
        User(
            username=name,
            key=user_key(name),
            # A cheap real hash: logging in is not what is measured.
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
            role=Role.EDITOR,
        )
    )
    db.session.commit()


@contextmanager
def temp_wiki(prefix: str = "bottega-bench-", **settings) -> Iterator[Wiki]:
    """Yield a migrated wiki with one editor account; delete everything afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    app = None
    try:
        app = create_app(config(folder) | settings)
        with app.app_context():
            migrate_quietly()
            add_author()
        yield Wiki(app, folder)
    finally:
        if app is not None:
            # The jobs its saves queued (their follow-ups), before the database goes: one
            # left over ran in the next benchmark and failed there on a deleted file.
            jobs.wait_idle(app)
            reach.flush(app)  # the page views counted so far, before the database goes
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        renderer.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


def author(name: str = AUTHOR) -> User:
    """Return the benchmark author, or the account so named (inside an app context)."""
    return db.session.scalar(db.select(User).where(User.key == user_key(name)))


def csrf_token(client: FlaskClient) -> str:
    """Return a valid CSRF token for the client's session, as Flask-WTF signs them."""
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", uuid.uuid4().hex)
    return URLSafeTimedSerializer(SECRET_KEY, salt="wtf-csrf-token").dumps(raw)


def sentence(rng: random.Random) -> str:
    """Return a sentence, sometimes with bold text or a wikilink."""
    words = rng.choices(WORDS, k=rng.randint(6, 16))
    roll = rng.random()
    if roll < 0.15:
        words[rng.randrange(len(words))] = f"[[{rng.choice(LINKS)}]]"
    elif roll < 0.25:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> list[str]:
    """Return a paragraph of 2 to 6 sentences wrapped at about 80 characters."""
    lines, line = [], ""
    for word in " ".join(sentence(rng) for _ in range(rng.randint(2, 6))).split(" "):
        if line and len(line) + len(word) > 79:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line]


def block(rng: random.Random, number: int) -> list[str]:
    """Return one Markdown block: a paragraph mostly, sometimes a list, table, code or heading."""
    roll = rng.random()
    if roll < 0.10:
        return [f"## Section {number}: {' '.join(rng.choices(WORDS, k=3))}"]
    if roll < 0.20:
        return [f"- {' '.join(rng.choices(WORDS, k=rng.randint(3, 9)))}" for _ in range(4)]
    if roll < 0.25:
        rows = [f"| {rng.choice(WORDS)} | {rng.choice(WORDS)} | {rng.randint(1, 9999):,} € |"]
        return ["| Channel | Owner | Budget |", "|---|---|---:|", *rows * 3]
    if roll < 0.28:
        return ["```python", "def total(rows):", "    return sum(r.budget for r in rows)", "```"]
    return paragraph(rng)


def markdown_lines(size: int, seed: int = 1) -> list[str]:
    """Return the lines of a realistic Markdown page of about size bytes."""
    rng = random.Random(seed)
    lines = ["# Benchmark page", ""]
    total, number = 0, 0
    while total < size:
        number += 1
        for line in block(rng, number) + [""]:
            lines.append(line)
            total += len(line.encode("utf-8")) + 1
    return lines


def markdown_page(size: int, seed: int = 1) -> str:
    """Return a realistic Markdown page of about size bytes."""
    return "\n".join(markdown_lines(size, seed))


def prose_lines(lines: list[str]) -> list[int]:
    """Return the indexes of plain paragraph lines, the ones small edits touch."""
    return [
        i
        for i, line in enumerate(lines)
        if line and line[0].isalpha() and not line.startswith(("def ", "return "))
    ]


# Links and bold spans stay whole; a word may carry the number of an earlier edit.
_TOKENS = re.compile(r"\[\[.*?\]\]|\*\*.*?\*\*|[^\W\d_]+\d*")


def small_edit(lines: list[str], rng: random.Random, number: int) -> list[str]:
    """Return lines with one plain word replaced, as a typo fix would; number keeps it unique."""
    edited = list(lines)
    candidates = prose_lines(lines)
    while True:
        i = rng.choice(candidates)
        words = [m for m in _TOKENS.finditer(edited[i]) if m.group()[0] not in "[*"]
        if words:
            break
    word = rng.choice(words)
    line = edited[i]
    edited[i] = f"{line[: word.start()]}{rng.choice(WORDS)}{number}{line[word.end() :]}"
    return edited


def statements(app: Flask, client: FlaskClient, path: str) -> int:
    """Return how many SQL statements one GET of path runs."""
    seen = []

    def count(*_args) -> None:
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)
