"""Every error status has a friendly page with navigation; the API answers JSON; 500 hides all."""

from html.parser import HTMLParser

import pytest
from flask import abort

from tests.helpers import base_config, release
from wiki import create_app


class ErrorPage(HTMLParser):
    """The parts of an error page a person relies on."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.message = ""
        self.links: list[str] = []
        self._in_message = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if "error-message" in (values.get("class") or ""):
            self._in_message = True

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_message = False

    def handle_data(self, data):
        if self._in_message:
            self.message += data


def parse(html: str) -> ErrorPage:
    page = ErrorPage()
    page.feed(html)
    return page


@pytest.fixture
def broken_app(tmp_path, database_url):
    """An app (not TESTING, so errors are handled as in production) with failing routes."""
    # Not TESTING: the suite's cheap password hash is refused (production would not take it).
    production = {"TESTING": False, "PASSWORD_HASH_METHOD": "scrypt"}
    app = create_app(base_config(tmp_path, database_url) | production)

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret detail /etc/passwd")

    @app.get("/api/boom-for-test")
    def api_boom():
        raise RuntimeError("secret detail")

    @app.get("/forbidden-for-test")
    def forbidden():
        abort(403)

    with app.app_context():
        yield app
        release(app)


def check_friendly(response, status: int, text: str = "") -> ErrorPage:
    page = parse(response.get_data(as_text=True))
    assert response.status_code == status
    assert len(page.message.strip()) > 15, page.message
    assert text in page.message
    assert "/" in page.links and "/login" in " ".join(page.links)  # the main page, logging in
    return page


def test_400(client):
    check_friendly(client.get("/log?before=abc"), 400, "whole number")


def test_400_csrf(app):
    from flask.testing import FlaskClient

    response = FlaskClient(app).post("/login", data={"username": "x", "password": "y"})
    check_friendly(response, 400, "session expired")


def test_403(broken_app):
    check_friendly(broken_app.test_client().get("/forbidden-for-test"), 403, "not allowed")


def test_404(client):
    check_friendly(client.get("/no/such/address"), 404, "nothing at this address")


def test_405(client):
    response = client.delete("/login")
    check_friendly(response, 405, "does not accept")
    assert "POST" in response.headers["Allow"]


def test_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    check_friendly(client.post("/login", data={"username": "x" * 5000}), 413, "too large")


def test_429(app):
    app.config["RATELIMIT_ENABLED"] = True  # read by the error page only; limits are per app

    @app.get("/too-many-for-test")
    def too_many():
        abort(429)

    response = app.test_client().get("/too-many-for-test")
    check_friendly(response, 429, "Wait")
    assert response.headers["Retry-After"]


def test_500_hides_the_details(broken_app):
    response = broken_app.test_client().get("/boom-for-test")
    check_friendly(response, 500, "unexpected problem")
    html = response.get_data(as_text=True)
    assert "secret detail" not in html and "Traceback" not in html


def test_api_errors_are_json(broken_app):
    client = broken_app.test_client()
    missing = client.get("/api/none")
    assert missing.status_code == 404 and missing.is_json
    assert missing.mimetype == "application/problem+json"
    problem = missing.get_json()
    assert problem["status"] == 404 and problem["detail"] and problem["title"]
    boom = client.get("/api/boom-for-test")
    assert boom.status_code == 500 and boom.is_json
    assert "secret" not in boom.get_data(as_text=True)
