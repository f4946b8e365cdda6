"""Accounts: password rules, throttled logins, live sessions, resets and registration policy."""

import pytest

from tests.helpers import PASSWORD, log_in, register
from wiki.access.policy import save_policy
from wiki.extensions import db
from wiki.identity.passwords import common_passwords, is_common
from wiki.models import Role, User
from wiki.people import service as people
from wiki.safety import accounts, sessions
from wiki.safety.models import LoginFailure, UserSession

WRONG = "wrong password!"
FAST_THROTTLE = {
    "LOGIN_FREE_FAILURES": 3,
    "LOGIN_DELAY_SECONDS": 0.0,
    "LOGIN_LOCKOUT_FAILURES": 5,
    "LOGIN_IP_LOCKOUT_FAILURES": 8,
}


# Password rules


def test_the_shipped_list_is_large_and_lower_case():
    listed = common_passwords()
    assert len(listed) > 10_000
    assert "password" in listed and "qwertyuiop" in listed
    assert all(entry == entry.lower() for entry in listed)


@pytest.mark.parametrize(
    "password", ["qwertyuiop", "Password1234", "1234567890", "Dragon2024!!", " basketball "]
)
def test_common_passwords_are_refused(client, password):
    assert is_common(password)
    response = register(client, password=password)
    assert response.status_code == 400
    assert "attackers try first" in response.get_data(as_text=True)


def test_a_common_word_with_a_year_around_it_is_said_to_be_one(client):
    response = register(client, password="Primavera-2026!")
    assert response.status_code == 400
    assert "common word or password with digits or symbols around it" in response.get_data(
        as_text=True
    )


@pytest.mark.parametrize("password", [PASSWORD, "mauve-otter-lantern", "Z7#kq!29vvLp"])
def test_uncommon_passwords_are_accepted(password):
    assert not is_common(password)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 10 characters"),
        ("newbie-account", None),
        ("NewbieAccount", "cannot be your username"),
        ("newbieaccount2024", "cannot be your username"),
    ],
)
def test_password_rules_on_registration(client, password, message):
    response = register(client, username="NewbieAccount", password=password)
    if message is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)


def test_a_name_with_a_space_is_refused_with_a_name_to_take_and_the_passwords_kept(client):
    page = client.get("/register").get_data(as_text=True)
    assert "no spaces" in page  # said before the first try
    refused = register(client, username="Tom Customer")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Tom.Customer" in html
    assert 'value="Tom Customer"' in html
    assert html.count(f'value="{PASSWORD}"') == 2  # password and confirmation kept
    weak = register(client, username="Tom.Customer", password="short")
    assert (
        weak.status_code == 400
        and "short" not in weak.get_data(as_text=True).split('name="password"')[1].split(">")[0]
    )  # a refused password is not sent back
    assert register(client, username="Tom.Customer").status_code == 302


# Logging in: throttled, then locked, without telling whether the account exists


@pytest.fixture
def throttled(app):
    app.config.update(FAST_THROTTLE)
    return app


def test_wrong_password_and_unknown_name_get_the_same_answer(client, make_user):
    make_user("bob")
    known, unknown = log_in(client, "bob", WRONG), log_in(client, "nobody-here", WRONG)
    assert known.status_code == unknown.status_code == 401
    message = "The username or password is not right."
    assert message in known.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_failures_first_slow_down_then_lock_out(throttled, client, make_user):
    throttled.config["LOGIN_DELAY_SECONDS"] = 30.0
    make_user("bob")
    for _ in range(3):
        assert log_in(client, "bob", WRONG).status_code == 401
    waiting = log_in(client, "bob")  # even the right password must wait
    assert waiting.status_code == 429
    # The wait counts down from the last failure, so a slow run may see 29 rather than 30.
    wait = int(waiting.headers["Retry-After"])
    assert 25 <= wait <= 30
    assert f"Wait {wait} seconds" in waiting.get_data(as_text=True)


def test_lockout_is_per_account_and_says_the_same_for_unknown_names(throttled, client, make_user):
    make_user("bob")
    answers = {}
    for name in ("bob", "ghost-account"):
        for _ in range(5):
            log_in(client, name, WRONG)
        locked = log_in(client, name)
        answers[name] = (locked.status_code, locked.get_data(as_text=True))
    assert answers["bob"][0] == answers["ghost-account"][0] == 429
    for _status, html in answers.values():
        assert "logging in is paused for 15 minutes" in html
    assert log_in(client, "bob").status_code == 429


