"""Fixtures: an app on a real SQLite file (and PostgreSQL when configured), clients, factories."""

import os
import shutil
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from wiki import create_app
from wiki.core.titles import parse_title
from wiki.extensions import db
from wiki.models import Role, User
from wiki.pages.service import save_page
from wiki.people.service import user_key

POSTGRES_URL = os.environ.get("WIKI_TEST_POSTGRES_URL", "")
# PostgreSQL joins the run when a server is given (CI always gives one).
ENGINES = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
PASSWORD = "correct horse battery"


def pytest_configure(config):
    """Declare the marker that limits a test to one database engine."""
    config.addinivalue_line("markers", "engine(name): run only on this engine (sqlite, postgres)")


def pytest_collection_modifyitems(config, items):
    """Fail loudly in CI when PostgreSQL was required but not given; drop other-engine runs.

    A test marked engine("sqlite") is about SQLite itself (e.g. its backup API): its
    PostgreSQL run is not collected at all rather than skipped.
    """
    if os.environ.get("WIKI_REQUIRE_POSTGRES") == "1" and not POSTGRES_URL:
        raise pytest.UsageError("WIKI_REQUIRE_POSTGRES=1 but WIKI_TEST_POSTGRES_URL is not set")
    kept, dropped = [], []
    for item in items:
        marker = item.get_closest_marker("engine")
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("database_url") if callspec else None
        if marker and engine and engine != marker.args[0]:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def base_config(tmp_path, database_url: str) -> dict:
    """Return the configuration every test app starts from."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test secret key",
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DEMO": False,
        "PAGE_CACHE_SECONDS": 0,  # tests of the cache turn it on
    }


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """Return the path of a SQLite file migrated to the latest schema, to copy per test."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite"
    app = create_app(base_config(folder, f"sqlite:///{path}"))
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    return str(path)


@pytest.fixture(scope="session")
def postgres_schema():
    """Create a private schema on the test server, migrate it, and drop it at the end."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need WIKI_TEST_POSTGRES_URL (CI sets it)")
    schema = f"bottega_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    app = create_app(base_config(_tmp_dir(), url))
    with app.app_context():
        upgrade(revision="heads")
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        db.engine.dispose()
    yield url, tables
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _tmp_dir():
    """Return a throwaway folder for an instance path that is never written."""
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp(prefix="bottega-pg-"))


@pytest.fixture(params=ENGINES)
def database_url(request, tmp_path):
    """Yield a fresh, migrated database: a SQLite file, or the PostgreSQL schema emptied."""
    if request.param == "sqlite":
        path = tmp_path / "wiki.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url, tables = request.getfixturevalue("postgres_schema")
    yield url
    engine = create_engine(url)
    with engine.begin() as connection:
        names = ", ".join(f'"{name}"' for name in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


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
        db.session.commit()
        return response

    def csrf_token(self) -> str:
        """Return a signed token for this client's session, as Flask-WTF makes them."""
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", uuid.uuid4().hex)
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


@pytest.fixture
def app(database_url, tmp_path) -> Flask:
    """Return an app bound to a fresh database, with an app context pushed."""
    app = create_app(base_config(tmp_path, database_url))
    app.test_client_class = CSRFClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> CSRFClient:
    """Return a test client speaking real HTTP semantics to the app."""
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Return a factory for accounts: make_user("alice", role=Role.MODERATOR)."""

    def make(username: str = "alice", role: Role = Role.EDITOR, password: str = PASSWORD) -> User:
        user = User(
            username=username,
            key=user_key(username),
            # A cheap real hash: the suite creates many accounts.
            password_hash=generate_password_hash(password, method="pbkdf2:sha256:1000"),
            role=role,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_page(app, make_user):
    """Return a factory saving pages: make_page("Title", "text", author=user)."""

    def make(title: str, *texts: str, author: User | None = None, summary: str = ""):
        author = (
            author
            or db.session.scalar(db.select(User).where(User.key == "pagebot"))
            or make_user("pagebot")
        )
        result = None
        for body in texts:
            base = result.page.latest_revision_id if result else _latest(title)
            result = save_page(
                parse_title(title), body, author=author, summary=summary, base_revision_id=base
            )
        return result.page

    return make


def _latest(title: str) -> int | None:
    from wiki.pages.service import get_page

    page = get_page(parse_title(title))
    return page.latest_revision_id if page else None


class Auth:
    """Log in and out through the real forms."""

    def __init__(self, client: CSRFClient) -> None:
        self.client = client

    def login(self, username: str = "alice", password: str = PASSWORD):
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout", data={})


@pytest.fixture
def auth(client) -> Auth:
    """Return login/logout helpers for the client."""
    return Auth(client)
