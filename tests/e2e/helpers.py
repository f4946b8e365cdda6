"""Helpers shared by the browser journeys: serving a wiki and doing things in a tab.

Test modules import from here, never from one another or from conftest.
"""

import re
import uuid
from contextlib import contextmanager

from flask_migrate import upgrade

from tests.helpers import PASSWORD, add_user, release, served_on_a_port
from wiki import create_app
from wiki.models import Role


@contextmanager
def serve(folder, **config):
    """Serve a fresh wiki on a free local port; yield its base URL and the app.

    The journeys drive the classic editor (a textarea; saves merge turn by turn), which
    WIKI_LIVE_EDITING=0 keeps; tests/e2e/test_live.py serves the live editor itself.
    """
    app = create_app(
        {
            "SECRET_KEY": "e2e secret",
            "DATABASE_URL": f"sqlite:///{folder / 'wiki.sqlite'}",
            "INSTANCE_PATH": str(folder),
            "DEMO": False,
            "LIVE_EDITING": False,
            **config,
        }
    )
    with app.app_context():
        upgrade()
    try:
        with served_on_a_port(app) as url:
            yield url, app
    finally:
        with app.app_context():
            release(app)


def unique(prefix: str) -> str:
    """Return a name no other test uses (a live wiki is shared by a module or the session)."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def make_account(app, role: Role = Role.EDITOR) -> str:
    """Create an account with a role directly in a served wiki; return its name."""
    name = unique(role.name.lower())
    with app.app_context():
        add_user(name, role)
    return name


def register(page, username: str, password: str = PASSWORD) -> None:
    """Create an account through the form."""
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password").fill(password)
    page.get_by_role("button", name="Create account").click()


def log_in(page, name: str) -> None:
    """Log the tab's browser context in: the login form's own POST, with the token the form
    page gives and the context's cookies, without drawing the page (two page loads, ~0.4 s
    of Chromium's time a log-in). Journeys about the form itself fill it in."""
    form = page.request.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text())
    assert token, "the login page has no form token"
    answer = page.request.post(
        "/login",
        form={"username": name, "password": PASSWORD, "csrf_token": token.group(1)},
        max_redirects=0,
    )
    assert answer.status == 302, f"{name} could not log in ({answer.status})"
    assert "/two-factor" not in answer.headers["location"], f"{name} has two-factor sign-in"


def save_edit(page, title: str, text: str, summary: str = "") -> None:
    """Open the editor, type, save, and wait until the saved page is shown (scripts loaded)."""
    page.goto(f"/edit/{title}")
    page.get_by_label("Content").fill(text)
    if summary:
        page.get_by_label("Edit summary").fill(summary)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/wiki/"))
    page.wait_for_load_state("load")
