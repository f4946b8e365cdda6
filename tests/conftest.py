"""Fixtures: an app on a real SQLite file (and PostgreSQL when configured), clients, factories.

Plain helpers (saving, editing through the form, counting queries) are in tests/helpers.py.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from flask import Flask
from flask_login import AnonymousUserMixin
from flask_migrate import upgrade
from flask_sqlalchemy import SQLAlchemy
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.pool import QueuePool, StaticPool
from sqlalchemy.util import LRUCache
from werkzeug.routing import Rule

from tests.helpers import (
    ENGINES,
    PASSWORD,
    POSTGRES_URL,
    CSRFClient,
    add_user,
    base_config,
    log_in,
    private_schema,
    release,
    save,
    smtp_inbox,
)
from wiki import create_app
from wiki.extensions import db
from wiki.identity import user_key
from wiki.models import Role, User


def _share_url_builders() -> None:
    """Compile each URL rule's builder once per test process instead of once per app.

    Werkzeug compiles two small Python functions for every rule when an app registers its
    routes: with ~125 rules that is nine tenths of create_app(), and the suite makes an app
    for almost every test. The compiled function reads what belongs to its rule (converters,
    map settings) through its `self` argument at call time, so the one compiled for an equal
    rule serves every app. Only tests do this; a running wiki makes one app.
    """
    original = Rule._compile_builder
    compiled: dict = {}

    def compile_once(self, append_unknown: bool = True):
        converters = tuple(
            (name, type(c), vars(c).get("regex")) for name, c in self._converters.items()
        )
        defaults = tuple(sorted((str(k), repr(v)) for k, v in (self.defaults or {}).items()))
        key = (append_unknown, self.rule, tuple(self._trace), defaults, converters)
        if key not in compiled:
            compiled[key] = original(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = compile_once


_share_url_builders()


def _share_rule_parsing() -> None:
    """Parse each URL rule once per test process instead of once per app.

    Binding a rule to an app's map parses it into the parts the matcher compares (regular
    expressions made from its converters): with the builders shared, this is the larger half
    of what create_app() costs. The parts depend only on the rule's text, its slash settings
    and the classes of its converters; each app's rule still gets converters of its own map.
    """
    original = Rule.compile
    parsed: dict = {}

    def compile_once(self) -> None:
        domain = self.host if self.map.host_matching else self.subdomain
        kinds = tuple(sorted((name, kind) for name, kind in self.map.converters.items()))
        key = (self.rule, domain or "", self.merge_slashes, kinds)
        known = parsed.get(key)
        if known is None:
            original(self)
            made = [(name, type(c), vars(c).copy()) for name, c in self._converters.items()]
            parsed[key] = (list(self._parts), list(self._trace), made)
            return
        parts, trace, made = known
        self._parts, self._trace = list(parts), list(trace)
        self._converters = {}
        for name, kind, state in made:
            converter = kind.__new__(kind)
            converter.__dict__.update(state, map=self.map)
            self._converters[name] = converter
            self.arguments.add(name)
        self._build = self._compile_builder(False).__get__(self, None)
        self._build_unknown = self._compile_builder(True).__get__(self, None)

    Rule.compile = compile_once


_share_rule_parsing()


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates kept by name and source, for every app a test process makes."""

    def __init__(self) -> None:
        self.codes: dict = {}

    def load_bytecode(self, bucket) -> None:
        bucket.code = self.codes.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket) -> None:
        self.codes[(bucket.key, bucket.checksum)] = bucket.code


def _share_compiled_templates() -> None:
    """Compile each template once per test process instead of once per app.

    Jinja compiles a template the first time an app's environment loads it: parsing and
    generating Python for base.html and a page's template is most of a test's first
    request, and the suite makes an app for almost every test. Every app's environment is
    configured alike, and the cache is keyed by the template's file and a checksum of its
    source, so an edited template compiles anew. A running wiki makes one app.
    """
    shared = _SharedTemplateCode()
    original = Flask.create_jinja_environment

    def create(self):
        environment = original(self)
        environment.bytecode_cache = shared
        return environment

    Flask.create_jinja_environment = create


_share_compiled_templates()


