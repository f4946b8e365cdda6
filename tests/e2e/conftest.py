"""Browser journeys: a live server on a real SQLite file, driven by real Chromium."""

import os
from pathlib import Path

import pytest

from tests.e2e.helpers import serve

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
