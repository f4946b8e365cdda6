"""Email addresses (verified by signed links), forgot password, and two-factor
authentication: through the real forms, with a real SMTP server."""

import re
from datetime import timedelta

import pyotp
from sqlalchemy import select

from tests.helpers import PASSWORD, code, log_in, text, turn_on
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.models import utcnow
from wiki.safety.models import OneTimeLink
from wiki.signin.models import EmailAddress, RecoveryCode, TwoFactor


def link_in(inbox, message, path: str) -> str:
    """Return the path of the first link to `path` in an email."""
    url = re.search(rf"http://localhost({path}\S+)", inbox.body(message))
    assert url, inbox.body(message)
    return url.group(1)


def add_address(client, address: str):
    return client.post("/preferences/emails", data={"new_email": address})


def verified(user_id: int) -> list[str]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(EmailAddress).where(
            EmailAddress.user_id == user_id, EmailAddress.verified_at.is_not(None)
        )
    )
    return [row.address for row in rows]


# Email addresses


def test_an_address_is_verified_by_the_link_sent_to_it(client, auth, people, inbox):
    bob = people["bob"]
    auth.login(bob)
    assert add_address(client, "Bob@Example.test").status_code == 302
    [message] = inbox.wait_for(1)
    assert message["To"] == "Bob@Example.test"
    assert message["List-Unsubscribe"] is None  # about the account, not a notification
    path = link_in(inbox, message, "/verify-email/")
    assert verified(bob.id) == []
    page = client.get(path)
    assert page.status_code == 200 and "Verify address" in text(page)
    assert verified(bob.id) == []  # a link checker's GET verifies nothing
    assert client.post(path, data={}).status_code == 302
    assert verified(bob.id) == ["Bob@Example.test"]
    preferences = text(client.get("/preferences"))
    assert "Email goes to Bob@Example.test." in preferences


def test_a_bad_or_repeated_address_is_refused_with_what_was_typed(client, auth, people, inbox):
    auth.login(people["bob"])
    refused = add_address(client, "not an address")
    assert refused.status_code == 400
    assert "does not look like an email address" in text(refused)
    assert 'value="not an address"' in text(refused)
    add_address(client, "bob@example.test")
    again = add_address(client, "BOB@example.test")
    assert again.status_code == 409 and "already added" in text(again)


def test_an_address_verified_by_another_account_cannot_be_taken(app, client, auth, people, inbox):
    auth.login(people["bob"])
    add_address(client, "shared@example.test")
    bobs_link = link_in(inbox, inbox.wait_for(1)[0], "/verify-email/")
    alice = app.test_client()
    log_in(alice, people["alice"].username)
    add_address(alice, "shared@example.test")
    alices_link = link_in(inbox, inbox.wait_for(2)[1], "/verify-email/")
    assert alice.post(alices_link, data={}).status_code == 302
    refused = client.post(bobs_link, data={})
    assert refused.status_code == 409 and "Another account already verified" in text(refused)
    assert verified(people["bob"].id) == []


def test_a_link_for_a_removed_address_or_a_damaged_one_does_not_work(client, auth, people, inbox):
    auth.login(people["bob"])
    add_address(client, "bob@example.test")
    path = link_in(inbox, inbox.wait_for(1)[0], "/verify-email/")
    assert client.get(path[:-4] + "abcd").status_code == 404
    [row] = db.session.scalars(select(EmailAddress)).all()
    assert client.post(f"/preferences/emails/{row.id}/remove", data={}).status_code == 302
    answer = client.get(path)
    assert answer.status_code == 404 and "does not work" in text(answer)


def test_notifications_move_when_their_address_is_removed(client, auth, people, inbox):
    bob = people["bob"]
    auth.login(bob)
    for number, address in enumerate(["one@example.test", "two@example.test"], start=1):
        add_address(client, address)
        client.post(link_in(inbox, inbox.wait_for(number)[-1], "/verify-email/"), data={})
    first, second = db.session.scalars(select(EmailAddress).order_by(EmailAddress.id)).all()
    assert "Email goes to one@example.test." in text(client.get("/preferences"))
    client.post(f"/preferences/emails/{second.id}/notify", data={})
    assert "Email goes to two@example.test." in text(client.get("/preferences"))
    client.post(f"/preferences/emails/{second.id}/remove", data={})
    assert "Email goes to one@example.test." in text(client.get("/preferences"))
    client.post(f"/preferences/emails/{first.id}/remove", data={})
    assert "No email is sent" in text(client.get("/preferences"))


