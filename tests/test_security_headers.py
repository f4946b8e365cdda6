"""Security headers on every response; no inline script, handlers or styles in served HTML."""

import re
from html.parser import HTMLParser

import pytest

from wiki import create_app
from wiki.extensions import db
from wiki.models import Role

REQUIRED = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'; "
        "frame-src https://www.youtube-nocookie.com https://player.vimeo.com; "
        "img-src 'self' https:"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


class InlineFinder(HTMLParser):
    """Collect what a strict CSP would block: inline scripts, handlers, styles, js: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        # JSON-LD is a data block: browsers never run it, so the CSP does not apply to it.
        if tag == "script" and values.get("type") != "application/ld+json":
            src = values.get("src") or ""
            if not src.startswith("/static/"):
                self.problems.append(f"inline or foreign script {src!r}")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value:
                if "".join(value.split()).lower().startswith(("javascript:", "data:")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


@pytest.fixture
def world(client, make_user, make_page, auth):
    """A wiki with a page, a talk topic and a logged-in administrator."""
    make_page("Plan", "# Plan\n\nSee [[Budget]].", "# Plan\n\nSee [[Budget]] and more.")
    make_user("root", role=Role.ADMIN)
    make_user("bob")
    auth.login("root")
    client.post("/talk/Plan", data={"subject": "Tone", "body": "Too formal?"})
    return client


PAGES = [
    "/wiki/Plan",
    "/wiki/Missing",
    "/edit/Plan",
    "/history/Plan",
    "/diff/Plan",
    "/revision/1",
    "/talk/Plan",
    "/talk/Plan/1",
    "/user/root",
    "/login",
    "/register",
    "/log",
    "/account",
    "/protect/Plan",
    "/admin/settings",
    "/admin/users",
    "/admin/users/bob",
    "/admin/blocks",
    "/admin/invites",
    "/admin/webhooks",
    "/preferences",
    "/preferences/tokens",
    "/api/v1/docs",
    "/info/Plan",
    "/community",
    "/nowhere",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_the_headers_and_no_inline_code(world, url):
    response = world.get(url)
    for name, value in REQUIRED.items():
        if name == "Content-Security-Policy" and url.startswith("/edit/"):
            # The live editor (wiki/live) adds only CodeMirror's styles: a nonce and colours.
            extra = r"; style-src 'self' 'nonce-[\w-]+'; style-src-attr 'unsafe-inline'"
            assert re.fullmatch(re.escape(value) + extra, response.headers[name])
            continue
        assert response.headers[name] == value
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    if response.mimetype == "text/html":
        assert inline_problems(response.get_data(as_text=True)) == []


def test_templates_and_scripts_have_no_inline_handlers_or_styles():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for path in [*root.glob("templates/**/*.html"), *root.glob("static/js/*.js")]:
        text = path.read_text(encoding="utf-8")
        assert " style=" not in text, path
        assert "javascript:" not in text.lower(), path
        assert "<script>" not in text and "<style" not in text, path
        if path.suffix == ".html":
            problems = [p for p in inline_problems(text) if "handler" in p]
            assert problems == [], path


def test_error_and_redirect_responses_carry_the_headers(client):
    for response in (client.get("/edit/Plan"), client.get("/nowhere"), client.post("/login")):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_secure_cookie_and_hsts_behind_https(tmp_path, database_url, make_user):
    from tests.helpers import CSRFClient, base_config, log_in, release

    config = base_config(tmp_path, database_url) | {
        "SESSION_COOKIE_SECURE": True,
        "WTF_CSRF_ENABLED": False,  # this test is about the cookie
    }
    app = create_app(config)
    app.test_client_class = CSRFClient
    with app.app_context():
        client = app.test_client()
        make_user("bob")
        response = log_in(client, "bob", base_url="https://x")
        assert "Secure" in response.headers["Set-Cookie"]
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        release(app)


def test_plain_http_cookie_is_not_marked_secure(client, make_user, auth):
    make_user("bob")
    cookie = auth.login("bob").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_proxy_fix_trusts_forwarded_addresses_only_when_configured(tmp_path, database_url):
    from flask import request

    from tests.helpers import base_config, release

    for proxies, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        app = create_app(base_config(tmp_path, database_url) | {"PROXY_FIX": proxies})

        @app.get("/remote-for-test")
        def remote():
            return request.remote_addr or ""

        with app.app_context():
            seen = app.test_client().get(
                "/remote-for-test", headers={"X-Forwarded-For": "203.0.113.9"}
            )
            assert seen.get_data(as_text=True) == expected
            release(app)


def test_get_requests_never_change_state(world):
    """Every state change is a POST: GETs of the action URLs change nothing."""
    from wiki.modlog import LogEntry

    before = db.session.scalar(db.select(db.func.count(LogEntry.id)))
    for url in ("/logout", "/account/logout-everywhere", "/admin/users/bob/block"):
        assert world.get(url).status_code in (404, 405)
    assert world.get("/account").status_code == 200  # still logged in
    assert db.session.scalar(db.select(db.func.count(LogEntry.id))) == before
