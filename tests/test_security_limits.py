"""Rate limits: per person and per address, friendly 429 answers, shared through Redis."""

import uuid

import pytest
from flask import abort

from tests.helpers import (
    REDIS_URL,
    CSRFClient,
    add_user,
    base_config,
    log_in,
    redis_or_skip,
    register,
    release,
    smtp_inbox,
    turn_on,
)
from wiki import create_app
from wiki.safety import limits
from wiki.safety.limits import ENDPOINTS, category_of


@pytest.fixture
def limited(database_url, tmp_path):
    """Return a factory of apps with rate limits on (several may share one database)."""
    made = []

    def make(**config):
        settings = base_config(tmp_path, database_url) | {"RATELIMIT_ENABLED": True} | config
        app = create_app(settings)
        app.test_client_class = CSRFClient
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            release(app)


def test_limits_are_off_in_tests_unless_turned_on(app, client):
    assert app.config["RATELIMIT_ENABLED"] is False
    for _ in range(30):
        assert client.get("/search?q=x").status_code != 429


@pytest.mark.parametrize("setting", ["RATE_LIMIT_LOGIN", "RATE_LIMIT_LOGIN_PER_IP"])
def test_a_rate_limited_login_shows_the_form_again_with_the_name_and_the_wait(limited, setting):
    # Per person and per address alike: the limit still refuses, but on the login form.
    app = limited(**{setting: "3/minute", "LOGIN_FREE_FAILURES": 100})
    with app.app_context():
        add_user("bob")
    with app.app_context():
        client = app.test_client()
        for _ in range(3):
            assert log_in(client, "bob", "wrong password!").status_code == 401
        response = log_in(client, "bob")  # even the right password: every try counts
        html = response.get_data(as_text=True)
        assert response.status_code == 429
        wait = response.headers["Retry-After"]
        assert 1 <= int(wait) <= 61
        assert f"Wait {wait} second" in html
        assert 'name="password"' in html and 'name="username" value="bob"' in html
        assert 'class="error-message"' not in html  # not the general error page
        assert client.get("/login").status_code == 200  # only posts count


def test_a_rate_limited_registration_keeps_the_name_typed(limited):
    app = limited(RATE_LIMIT_REGISTER="1/hour")
    with app.app_context():
        client = app.test_client()
        assert register(client, "nora", password="short").status_code == 400
        response = register(client, "nora")
        html = response.get_data(as_text=True)
        assert response.status_code == 429 and response.headers["Retry-After"]
        assert 'name="confirm"' in html and 'value="nora"' in html
        assert "Wait" in html and 'class="error-message"' not in html


@pytest.mark.parametrize(("seconds", "said"), [(1, "Wait 1 second,"), (42, "Wait 42 seconds,")])
def test_the_wait_a_limit_asks_for_is_in_the_right_plural(app, monkeypatch, seconds, said):
    monkeypatch.setattr(limits, "retry_after", lambda: seconds)
    with app.test_request_context("/"):
        message, headers = limits.too_often()
    assert said in message and headers == {"Retry-After": str(seconds)}


def test_limits_are_per_person_when_logged_in(limited):
    app = limited(RATE_LIMIT_SEARCH="2/minute", RATE_LIMIT_SEARCH_PER_IP="100/minute")
    with app.app_context():
        add_user("bob")
        add_user("amy")
    with app.app_context():
        bob, amy = app.test_client(), app.test_client()
        log_in(bob, "bob")
        log_in(amy, "amy")
        assert [bob.get("/search?q=a").status_code for _ in range(3)][-1] == 429
        assert amy.get("/search?q=a").status_code != 429


def test_limits_per_address_cover_everyone_behind_it(limited):
    app = limited(RATE_LIMIT_SEARCH="100/minute", RATE_LIMIT_SEARCH_PER_IP="3/minute")
    with app.app_context():
        add_user("bob")
        add_user("amy")
    with app.app_context():
        bob, amy = app.test_client(), app.test_client()
        log_in(bob, "bob")
        log_in(amy, "amy")
        for _ in range(3):
            assert bob.get("/search?q=a").status_code != 429
        assert amy.get("/search?q=a").status_code == 429
        other = app.test_client()
        elsewhere = {"REMOTE_ADDR": "198.51.100.3"}
        assert other.get("/search?q=a", environ_base=elsewhere).status_code != 429


def test_name_suggestions_count_against_the_api_limit(limited):
    app = limited(RATE_LIMIT_API="2/minute")
    with app.app_context():
        add_user("bob")
    with app.app_context():
        client = app.test_client()
        log_in(client, "bob")
        asked = [client.get("/people/suggest?q=bo").status_code for _ in range(3)]
        assert asked == [200, 200, 429]


def test_a_limited_edit_keeps_the_text(limited):
    app = limited(RATE_LIMIT_EDIT="1/minute")
    with app.app_context():
        add_user("bob")
    with app.app_context():
        client = app.test_client()
        log_in(client, "bob")
        form = {"text": "first", "action": "preview"}
        assert client.post("/edit/Plan", data=form).status_code == 200
        response = client.post("/edit/Plan", data={"text": "my precious paragraph"})
        html = response.get_data(as_text=True)
        assert response.status_code == 429
        assert "my precious paragraph" in html and "Wait" in html
        assert response.headers["Retry-After"]


