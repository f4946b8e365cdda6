"""A week before a personal access token expires its owner gets one email saying so."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.helpers import finish_jobs
from wiki.api import expiry
from wiki.api.models import ApiToken
from wiki.api.tokens import create_token, revoke_token
from wiki.community.models import OutgoingEmail
from wiki.database import write_transaction
from wiki.extensions import db
from wiki.models import utcnow
from wiki.signin import emails


@pytest.fixture(autouse=True)
def site_address(app):
    """Give the wiki its address: warnings link to it (and requests look only then)."""
    app.config["SITE_URL"] = "http://wiki.bottega.test/"


def with_address(user, address: str) -> None:
    with write_transaction() as session:
        emails.add_verified(session, user.id, address)


def expiring_in(token: ApiToken, delta: timedelta) -> None:
    """Let time pass for a token until it expires in delta (made as long before as it was
    made to last)."""
    with write_transaction() as session:
        row = session.get(ApiToken, token.id)
        lasts = row.expires_at - row.created_at
        row.expires_at = utcnow() + delta
        row.created_at = row.expires_at - lasts


def test_the_owner_is_told_once_a_week_before(app, inbox, people):
    bob = people["bob"]
    with_address(bob, "bob@example.test")
    soon, _ = create_token(bob, "CMS sync", ["edit"], days=30)
    later, _ = create_token(bob, "Newsletter", ["read"], days=30)
    forever, _ = create_token(bob, "Backup", ["read"], days=None)
    revoked, _ = create_token(bob, "Old script", ["read"], days=30)
    expiring_in(soon, timedelta(days=6, hours=23))
    expiring_in(later, timedelta(days=7, hours=1))
    expiring_in(revoked, timedelta(days=2))
    revoke_token(bob, revoked.id)
    assert expiry.warn_expiring() == 1
    assert expiry.warn_expiring() == 0  # once per token
    finish_jobs(app)
    [message] = inbox.wait_for(1)
    assert message["To"] == "bob@example.test"
    assert message["Subject"] == "Your token “CMS sync” on Bottega expires soon"
    body = inbox.body(message)
    assert "“CMS sync” on Bottega expires on" in body
    assert "http://wiki.bottega.test/preferences/tokens" in body
    assert "Newsletter" not in body and "Backup" not in body
    # The next token to come within the week is told about in its turn.
    expiring_in(later, timedelta(days=5))
    assert expiry.warn_expiring() == 1
    assert forever.expires_at is None


def test_a_token_made_for_a_week_is_told_about_a_day_before(app, inbox, people):
    erin = people["erin"]
    with_address(erin, "erin@example.test")
    token, _ = create_token(erin, "Demo", ["read"], days=7)
    assert expiry.warn_expiring() == 0  # "expires soon" on the day it is made would puzzle
    expiring_in(token, timedelta(hours=23))
    assert expiry.warn_expiring() == 1


def test_with_email_off_no_token_is_marked_told(app, people):
    frank = people["frank"]
    with_address(frank, "frank@example.test")
    token, _ = create_token(frank, "Nightly", ["read"], days=30)
    expiring_in(token, timedelta(days=3))
    result = app.test_cli_runner().invoke(args=["tokens-warn"])
    assert "0 warning" in result.output
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).expiry_warned_at is None


@pytest.mark.engine("postgres")  # SQLite lets one writer at a time look: no race there
def test_two_app_servers_looking_at_once_send_one_email(app, other, inbox, people, monkeypatch):
    grace = people["grace"]
    with_address(grace, "grace@example.test")
    token, _ = create_token(grace, "Sync", ["read"], days=30)
    expiring_in(token, timedelta(days=2))
    other.config.update({key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT")})
    deciding = expiry._notice

    def meanwhile(candidate):
        """While this server decides, the other one looks too, and tells grace."""
        monkeypatch.setattr(expiry, "_notice", deciding)
        with other.app_context():
            assert expiry.warn_expiring() == 1
        return deciding(candidate)

    monkeypatch.setattr(expiry, "_notice", meanwhile)
    assert expiry.warn_expiring() == 0  # it found the token already claimed
    db.session.commit()
    assert [row.recipient for row in db.session.scalars(select(OutgoingEmail))] == [
        "grace@example.test"
    ]


def test_the_email_is_in_the_owners_language(app, inbox, people):
    from wiki.i18n import preferences as language

    giulia = people["giulia"]
    with_address(giulia, "giulia@example.test")
    language.save(giulia, "it", "Europe/Rome")
    token, _ = create_token(giulia, "Sincronizzazione", ["read"], days=30)
    expiring_in(token, timedelta(days=6))
    assert expiry.warn_expiring() == 1
    finish_jobs(app)
    [message] = inbox.wait_for(1)
    assert "Sincronizzazione" in message["Subject"] and "scade" in message["Subject"]
    assert "scade il" in inbox.body(message)


def test_without_a_verified_address_nothing_is_sent_and_nothing_is_asked_again(app, inbox, people):
    token, _ = create_token(people["carol"], "Script", ["read"], days=30)
    expiring_in(token, timedelta(days=6))
    assert expiry.warn_expiring() == 0
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).expiry_warned_at is not None


def test_requests_look_for_expiring_tokens_now_and_then(app, inbox, people, client):
    dave = people["dave"]
    with_address(dave, "dave@example.test")
    reports, _ = create_token(dave, "Reports", ["read"], days=30)
    expiring_in(reports, timedelta(days=6))
    app.extensions["token_expiry_throttle"].next_check = 0.0
    # Links go to the site's address, whatever Host the request that looked named.
    assert client.get("/search", headers={"Host": "evil.test"}).status_code == 200
    finish_jobs(app)
    [message] = inbox.wait_for(1)
    assert message["To"] == "dave@example.test" and "Reports" in message["Subject"]
    body = inbox.body(message)
    assert "http://wiki.bottega.test/preferences/tokens" in body and "evil.test" not in body
    charts, _ = create_token(dave, "Charts", ["read"], days=30)
    expiring_in(charts, timedelta(days=6))
    assert client.get("/search").status_code == 200  # within the hour: not looked again
    finish_jobs(app)
    assert len(inbox.wait_for(2, timeout=0.5)) == 1
    result = app.test_cli_runner().invoke(args=["tokens-warn"])
    assert "1 warning" in result.output
