"""Browser journeys: a live server on a real SQLite file, driven by real Chromium."""

import os
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from wiki import create_app
from wiki.extensions import db

CHROMIUM = Path(os.environ.get("WIKI_CHROMIUM", "/usr/bin/chromium"))
# The live wikis serve every journey from one address, so rate limits would make journeys
# flaky; tests/e2e/test_safety.py turns them on for the wiki it serves itself.
os.environ.setdefault("WIKI_RATELIMIT_ENABLED", "0")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Mark every test here as a browser test."""
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@contextmanager
def serve(folder, **config):
    """Serve a fresh wiki on a free local port; yield its base URL and the app."""
    app = create_app(
        {
            "SECRET_KEY": "e2e secret",
            "DATABASE_URL": f"sqlite:///{folder / 'wiki.sqlite'}",
            "INSTANCE_PATH": str(folder),
            "DEMO": False,
            **config,
        }
    )
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Serve the wiki the browser journeys share; yield its base URL."""
    with serve(tmp_path_factory.mktemp("live")) as (url, _app):
        yield url


@pytest.fixture(scope="session")
def browser():
    """Start headless Chromium once for the whole run."""
    if not CHROMIUM.exists():
        if os.environ.get("WIKI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"WIKI_REQUIRE_BROWSER=1 but there is no browser at {CHROMIUM}")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def new_page(browser, live_server):
    """Return a factory of browser tabs, each in its own context (its own cookies)."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """Return one browser tab."""
    return new_page()


def unique(prefix: str) -> str:
    """Return a name no other test uses (the live wiki is shared by the session)."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def register(page, username: str, password: str = "correct horse battery") -> None:
    """Create an account through the form."""
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password").fill(password)
    page.get_by_role("button", name="Create account").click()