def test_comment_limit_is_shared_by_topics_and_replies(limited):
    app = limited(RATE_LIMIT_COMMENT="2/minute")
    with app.app_context():
        add_user("bob")
    with app.app_context():
        client = app.test_client()
        log_in(client, "bob")
        client.post("/edit/Plan", data={"text": "text"})
        assert client.post("/talk/Plan", data={"subject": "One", "body": "a"}).status_code == 302
        assert client.post("/talk/Plan/1/reply", data={"body": "b"}).status_code == 302
        # Over the limit, the person's words are kept: on the page, for talk.js, in a topic.
        page = client.post("/talk/Plan/1/reply", data={"body": "my careful answer"})
        assert page.status_code == 429 and page.headers["Retry-After"]
        assert ">my careful answer</textarea>" in page.get_data(as_text=True)
        script = client.post(
            "/talk/Plan/1/reply", data={"body": "again"}, headers={"X-Requested-With": "fetch"}
        )
        assert script.status_code == 429 and "Wait" in script.get_data(as_text=True)
        topic = client.post("/talk/Plan", data={"subject": "Two", "body": "my new topic"})
        assert topic.status_code == 429 and "my new topic" in topic.get_data(as_text=True)


def test_api_errors_are_json(limited):
    app = limited()

    @app.get("/api/limited-for-test")
    def limited_for_test():
        abort(429)

    with app.app_context():
        client = app.test_client()
        missing = client.get("/api/nothing-here")
        assert missing.status_code == 404 and missing.is_json
        assert missing.mimetype == "application/problem+json"
        assert missing.get_json()["detail"]
        response = client.get("/api/limited-for-test")
        assert response.status_code == 429 and response.is_json
        assert response.headers["Retry-After"]
        assert "Wait" in response.get_json()["detail"]


def test_every_limited_endpoint_exists(app):
    """A renamed view must not silently lose its limit."""
    endpoints = set(app.view_functions)
    assert set(ENDPOINTS) <= endpoints, set(ENDPOINTS) - endpoints
    assert category_of("api.pages") == ("api", None)
    assert category_of("static") is None


def test_redis_shares_counts_between_app_servers(limited):
    redis = redis_or_skip()
    prefix = f"bottega-test-{uuid.uuid4().hex}"
    settings = {"REDIS_URL": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix}
    first = limited(RATE_LIMIT_LOGIN="2/minute", **settings)
    second = limited(RATE_LIMIT_LOGIN="2/minute", **settings)
    with first.app_context():
        add_user("bob")
    try:
        with first.app_context():
            client = first.test_client()
            assert log_in(client, "bob", "wrong password!").status_code == 401
            assert log_in(client, "bob", "wrong password!").status_code == 401
        assert any(redis.scan_iter(f"*{prefix}*"))
        with second.app_context():
            response = log_in(second.test_client(), "bob")
            assert response.status_code == 429
            assert int(response.headers["Retry-After"]) >= 1
    finally:
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
        redis.close()


def test_rate_limit_storage_down_falls_back_to_memory(limited):
    app = limited(REDIS_URL="redis://127.0.0.1:1/0", RATE_LIMIT_SEARCH="2/minute")
    with app.app_context():
        client = app.test_client()
        statuses = [client.get("/search?q=a").status_code for _ in range(3)]
        assert statuses[:2] == [200, 200] and statuses[2] == 429


def test_a_rate_limited_password_reset_request_keeps_what_was_typed(limited):
    app = limited(RATE_LIMIT_LOGIN="2/minute")
    with app.app_context(), smtp_inbox(app) as inbox:  # with email off there is no form
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port)
        client = app.test_client()
        for _ in range(2):
            sent = client.post("/forgot-password", data={"identifier": "nora@example.org"})
            assert sent.status_code == 200
        response = client.post("/forgot-password", data={"identifier": "nora@example.org"})
        html = response.get_data(as_text=True)
        assert response.status_code == 429 and response.headers["Retry-After"]
        assert 'value="nora@example.org"' in html and "Wait" in html
        assert 'class="error-message"' not in html  # the form, not the general error page


def test_a_rate_limited_two_factor_code_shows_the_code_form_again(limited):
    app = limited(RATE_LIMIT_LOGIN="5/minute", LOGIN_FREE_FAILURES=100)
    with app.app_context():
        bob = add_user("bob")
        setup = app.test_client()
        log_in(setup, "bob")
        turn_on(setup, bob)
        client = app.test_client()
        assert log_in(client, "bob").status_code == 302
        for _ in range(5):  # wrong codes until the limit refuses
            response = client.post("/two-factor", data={"code": "000000"})
            if response.status_code != 401:
                break
        html = response.get_data(as_text=True)
        assert response.status_code == 429 and response.headers["Retry-After"]
        assert 'name="code"' in html and "Wait" in html
        assert 'class="error-message"' not in html