def test_someone_elses_address_cannot_be_touched(app, client, auth, people, inbox):
    name = people["alice"].username  # made before the email job may write meanwhile
    auth.login(people["bob"])
    add_address(client, "bob@example.test")
    [row] = db.session.scalars(select(EmailAddress)).all()
    db.session.commit()
    alice = app.test_client()
    log_in(alice, name)
    for action in ("remove", "notify", "resend"):
        assert alice.post(f"/preferences/emails/{row.id}/{action}", data={}).status_code == 404
    assert alice.post(f"/preferences/emails/{row.id}/explode", data={}).status_code == 404


def test_with_email_off_addresses_cannot_be_added(client, auth, people):
    auth.login(people["bob"])
    assert "Email is off on this wiki" in text(client.get("/preferences"))
    refused = add_address(client, "bob@example.test")
    assert refused.status_code == 400 and "Email is off" in text(refused)


def test_with_email_off_the_pages_say_so_once_and_ask_for_no_address(client, auth, people):
    auth.login(people["bob"])
    page = text(client.get("/preferences"))
    assert "Email is off on this wiki" in page
    assert "No email is sent:" not in page and "to get email" not in page
    form = text(client.get("/preferences/emails"))
    assert "Email is off on this wiki" in form and 'name="new_email"' not in form
    sent = client.post("/preferences/emails", data={"new_email": "bob@example.com"})
    assert sent.status_code == 400 and "Email is off" in text(sent)


def test_with_email_off_preferences_offer_no_email_choices_and_keep_the_ones_made(
    client, auth, people
):
    auth.login(people["bob"])
    chosen = {"email_edit": "immediate", "email_reply": "digest", "display_name": "Bob"}
    assert client.post("/preferences", data=chosen).status_code == 302
    page = text(client.get("/preferences"))
    assert 'type="radio" name="email_edit"' not in page  # nothing to choose while email is off
    # Saving the form as the browser sends it (other preferences changed) keeps the choices.
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert (
        client.post("/preferences", data={**fields, "display_name": "Bob B."}).status_code == 302
    )
    from wiki.community.credits.profiles import profile_of

    profile = profile_of(people["bob"])
    assert (profile.display_name, profile.email_edit, profile.email_reply) == (
        "Bob B.",
        "immediate",
        "digest",
    )


def test_with_email_on_the_pages_ask_for_an_address(client, auth, people, inbox):
    auth.login(people["bob"])
    page = text(client.get("/preferences"))
    assert "Email is off" not in page
    assert "No email is sent: add and verify an address below to get email." in page
    form = text(client.get("/preferences/emails"))
    assert "Email is off" not in form and 'name="new_email"' in form


# Forgot password


def give_address(user, address: str) -> None:
    from wiki.signin import emails

    with write_transaction() as session:
        emails.add_verified(session, user.id, address)


def test_forgot_password_sends_a_one_time_link_that_sets_a_new_one(client, people, inbox, app):
    give_address(people["bob"], "bob@example.test")
    page = client.post("/forgot-password", data={"identifier": "BOB"})
    assert page.status_code == 200
    [message] = inbox.wait_for(1)
    assert message["To"] == "bob@example.test"
    path = link_in(inbox, message, "/reset/")
    new = {"password": "another long pass phrase", "confirm": "another long pass phrase"}
    assert client.post(path, data=new).status_code == 302
    assert log_in(client, "bob", new["password"]).status_code == 302
    assert client.get(path).status_code == 404  # once only


def test_emailed_links_use_the_site_address_whatever_host_the_request_named(
    client, people, inbox, app
):
    app.config["SITE_URL"] = "https://wiki.example.test"
    # The forger's form and token come from their host (the test client keeps cookies per
    # host): what is checked here is where the emailed link points.
    app.config["WTF_CSRF_ENABLED"] = False
    give_address(people["bob"], "bob@example.test")
    forged = {"Host": "attacker.test"}
    sent = client.post("/forgot-password", data={"identifier": "bob"}, headers=forged)
    assert sent.status_code == 200, sent.get_data(as_text=True)[:3000]
    [message] = inbox.wait_for(1)
    body = inbox.body(message)
    assert "https://wiki.example.test/reset/" in body and "attacker.test" not in body


def test_forgot_password_answers_the_same_whoever_is_asked_about(app, client, people, inbox):
    app.config.update(LOGIN_FREE_FAILURES=100)
    give_address(people["bob"], "bob@example.test")
    people["carol"]  # an account with no verified address
    answers = []
    for identifier in ("bob", "bob@example.test", "carol", "nobody", "nobody@example.test"):
        answer = client.post("/forgot-password", data={"identifier": identifier})
        assert answer.status_code == 200
        answers.append(re.sub(r'value="[^"]*"', "", text(answer)))
    assert len(set(answers)) == 1
    assert {message["To"] for message in inbox.wait_for(2)} == {"bob@example.test"}
    assert len(inbox.wait_for(3, timeout=0.5)) == 2


