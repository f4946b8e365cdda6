"""Signing in as a person does it, in Chromium: with a real OpenID Connect provider, linking
it in preferences, verifying an address, resetting a forgotten password, two-factor.

This module serves its own wiki, configured with the test provider and a local SMTP server.
"""

import re
import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import PASSWORD, log_in, make_account, serve, unique
from tests.helpers import smtp_inbox
from tests.oidc.server import CLIENT_ID, CLIENT_SECRET, free_port, running_provider


@pytest.fixture(scope="module")
def inbox():
    with smtp_inbox() as inbox:
        yield inbox


@pytest.fixture(scope="module")
def signin_server(tmp_path_factory, inbox):
    """Serve a wiki whose provider "test" is the local OpenID provider (started after the
    wiki, once the wiki's address, and so its redirect URI, is known)."""
    port = free_port()
    config = {
        "OIDC_TEST_ISSUER": f"http://127.0.0.1:{port}",
        "OIDC_TEST_CLIENT_ID": CLIENT_ID,
        "OIDC_TEST_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_TEST_LABEL": "Test ID",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": inbox.port,
        "RATELIMIT_ENABLED": False,
    }
    with serve(tmp_path_factory.mktemp("signin-live"), **config) as (url, app):
        with running_provider([f"{url}/login/test/callback"], port=port) as provider:
            yield url, app, provider


@pytest.fixture(scope="module")
def live_server(signin_server):
    """Point the browser fixtures at this module's wiki."""
    return signin_server[0]


def at_provider(page, login: str, decision: str = "Allow") -> None:
    """Sign in at the test provider's own pages, then allow (or deny) sharing."""
    page.get_by_label("Login name").fill(login)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=decision).click()


def mail_link(inbox, to: str, path: str) -> str:
    """Wait for the email to this address; return its link to `path`."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in list(inbox.messages):
            found = re.search(rf"(http\S+{path}\S+)", inbox.body(message))
            if message["To"] == to and found:
                return found.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no email to {to}")


def test_a_first_provider_sign_in_asks_for_a_username_and_later_ones_go_straight_in(
    new_page,
):
    login = unique("paula")
    page = new_page()
    page.goto("/login")
    page.get_by_role("button", name="Continue with Test ID").click()
    at_provider(page, login)
    expect(page.get_by_role("heading", name="Create account")).to_be_visible()
    expect(page.get_by_text("You signed in with Test ID as")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value(login)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Welcome, {login}!")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    later = new_page()
    later.goto("/login")
    later.get_by_role("button", name="Continue with Test ID").click()
    at_provider(later, login)
    expect(later.get_by_text("You are logged in with Test ID.")).to_be_visible()
    expect(later.get_by_role("link", name=login, exact=True)).to_be_visible()


def test_denying_consent_at_the_provider_is_a_clear_message(page):
    page.goto("/login")
    page.get_by_role("button", name="Continue with Test ID").click()
    at_provider(page, unique("quinn"), decision="Deny")
    expect(page.get_by_role("alert")).to_contain_text("Signing in with Test ID was cancelled")
    expect(page.get_by_role("link", name="Try Test ID again")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_linking_a_provider_in_preferences_then_unlinking_it(signin_server, page):
    name = make_account(signin_server[1])
    login = unique("rosa")
    log_in(page, name)
    page.goto("/preferences")
    page.get_by_role("link", name="Link Test ID").click()
    at_provider(page, login)
    expect(page.get_by_text("Test ID is linked")).to_be_visible()
    section = page.locator("#sign-ins")
    expect(section).to_contain_text(f"{login}@example.test")
    section.get_by_role("button", name="Unlink Test ID").click()
    expect(page.get_by_text("Test ID is unlinked.")).to_be_visible()
    expect(page.get_by_role("link", name="Link Test ID")).to_be_visible()


def test_an_address_is_verified_and_a_forgotten_password_reset_by_email(
    signin_server, inbox, new_page
):
    name = make_account(signin_server[1])
    address = f"{name}@example.test"
    page = new_page()
    log_in(page, name)
    page.goto("/preferences")
    page.get_by_label("Add an email address").fill(address)
    page.get_by_role("button", name="Add address").click()
    expect(page.get_by_text(f"We sent a link to {address}")).to_be_visible()
    expect(page.locator("#email-addresses")).to_contain_text("not verified")
    page.goto(mail_link(inbox, address, "/verify-email/"))
    page.get_by_role("button", name="Verify address").click()
    expect(page.get_by_text(f"{address} is verified.")).to_be_visible()
    expect(page.locator("#notification-address")).to_contain_text(address)

    visitor = new_page()
    visitor.goto("/login")
    visitor.get_by_role("link", name="Forgot your password?").click()
    visitor.get_by_label("Username or email address").fill(address)
    visitor.get_by_role("button", name="Send reset link").click()
    expect(visitor.get_by_role("status")).to_contain_text("a link to set a new password")
    visitor.goto(mail_link(inbox, address, "/reset/"))
    visitor.get_by_label("New password").fill("a brand new pass phrase")
    visitor.get_by_label("Confirm password").fill("a brand new pass phrase")
    visitor.get_by_role("button", name="Set password").click()
    visitor.get_by_label("Username").fill(name)
    visitor.get_by_label("Password").fill("a brand new pass phrase")
    visitor.get_by_role("button", name="Log in").click()
    expect(visitor.get_by_role("button", name="Log out")).to_be_visible()


def test_two_factor_set_up_with_the_qr_code_then_asked_for_at_login(signin_server, new_page):
    name = make_account(signin_server[1])
    page = new_page()
    log_in(page, name)
    page.goto("/preferences")
    page.get_by_role("link", name="Set up two-factor authentication").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.get_by_text("Cannot scan? Type this key instead").click()
    totp = pyotp.TOTP(page.locator("#totp-secret").inner_text().strip())
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download them as a text file").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8").split()
    assert codes.all_inner_texts() == saved[-10:] and name in saved
    page.get_by_role("link", name="I have saved them").click()
    expect(page.locator("#two-factor")).to_contain_text("Logging in asks for a code")

    later = new_page()
    later.goto("/login")
    later.get_by_label("Username").fill(name)
    later.get_by_label("Password").fill(PASSWORD)
    later.get_by_role("button", name="Log in").click()
    later.get_by_label("Code").fill("000000")
    later.get_by_role("button", name="Verify").click()
    expect(later.get_by_role("alert")).to_contain_text("The code is not right")
    later.get_by_label("Code").fill(totp.at(time.time() + 30))
    later.get_by_role("button", name="Verify").click()
    expect(later.get_by_role("button", name="Log out")).to_be_visible()