def test_lockout_ends_after_a_while(throttled, client, make_user):
    from datetime import timedelta

    make_user("bob")
    for _ in range(5):
        log_in(client, "bob", WRONG)
    assert log_in(client, "bob").status_code == 429
    for row in db.session.scalars(db.select(LoginFailure)):
        if row.locked_until is not None:
            row.locked_until -= timedelta(minutes=16)
        row.last_failure_at -= timedelta(minutes=16)
    db.session.commit()
    assert log_in(client, "bob").status_code == 302


def test_a_free_try_is_not_refused_when_another_server_counted_a_failure_just_ahead(
    throttled, client, make_user
):
    # Two app servers: the other one's clock runs two seconds ahead (or its failure was
    # counted while this try waited for the counter's lock). A try still within the free
    # ones must reach the password check, not be told to wait.
    from datetime import timedelta

    make_user("bob")
    assert log_in(client, "bob", WRONG).status_code == 401
    for row in db.session.scalars(db.select(LoginFailure)):
        row.last_failure_at += timedelta(seconds=2)
    db.session.commit()
    assert log_in(client, "bob", WRONG).status_code == 401
    assert log_in(client, "bob").status_code == 302


def test_address_lockout_covers_every_account(throttled, client, make_user):
    make_user("bob")
    for number in range(8):
        log_in(client, f"guess{number}", WRONG)
    assert log_in(client, "bob").status_code == 429
    other = throttled.test_client()
    ok = other.post(
        "/login",
        data={"username": "bob", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert ok.status_code == 302


def test_success_forgets_the_account_failures(throttled, client, make_user):
    make_user("bob")
    log_in(client, "bob", WRONG)
    log_in(client, "bob", WRONG)
    assert log_in(client, "bob").status_code == 302
    assert db.session.get(LoginFailure, sessions._keys("bob", "")[0]) is None


# The shipped policy's shape, with waits long enough that no run is fast or slow enough to
# slip past one: three free tries per name, a lockout at 10 per name and 50 per address.
SLOW_THROTTLE = {
    "LOGIN_FREE_FAILURES": 3,
    "LOGIN_DELAY_SECONDS": 60.0,
    "LOGIN_LOCKOUT_FAILURES": 10,
    "LOGIN_IP_LOCKOUT_FAILURES": 50,
}


def test_one_typo_does_not_wait_for_earlier_typos_made_from_the_same_address(
    app, client, make_user
):
    # What a tester did: two wrong names, a good login, then one wrong password. The address
    # (a home, an office) had three failures, but that must not make the next try wait.
    app.config.update(SLOW_THROTTLE)
    make_user("bob")
    assert log_in(client, "bbo", WRONG).status_code == 401
    assert log_in(client, "bob_", WRONG).status_code == 401
    assert log_in(client, "bob").status_code == 302
    client.post("/logout", data={})
    assert log_in(client, "bob", WRONG).status_code == 401
    assert log_in(client, "bob").status_code == 302


def test_an_address_still_makes_a_guessing_script_wait(app, client, make_user):
    # An address gets as large a share of its lockout free as a name does: 3/10 of 50. (Its
    # lockout: test_address_lockout_covers_every_account.)
    app.config.update(SLOW_THROTTLE)
    make_user("bob")
    for number in range(15):
        assert log_in(client, f"guess{number}", WRONG).status_code == 401
    waiting = log_in(client, "bob")  # a name with no failure of its own
    assert waiting.status_code == 429
    assert "Wait" in waiting.get_data(as_text=True) and waiting.headers["Retry-After"]
    elsewhere = {"REMOTE_ADDR": "198.51.100.7"}
    assert log_in(client, "bob", environ_base=elsewhere).status_code == 302


def test_a_throttled_login_shows_the_form_again_with_the_name(throttled, client, make_user):
    throttled.config["LOGIN_DELAY_SECONDS"] = 30.0
    make_user("bob")
    for _ in range(3):
        log_in(client, "bob", WRONG)
    response = log_in(client, "bob")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert 'name="username" value="bob"' in html and 'name="password"' in html
    assert 'role="alert">Too many failed logins. Wait' in html


@pytest.mark.parametrize(
    ("seconds", "locked", "said"),
    [
        (1, False, "Wait 1 second,"),
        (2, False, "Wait 2 seconds,"),
        (30, True, "paused for 1 minute."),
        (60, True, "paused for 1 minute."),
        (61, True, "paused for 2 minutes."),
    ],
)
def test_waits_are_said_in_the_right_plural(app, seconds, locked, said):
    with app.test_request_context("/"):
        assert said in sessions.Throttled(seconds, locked=locked).message


def test_failure_counters_store_no_names_or_addresses(throttled, client):
    log_in(client, "secret-name", WRONG)
    keys = [row.key for row in db.session.scalars(db.select(LoginFailure))]
    assert len(keys) == 2 and all(len(key) == 64 and "secret" not in key for key in keys)


# Sessions: logout really ends one; log out everywhere; password changes


def copy_cookie(app, client):
    """Return a second client carrying the same session cookie (a stolen copy)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def logged_in_as(client) -> str | None:
    response = client.get("/account")
    return None if response.status_code != 200 else "yes"


def test_login_rotates_the_session_and_records_it(app, client, make_user, auth):
    make_user("bob")
    client.get("/login")
    before = client.get_cookie("session")
    auth.login("bob")
    assert client.get_cookie("session").value != (before.value if before else None)
    assert db.session.scalar(db.select(db.func.count(UserSession.id))) == 1


def test_logout_invalidates_a_copied_cookie(app, client, make_user, auth):
    make_user("bob")
    auth.login("bob")
    thief = copy_cookie(app, client)
    assert logged_in_as(thief)
    auth.logout()
    assert not logged_in_as(thief)
    assert thief.get("/account").headers["Location"].startswith("/login")


def test_log_out_everywhere_ends_every_session(app, client, make_user, auth):
    make_user("bob")
    auth.login("bob")
    laptop = app.test_client()
    laptop.post("/login", data={"username": "bob", "password": PASSWORD})
    assert logged_in_as(laptop)
    response = client.post("/account/logout-everywhere", data={})
    assert response.status_code == 302
    assert not logged_in_as(laptop) and not logged_in_as(client)


def test_logout_everywhere_needs_a_post(client, make_user, auth):
    make_user("bob")
    auth.login("bob")
    assert client.get("/account/logout-everywhere").status_code == 405
    assert logged_in_as(client)


def test_change_password_keeps_this_session_and_ends_the_others(app, client, make_user, auth):
    make_user("bob")
    auth.login("bob")
    phone = app.test_client()
    phone.post("/login", data={"username": "bob", "password": PASSWORD})
    new = "a brand new passphrase"
    response = client.post(
        "/account/password", data={"current": PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert logged_in_as(client) and not logged_in_as(phone)
    auth.logout()
    assert auth.login("bob", new).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("not my password", "a brand new passphrase", "current password is not right"),
        (PASSWORD, "password123", "common passwords"),
        (PASSWORD, "tiny", "at least 10 characters"),
    ],
)
def test_change_password_refusals(client, make_user, auth, current, new, message):
    make_user("bob")
    auth.login("bob")
    response = client.post(
        "/account/password", data={"current": current, "password": new, "confirm": new}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_account_page_needs_login(client):
    assert client.get("/account").headers["Location"].startswith("/login")


# Reset links


def test_reset_link_sets_a_password_once_and_ends_sessions(app, client, make_user, auth):
    admin = make_user("root", role=Role.ADMIN)
    bob = make_user("bob")
    other = app.test_client()
    other.post("/login", data={"username": "bob", "password": PASSWORD})
    token = accounts.issue_reset_link(admin, bob)
    assert client.get(f"/reset/{token}").status_code == 200
    new = "quiet lantern morning"
    response = client.post(f"/reset/{token}", data={"password": new, "confirm": new})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not logged_in_as(other)
    assert auth.login("bob", new).status_code == 302
    again = client.post(f"/reset/{token}", data={"password": new, "confirm": new})
    assert again.status_code == 404
    assert "already used" in again.get_data(as_text=True)


def test_reset_link_refuses_weak_passwords_and_stays_usable(client, make_user):
    token = accounts.issue_reset_link(make_user("root", role=Role.ADMIN), make_user("bob"))
    weak = client.post(f"/reset/{token}", data={"password": "1234567890", "confirm": "1234567890"})
    assert weak.status_code == 400 and "common passwords" in weak.get_data(as_text=True)
    assert client.get(f"/reset/{token}").status_code == 200


@pytest.mark.parametrize("token", ["nonsense", "x" * 300, "%E2%80%AE"])
def test_bad_reset_links_are_404_with_a_message(client, token):
    response = client.get(f"/reset/{token}")
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)


def test_addresses_with_nul_are_refused_before_any_lookup(client):
    for url in ("/reset/%00", "/user/%00", "/log?actor=%00", "/wiki/A%00B"):
        response = client.get(url)
        assert response.status_code == 400
        assert "not allowed" in response.get_data(as_text=True)


def test_expired_reset_link_is_refused(client, make_user):
    from datetime import timedelta

    from wiki.safety.models import OneTimeLink

    token = accounts.issue_reset_link(make_user("root", role=Role.ADMIN), make_user("bob"))
    link = db.session.scalar(db.select(OneTimeLink))
    link.expires_at -= timedelta(days=2)
    db.session.commit()
    assert client.get(f"/reset/{token}").status_code == 404


def test_reset_page_sends_no_referrer(client, make_user):
    token = accounts.issue_reset_link(make_user("root", role=Role.ADMIN), make_user("bob"))
    assert client.get(f"/reset/{token}").headers["Referrer-Policy"] == "no-referrer"


# Already logged in


def test_register_tells_a_logged_in_person_who_they_are(client, make_user, auth):
    make_user("bob")
    auth.login("bob")
    response = client.get("/register")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'already logged in as <a href="/user/bob">bob</a>' in html
    assert 'name="confirm"' not in html  # no form to fill in
    assert 'action="/logout"' in html and 'href="/account"' in html


def test_registering_while_logged_in_creates_no_account(client, make_user, auth):
    make_user("bob")
    auth.login("bob")
    response = register(client, "newbie")
    assert response.status_code == 400
    assert "already logged in as" in response.get_data(as_text=True)
    assert people.find_user("newbie") is None
    assert logged_in_as(client)


def test_the_login_page_says_who_is_logged_in_and_another_login_ends_that_session(
    app, client, make_user, auth
):
    make_user("bob")
    make_user("amy")
    auth.login("bob")
    html = client.get("/login").get_data(as_text=True)
    assert 'already logged in as <a href="/user/bob">bob</a>' in html
    assert 'name="password"' in html  # the form stays, to log in as someone else
    bobs = copy_cookie(app, client)
    assert auth.login("amy").status_code == 302
    assert not logged_in_as(bobs)
    assert 'href="/user/amy" class="me"' in client.get("/account").get_data(as_text=True)


# Registration policy


def test_first_account_is_admin_even_when_registration_is_closed(app, client):
    app.config["REGISTER_POLICY"] = "closed"
    assert register(client, "founder").status_code == 302
    assert db.session.scalar(db.select(User)).role == Role.ADMIN


def test_closed_registration(client, make_user):
    save_policy(make_user("root", role=Role.ADMIN), register="closed")
    assert client.get("/register").status_code == 403
    response = register(client)
    assert response.status_code == 403
    assert "Registration is closed" in response.get_data(as_text=True)
    login = client.get("/login").get_data(as_text=True)
    assert "Create account" not in login and 'href="/register' not in login


def test_invite_only_registration(client, make_user):
    admin = make_user("root", role=Role.ADMIN)
    save_policy(admin, register="invite")
    assert register(client).status_code == 403
    token = accounts.create_invite(admin, "for Nora")
    assert client.get(f"/register?invite={token}").status_code == 200
    assert register(client, "nora", url=f"/register?invite={token}").status_code == 302
    assert people.find_user("nora") is not None
    client.post("/logout", data={})
    second = register(client, "mallory", url=f"/register?invite={token}")
    assert second.status_code == 403
    assert people.find_user("mallory") is None


def test_invite_survives_a_refused_password(client, make_user):
    admin = make_user("root", role=Role.ADMIN)
    save_policy(admin, register="invite")
    token = accounts.create_invite(admin, "")
    url = f"/register?invite={token}"
    assert register(client, "nora", password="short", url=url).status_code == 400
    assert register(client, "nora", url=url).status_code == 302