def test_a_reset_link_expires(client, people, inbox):
    give_address(people["bob"], "bob@example.test")
    client.post("/forgot-password", data={"identifier": "bob"})
    path = link_in(inbox, inbox.wait_for(1)[0], "/reset/")
    with write_transaction() as session:
        for link in session.scalars(select(OneTimeLink)):
            link.expires_at = utcnow() - timedelta(seconds=1)
    assert client.get(path).status_code == 404


def test_reset_requests_are_throttled_like_logins(app, client, people, inbox):
    app.config.update(LOGIN_FREE_FAILURES=2, LOGIN_DELAY_SECONDS=60)
    give_address(people["bob"], "bob@example.test")

    def ask(name: str, address: str = "127.0.0.1"):
        data = {"identifier": name}
        return client.post("/forgot-password", data=data, environ_base={"REMOTE_ADDR": address})

    assert [ask("bob").status_code for _ in range(3)] == [200, 200, 429]
    # Other names from the same address are slowed too, once the address has used its share
    # (as large a share of its lockout as a name's: 2/10 of 50); from elsewhere, they are not.
    assert [ask(f"nobody{number}").status_code for number in range(8)] == [200] * 8
    assert ask("nobody").status_code == 429
    assert [ask("nobody", "127.0.0.2").status_code for _ in range(3)] == [200, 200, 429]
    refused = ask("bob", "127.0.0.3")
    assert "Too many failed logins" in text(refused) and refused.headers["Retry-After"]
    # Reset requests are no failed logins: bob still logs in at once.
    assert log_in(client, "bob").status_code == 302
    assert len(inbox.wait_for(3, timeout=0.5)) == 2


# Two-factor authentication


def test_two_factor_is_set_up_with_a_qr_code_and_asked_for_at_login(app, client, auth, people):
    bob = people["bob"]
    auth.login(bob)
    page = text(client.get("/preferences/two-factor"))
    assert 'class="qr-code"' in page and "otpauth://" not in page.split("<svg")[0][-200:]
    wrong = client.post("/preferences/two-factor", data={"code": "000000"})
    assert wrong.status_code == 401 and "The code is not right" in text(wrong)
    codes = turn_on(client, bob)
    assert len(codes) == 10 == len(set(codes))
    assert "Two-factor authentication" in text(client.get("/preferences"))
    other = app.test_client()
    answer = log_in(other, "bob")
    assert answer.status_code == 302 and answer.headers["Location"] == "/two-factor"
    assert "Log out" not in text(other.get("/recent"))  # not logged in yet
    refused = other.post("/two-factor", data={"code": "123456"})
    assert refused.status_code == 401
    assert other.post("/two-factor", data={"code": code(bob, 1)}).status_code == 302
    assert "Log out" in text(other.get("/recent"))


def test_a_login_as_someone_else_ends_the_current_one_only_when_its_code_is_right(
    app, client, auth, people, login_as
):
    bob, amy = people["bob"], people["amy"]
    turn_on(login_as(bob), bob)
    auth.login(amy)
    copy = app.test_client()  # amy's session, as another tab of hers sends it
    copy.set_cookie("session", client.get_cookie("session").value)
    assert log_in(client, "bob").headers["Location"] == "/two-factor"
    # Given up at the code: amy is still logged in, here and in her other tab.
    assert 'href="/user/amy" class="me"' in text(client.get("/account"))
    assert copy.get("/account").status_code == 200
    assert client.post("/two-factor", data={"code": "123456"}).status_code == 401
    assert 'href="/user/amy" class="me"' in text(client.get("/account"))
    # The right code: bob is logged in, and amy's session is over everywhere.
    assert client.post("/two-factor", data={"code": code(bob, 1)}).status_code == 302
    assert 'href="/user/bob" class="me"' in text(client.get("/account"))
    assert copy.get("/account").status_code != 200


def test_a_code_works_once_and_a_recovery_code_once(app, client, auth, people):
    bob = people["bob"]
    auth.login(bob)
    codes = turn_on(client, bob)  # used the code of this step
    again = app.test_client()
    log_in(again, "bob")
    replayed = again.post("/two-factor", data={"code": code(bob)})
    assert replayed.status_code == 401 and "already used" in text(replayed)
    assert again.post("/two-factor", data={"code": codes[0].upper()}).status_code == 302
    third = app.test_client()
    log_in(third, "bob")
    assert third.post("/two-factor", data={"code": codes[0]}).status_code == 401
    assert third.post("/two-factor", data={"code": codes[1].replace("-", " ")}).status_code == 302
    used = db.session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None)))
    assert len(used.all()) == 2


