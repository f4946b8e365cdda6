"""Accounts: register, log in, log out, profiles, the create-admin command."""

import pytest

from tests.helpers import PASSWORD, register
from wiki.extensions import db
from wiki.models import Role, User
from wiki.web import safe_next


def test_first_account_is_administrator_then_editors(app, client):
    first = register(client, "first")
    assert first.status_code == 302
    told = client.get(first.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "you are its administrator" in told  # and where the settings are
    client.post("/logout", data={})
    second = register(client, "second")
    again = client.get(second.headers["Location"], follow_redirects=True)
    assert "administrator" not in again.get_data(as_text=True)
    roles = dict(db.session.execute(db.select(User.username, User.role)).all())
    assert roles == {"first": Role.ADMIN, "second": Role.EDITOR}


def test_register_logs_in_and_shows_name(client):
    register(client, "anna")
    html = client.get("/user/anna").get_data(as_text=True)
    assert "Log out" in html


@pytest.mark.parametrize(
    ("username", "password", "confirm", "message"),
    [
        ("x", PASSWORD, PASSWORD, "3 to 40"),
        ("anna", "short", "short", "at least 10"),
        ("anna", PASSWORD, PASSWORD + "!", "do not match"),
        ("annabelle10", "annabelle10", "annabelle10", "cannot be your username"),
        ("bad name", PASSWORD, PASSWORD, "3 to 40"),
    ],
)
def test_register_refuses_bad_input_and_keeps_username(
    client, username, password, confirm, message
):
    response = register(client, username, password, confirm)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert f'value="{username}"' in html


def test_register_says_everything_wrong_at_once(client):
    response = register(client, "bad name", PASSWORD, PASSWORD + "!")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "3 to 40" in html and "do not match" in html
    assert 'value="bad name"' in html and PASSWORD not in html  # refused passwords go
    # A short password that its confirmation does not match: both are said.
    both = register(client, "anna", "short", "shorter").get_data(as_text=True)
    assert "at least 10 characters" in both and "do not match" in both


def test_username_taken_case_insensitively(client):
    register(client, "Anna")
    client.post("/logout", data={})
    response = register(client, "ANNA")
    assert response.status_code == 400
    assert "already taken" in response.get_data(as_text=True)
    # Said with the other problems at once, not only after the passwords are right.
    both = register(client, "anna", "short", "shorter").get_data(as_text=True)
    assert "already taken" in both and "at least 10 characters" in both
    assert "do not match" in both


def test_login_and_logout(client, make_user, auth):
    make_user("bob")
    response = auth.login("bob")
    assert response.status_code == 302
    assert "Log out" in client.get("/user/bob").get_data(as_text=True)
    auth.logout()
    assert "Log in" in client.get("/user/bob").get_data(as_text=True)


def test_wrong_password_and_unknown_user_get_same_message(client, make_user, auth):
    make_user("bob")
    wrong = auth.login("bob", "wrong password!")
    unknown = auth.login("nobody", "wrong password!")
    assert wrong.status_code == unknown.status_code == 401
    message = "The username or password is not right."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_login_follows_only_local_next(client, make_user):
    make_user("bob")
    data = {"username": "bob", "password": PASSWORD}
    response = client.post("/login?next=/wiki/FAQ", data=data)
    assert response.headers["Location"] == "/wiki/FAQ"


@pytest.mark.parametrize(
    "target", ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:x"]
)
def test_safe_next_refuses_other_sites(app, target):
    with app.test_request_context():
        assert safe_next(target) == "/"


def test_login_rotates_session(client, make_user, auth):
    make_user("bob")
    client.get("/login")
    with client.session_transaction() as session:
        session["marker"] = "before"
    auth.login("bob")
    with client.session_transaction() as session:
        assert "marker" not in session


def test_session_cookie_is_httponly_and_lax(client, make_user, auth):
    make_user("bob")
    cookie = auth.login("bob").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_profile_lists_contributions(client, make_user, make_page):
    maria = make_user("maria")
    make_page("Campaign", "text", author=maria, summary="my summary")
    html = client.get("/user/maria").get_data(as_text=True)
    assert "Campaign" in html and "my summary" in html and "1 edit" in html


def test_unknown_profile_is_404(client):
    assert client.get("/user/ghost").status_code == 404


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "root", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(db.select(User).where(User.key == "root"))
    assert user.role == Role.ADMIN


def test_create_admin_refuses_weak_password(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "root", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 10" in result.output


def test_typing_after_at_offers_usernames_and_nothing_else_of_an_account(
    client, make_user, login_as
):
    from wiki.signin.models import EmailAddress

    for name in ("giulia", "Gianni", "gi_lo", "gixlo", "marco"):
        make_user(name)
    giulia = db.session.scalar(db.select(User).where(User.username == "giulia"))
    address = "giulia@example.org"
    db.session.add(EmailAddress(user_id=giulia.id, address=address, key=address))
    db.session.commit()
    member = login_as("marco")

    def offered(typed: str):
        response = member.get("/people/suggest", query_string={"q": typed})
        assert response.status_code == 200 and response.is_json
        assert "private" in response.headers["Cache-Control"]
        return response.get_json()

    assert offered("gi") == ["gi_lo", "Gianni", "giulia", "gixlo"]
    assert offered("GIU") == ["giulia"]  # any case, the name as its owner wrote it
    assert offered("gi_") == ["gi_lo"]  # "_" is a character here, not a wildcard
    assert offered("gi%") == offered("giulia@") == offered("") == offered("x" * 41) == []
    assert offered("nobody") == []
    body = member.get("/people/suggest?q=g").get_data(as_text=True)
    assert "example.org" not in body and "@" not in body


def test_usernames_are_offered_only_to_logged_in_people_a_few_at_a_time(
    client, make_user, login_as
):
    for number in range(12):
        make_user(f"anna{number:02}")
    visitor = client.get("/people/suggest?q=anna")
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    asked = client.get("/people/suggest?q=anna", headers={"Accept": "application/json"})
    assert asked.status_code == 403 and "Log in" in asked.get_json()["detail"]
    assert "anna" not in asked.get_data(as_text=True)
    names = login_as("anna00").get("/people/suggest?q=anna").get_json()
    assert names == [f"anna{number:02}" for number in range(8)]