class _KeptPool(QueuePool):
    """A pool of PostgreSQL connections that outlives the engines using it (tests only).

    A new connection is a new server process whose catalogue caches start cold: a test's
    statements took 0.65 ms on average against 0.19 ms for a bare round trip. Every test app
    of a process uses the first engine's pool (its connect hooks included); an app's
    dispose() at its end keeps the connections, each rolled back as it is returned.
    """

    @classmethod
    def adopt(cls, pool: QueuePool) -> None:
        """Make an engine's own pool a kept one, never short of connections."""
        pool.__class__ = cls
        pool._max_overflow = -1  # a thread a test left holding one must not starve the next

    def dispose(self) -> None:
        """Keep the connections: the next test's app uses them."""

    def recreate(self) -> "_KeptPool":
        return self


def _share_compiled_statements() -> None:
    """Compile each SQL statement once per test process instead of once per app.

    SQLAlchemy keeps compiled statements per engine, keyed by the engine's dialect, and
    every test's app makes a new engine: compiling the same few hundred statements again
    was a fifth of a typical test. Engines of one kind (the same driver and options: each
    test's SQLite file, or this process's PostgreSQL schema) get the first one's dialect,
    connected once so it knows its server, and its cache of compiled statements. A
    running wiki makes one engine.
    """
    original = SQLAlchemy._make_engine
    shared: dict = {}

    def make_engine(self, bind_key, options, app):
        engine = original(self, bind_key, options, app)
        url = engine.url
        kind = (
            url.drivername,
            url.username,
            url.host,
            url.port,
            url.database if url.host else None,
        )
        kind += (
            tuple(sorted(url.query.items())),
            repr(sorted((k, v) for k, v in options.items() if k != "url")),
        )
        if kind not in shared:
            with engine.connect():  # the dialect learns its server's version and features
                pass
            # That connection was made before the app tuned its engine (wiki/database.py:
            # foreign keys, busy timeout, transactions): it must not serve a request.
            engine.dispose()
            engine._compiled_cache = LRUCache(5000)
            if url.drivername.startswith("postgresql"):
                _KeptPool.adopt(engine.pool)
            shared[kind] = (engine.dialect, engine._compiled_cache, engine.pool)
        else:
            engine.dialect, engine._compiled_cache, pool = shared[kind]
            if isinstance(pool, _KeptPool):
                engine.pool = pool
        return engine

    SQLAlchemy._make_engine = make_engine


_share_compiled_statements()


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
    """Create a private schema on the test server, migrate it, and drop it at the end.

    Yield its URL, the SQL that empties it between tests, and the engine that runs that SQL.
    """
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need WIKI_TEST_POSTGRES_URL (CI sets it)")
    # One schema per pytest process: each xdist worker has its own session, so its own schema.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    # Test databases are thrown away: commits need not wait for the disk.
    fast = "%20-csynchronous_commit%3Doff"
    with private_schema(POSTGRES_URL, f"bottega_test_{worker}", fast) as url:
        app = create_app(base_config(Path(tempfile.mkdtemp(prefix="bottega-pg-")), url))
        with app.app_context():
            upgrade(revision="heads")
            emptying = _emptying_sql(db.engine)
            db.engine.dispose()
        # One engine empties the schema after every test: a new one would connect each time
        # (10 of the 15 ms the emptying took).
        cleaner = create_engine(url, poolclass=StaticPool)
        try:
            yield url, emptying, cleaner
        finally:
            cleaner.dispose()


