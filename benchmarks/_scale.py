"""Large benchmark wikis, built once by benchmarks/large_wiki.py and kept between runs."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text, update

from benchmarks._wiki import Wiki, add_author, config, migrate_quietly, sequences_caught_up
from wiki import create_app, renderer
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.models import Page

#: Where built SQLite wikis are kept (not in the repository: hundreds of MB).
DATA = Path(os.environ.get("BENCH_DATA", "/tmp/bottega-bench-data"))
POSTGRES_URL = os.environ.get(
    "WIKI_BENCH_POSTGRES_URL", os.environ.get("WIKI_TEST_POSTGRES_URL", "")
)


@dataclass
class ScaleWiki(Wiki):
    """A benchmark wiki of a given size on one engine."""

    description: str = ""


def _app(folder: Path, url: str) -> Flask:
    """Return an app on the database at url (benchmark settings)."""
    return create_app(config(folder) | {"DATABASE_URL": url})


def _ready(app: Flask, pages: int, revisions: int) -> bool:
    """Return whether the app's database already holds a wiki of these sizes."""
    from benchmarks.large_wiki import built_sizes, people_for

    with app.app_context():
        try:
            have_pages, have_revisions, have_people = built_sizes()
        except Exception:
            db.session.rollback()
            return False
    # The benchmark's saves add a page and revisions: a wiki with more is still the same.
    return (
        have_pages >= pages
        and have_revisions >= revisions
        and have_people == people_for(revisions)
    )


def _migrate(app: Flask) -> None:
    """Bring the database's schema up to the newest migration."""
    with app.app_context():
        migrate_quietly()


def _publish_latest(app: Flask) -> None:
    """Publish the latest revision of pages a kept wiki built without one (an older builder
    wrote none, so visitors saw no text and the search index nothing)."""
    with app.app_context(), write_transaction() as session:
        session.execute(
            update(Page)
            .where(Page.published_revision_id.is_(None))
            .values(published_revision_id=Page.latest_revision_id)
        )


def _fill(app: Flask, pages: int, revisions: int) -> None:
    """Migrate the empty database, add the benchmark author and build the wiki."""
    from benchmarks.large_wiki import analyze, build

    with app.app_context():
        migrate_quietly()
        add_author()
        build(pages, revisions)
        analyze()


@contextmanager
def open_wiki(engine: str, pages: int, revisions: int) -> Iterator[ScaleWiki]:
    """Yield a wiki of these sizes on engine, building it first unless it was kept."""
    DATA.mkdir(parents=True, exist_ok=True)
    name = f"bench_{pages}_{revisions}"
    folder = DATA / name
    folder.mkdir(exist_ok=True)
    if engine == "sqlite":
        url = f"sqlite:///{folder / 'wiki.sqlite'}"
    else:
        if not POSTGRES_URL:
            raise RuntimeError("set WIKI_BENCH_POSTGRES_URL (or WIKI_TEST_POSTGRES_URL)")
        admin = create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{name}"'))
        admin.dispose()
        separator = "&" if "?" in POSTGRES_URL else "?"
        url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{name}"
    app = _app(folder, url)
    if _ready(app, pages, revisions):
        _migrate(app)  # a kept wiki gets the indexes of newer migrations
        _publish_latest(app)
        with app.app_context(), write_transaction() as session:
            sequences_caught_up(session)  # built before the builder caught them up
    else:
        print(f"building a {engine} wiki of {pages:,} pages, {revisions:,} revisions…")
        _reset(app, engine, folder, url, name)
        app = _app(folder, url)
        _fill(app, pages, revisions)
    try:
        yield ScaleWiki(app, folder, f"{engine}, {pages:,} pages, {revisions:,} revisions")
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        renderer.shutdown()


def _reset(app: Flask, engine: str, folder: Path, url: str, schema: str) -> None:
    """Empty the database before building (a half-built or older wiki)."""
    with app.app_context():
        db.engine.dispose()
    if engine == "sqlite":
        for path in folder.glob("wiki.sqlite*"):
            path.unlink()
        return
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()


def unique_title() -> str:
    """Return a title no page of a benchmark wiki has."""
    return f"Bench save {uuid.uuid4().hex[:8]}"