def test_codes_are_throttled_like_passwords(app, client, auth, people):
    app.config.update(LOGIN_FREE_FAILURES=2, LOGIN_DELAY_SECONDS=60)
    bob = people["bob"]
    auth.login(bob)
    turn_on(client, bob)
    other = app.test_client()
    log_in(other, "bob")
    statuses = [other.post("/two-factor", data={"code": "000000"}).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    refused = other.post("/two-factor", data={"code": code(bob, 1)})
    assert refused.status_code == 429 and refused.headers["Retry-After"]


def test_turning_off_and_new_codes_need_a_code(client, auth, people):
    bob = people["bob"]
    auth.login(bob)
    old = turn_on(client, bob)
    refused = client.post("/preferences/two-factor/off", data={"code": "000000"})
    assert refused.status_code == 401 and "The code is not right" in text(refused)
    renewed = client.post("/preferences/two-factor/codes", data={"code": old[0]})
    new = re.findall(r"<li><code>([a-z2-9-]{11})</code></li>", text(renewed))
    assert len(new) == 10 and not set(new) & set(old)
    assert client.post("/preferences/two-factor/off", data={"code": old[1]}).status_code == 401
    assert client.post("/preferences/two-factor/off", data={"code": new[0]}).status_code == 302
    assert db.session.get(TwoFactor, bob.id) is None
    assert "Set up two-factor authentication" in text(client.get("/preferences"))


def test_staff_must_set_up_two_factor_when_the_policy_says_so(app, client, people):
    from wiki.access.policy import save_policy

    admin, mod, _ = people["admin"], people["mod"], people["bob"]
    save_policy(admin, two_factor="staff")
    editor = app.test_client()
    assert log_in(editor, "bob").headers["Location"] == "/"  # editors are not asked
    answer = log_in(client, "mod")
    assert answer.headers["Location"] == "/two-factor"
    page = text(client.get("/two-factor"))
    assert "must use an authenticator app" in page and "<svg" in page
    assert client.post("/two-factor", data={"code": "000000"}).status_code == 401
    done = client.post("/two-factor", data={"code": code(mod)})
    assert done.status_code == 200 and "Your recovery codes" in text(done)
    assert "Log out" in text(client.get("/recent"))
    refused = client.post("/preferences/two-factor/off", data={"code": code(mod, 1)})
    assert refused.status_code == 403 and "must use two-factor" in text(refused)


def test_a_login_waiting_for_its_code_does_not_outlive_the_step(app, client, people):
    from wiki.signin import views

    bob = people["bob"]
    with write_transaction() as session:
        session.add(TwoFactor(user_id=bob.id, secret=pyotp.random_base32(), confirmed_at=utcnow()))
    log_in(client, "bob")
    with client.session_transaction() as session:
        pending = session[views.PENDING]
        session[views.PENDING] = {**pending, "at": pending["at"] - views.STEP_SECONDS - 1}
    answer = client.post("/two-factor", data={"code": code(bob)})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    assert PASSWORD  # the password alone never logged bob in
    assert "Log out" not in text(client.get("/recent"))


def test_with_email_off_forgot_password_promises_no_email(client, people, app):
    assert not app.config.get("MAIL_SERVER")
    page = text(client.get("/forgot-password"))
    assert "ask an administrator for a link" in page and 'name="identifier"' not in page
    answer = text(client.post("/forgot-password", data={"identifier": "bob"}))
    assert "is on its way" not in answer and "ask an administrator for a link" in answer


def test_with_email_off_forgot_password_names_the_administrators_to_ask(client, people):
    from wiki.access.policy import save_policy

    people["zoe"], people["bob"]  # editors are not named
    admins = [people["root"], people["admin"]]
    page = text(client.get("/forgot-password"))
    assert "Administrators of this wiki:" in page
    for admin in admins:
        assert f'href="/user/{admin.username}">{admin.username}</a>' in page
    assert 'href="/user/zoe"' not in page and 'href="/user/bob"' not in page
    assert "and others" not in page
    # A wiki only members may read keeps its members' names from visitors.
    save_policy(admins[0], read="users")
    assert "Administrators of this wiki" not in text(client.get("/forgot-password"))


def test_with_email_off_many_administrators_are_named_with_and_others(client, make_user):
    from wiki.models import Role

    for number in range(7):
        make_user(f"boss{number}", role=Role.ADMIN)
    page = text(client.get("/forgot-password"))
    assert page.count('class="user" href="/user/boss') == 5 and "and others" in page