def _emptying_sql(engine) -> str:
    """Return SQL that deletes every row of the schema's tables and restarts its sequences.

    DELETE rather than TRUNCATE: a test leaves a few rows, and TRUNCATE makes new files for
    every table and index (1.5–2 s a test here, against 0.1 s). Tables only migrations make
    (the search index) go first; then the models' tables, those that refer to others before
    the ones they refer to, after clearing the references that point the other way (a page
    → its latest revision).
    """
    tables = db.metadata.sorted_tables
    position = {table.name: index for index, table in enumerate(tables)}
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        sequences = connection.execute(
            text(
                "SELECT sequence_name FROM information_schema.sequences"
                " WHERE sequence_schema = current_schema()"
            )
        ).scalars()
        restarts = [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
    unmodelled = sorted(present - set(position) - {"alembic_version"})
    statements = [
        f'UPDATE "{table.name}" SET "{key.parent.name}" = NULL'
        for table in tables
        for key in table.foreign_keys
        if position[key.column.table.name] > position[table.name]
    ]
    statements += [f'DELETE FROM "{name}"' for name in unmodelled]
    statements += [f'DELETE FROM "{table.name}"' for table in reversed(tables)]
    return "; ".join(statements + restarts)


@pytest.fixture(params=ENGINES)
def database_url(request, tmp_path):
    """Yield a fresh, migrated database: a SQLite file, or the PostgreSQL schema emptied."""
    if request.param == "sqlite":
        path = tmp_path / "wiki.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url, emptying, cleaner = request.getfixturevalue("postgres_schema")
    yield url
    with cleaner.begin() as connection:
        connection.exec_driver_sql(emptying)


@pytest.fixture
def other(database_url, tmp_path):
    """Return a second app on the same database, standing for another server process."""
    second = create_app(base_config(tmp_path / "other", database_url))
    second.test_client_class = CSRFClient
    yield second
    with second.app_context():
        release(second)


@pytest.fixture
def app(database_url, tmp_path) -> Flask:
    """Return an app bound to a fresh database, with an app context pushed."""
    app = create_app(base_config(tmp_path, database_url))
    app.test_client_class = CSRFClient
    with app.app_context():
        yield app
        release(app)


@pytest.fixture
def inbox(app):
    """Send the app's email to a real local SMTP server; yield its inbox."""
    with smtp_inbox(app) as received:
        app.config.update(
            MAIL_SERVER="127.0.0.1", MAIL_PORT=received.port, MAIL_FROM="wiki@bottega.test"
        )
        yield received


@pytest.fixture
def client(app) -> CSRFClient:
    """Return a test client speaking real HTTP semantics to the app."""
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Return a factory for accounts: make_user("alice", role=Role.MODERATOR)."""
    return add_user


@pytest.fixture
def make_page(app, people):
    """Return a factory saving pages: make_page("Title", "v1", "v2", author=user).

    Each text is saved as a new revision on the latest one; the author defaults to "pagebot".
    """

    def make(title: str, *texts: str, author: User | None = None, summary: str = ""):
        author = author or people["pagebot"]
        result = None
        for body in texts:
            result = save(title, body, author, summary=summary)
        return result.page

    return make


#: Accounts that `people` makes with another role than editor, by name.
ROLE_OF = {
    "reader": Role.READER,
    "moderator": Role.MODERATOR,
    "mod": Role.MODERATOR,
    "admin": Role.ADMIN,
    "root": Role.ADMIN,
}


class People(dict):
    """Accounts by name, each made on first mention (or found, if make_user made it first)."""

    def __init__(self, make_user) -> None:
        super().__init__()
        self._make_user = make_user

    def __missing__(self, name: str):
        if name == "anonymous":
            user = AnonymousUserMixin()
        else:
            user = db.session.scalar(select(User).where(User.key == user_key(name)))
            user = user or self._make_user(name, role=ROLE_OF.get(name, Role.EDITOR))
        self[name] = user
        return user


@pytest.fixture
def people(make_user) -> People:
    """Return everyone by name: people["bob"] is an editor made on first mention.

    "reader", "moderator"/"mod" and "admin"/"root" have that role; "anonymous" is a
    visitor who is not logged in.
    """
    return People(make_user)


@pytest.fixture
def login_as(app):
    """Return a factory of clients logged in through the real form: login_as(user)."""

    def login(who: User | str, client: CSRFClient | None = None) -> CSRFClient:
        name = who if isinstance(who, str) else who.username
        client = client or app.test_client()
        response = log_in(client, name)
        assert response.status_code == 302, f"{name} could not log in"
        return client

    return login


class Auth:
    """Log the test's client in and out through the real forms."""

    def __init__(self, client: CSRFClient) -> None:
        self.client = client

    def login(self, who: User | str = "alice", password: str = PASSWORD):
        """Post the login form as this person (a User or a username); return the response."""
        return log_in(self.client, who if isinstance(who, str) else who.username, password)

    def logout(self):
        return self.client.post("/logout", data={})


@pytest.fixture
def auth(client) -> Auth:
    """Return login/logout helpers for the test's client."""
    return Auth(client)


@pytest.fixture
def editor(people, auth) -> User:
    """Return alice, an editor, logged in on the test's client."""
    user = people["alice"]
    auth.login("alice")
    return user
