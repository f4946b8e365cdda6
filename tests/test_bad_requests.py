"""Values that once crashed the wiki: each is refused with a message, never a server error."""

import pytest
from sqlalchemy import text

from wiki.problems import NotFound

CRASHERS = ["²", "٩٩٩٩٩٩٩٩٩٩٩", "2147483648", "9223372036854775808", "-1", "1e3", "½"]


@pytest.fixture
def editor(make_user, auth, make_page):
    make_page("Plan", "first", "second")
    make_user("alice")
    auth.login("alice")


@pytest.mark.parametrize("value", CRASHERS)
@pytest.mark.parametrize(
    "path",
    [
        "/history/Plan?before={}",
        "/history/Plan?after={}",
        "/diff/Plan?from={}",
        "/diff/Plan?to={}",
        "/recent?before={}",
        "/recent?days={}",
        "/notifications?before={}",
        "/log?before={}",
        "/special/wanted?page={}",
        "/search?q=plan&page={}&fulltext=1",
        "/talk/Plan/1?reply={}",
        "/undo/Plan?rev={}",
    ],
)
def test_odd_numbers_in_addresses_are_answered_not_crashed(client, editor, path, value):
    response = client.get(path.format(value))
    assert response.status_code in (200, 302, 400, 404), response.status_code
    if response.status_code == 400:
        name = path.split("?")[1].split("&")[-1].split("=")[0]
        assert f"“{name}”" in response.get_data(as_text=True)  # the message names it


@pytest.mark.parametrize("value", CRASHERS + ["0"])
def test_an_odd_base_revision_keeps_the_editors_text(client, editor, value):
    form = {"text": "my careful words", "base_revision": value}
    response = client.post("/edit/Plan", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "my careful words" in html and "form is damaged" in html


@pytest.mark.parametrize("value", CRASHERS + ["0"])
def test_an_odd_base_revision_in_a_draft_is_a_json_refusal(client, editor, value):
    response = client.post(
        "/draft/Plan",
        data={"text": "draft", "base_revision": value},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "form is damaged" in response.get_json()["detail"]


def test_the_error_page_works_after_a_failed_statement(app, client):
    """On PostgreSQL a failed statement aborts the transaction; the error page (which looks
    the visitor up) must roll back first rather than fail in turn."""

    @app.get("/aborted-for-test")
    def aborted():
        from wiki.extensions import db

        try:
            db.session.execute(text("SELECT * FROM no_such_table"))
        except Exception:
            pass
        raise NotFound("Nothing here after all.")

    response = client.get("/aborted-for-test")
    assert response.status_code == 404
    assert "Nothing here after all." in response.get_data(as_text=True)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
