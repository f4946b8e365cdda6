"""Email through a real local SMTP server: immediate, digests, unsubscribing, email off."""

import re

import pytest
from sqlalchemy import func, select

from tests.helpers import finish_jobs, save, smtp_inbox, start_topic
from wiki.community.models import OutgoingEmail, UserProfile
from wiki.community.watch import mail, preferences
from wiki.extensions import db


@pytest.fixture
def smtp_server(app):
    """Run a real SMTP server (aiosmtpd) on 127.0.0.1; yield its inbox."""
    with smtp_inbox(app) as inbox:
        yield inbox


@pytest.fixture
def mail_app(app, smtp_server):
    """Return the app configured to send email to the local SMTP server."""
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_FROM="wiki@bottega.test",
        SITE_URL="http://wiki.bottega.test/",
    )
    return app


def choose(user, email="bob@example.test", **delivery):
    """Give a person a verified address (notifications go there) and these choices (the
    rest: no email)."""
    from wiki.database import write_transaction
    from wiki.signin import emails

    with write_transaction() as session:
        emails.add_verified(session, user.id, email)
    preferences.save(user, preferences.Choices("", "", True, delivery))


def outbox() -> list[OutgoingEmail]:
    return list(db.session.scalars(select(OutgoingEmail).order_by(OutgoingEmail.id)))


def test_an_immediate_email_is_sent_by_a_job_after_the_request_that_caused_it(
    mail_app, smtp_server, client, auth, people, make_page
):
    bob = people["bob"]
    choose(bob, reply="immediate", mention="immediate")
    make_page("Spring Campaign", "v0", author=people["alice"])
    opening = start_topic("Spring Campaign", "Tone", "Too formal?", bob)
    auth.login(people["alice"])
    response = client.post(
        f"/talk/Spring_Campaign/{opening.topic_id}/reply",
        data={"body": "Not at all.", "parent": str(opening.id), "action": "save"},
    )
    assert response.status_code == 302
    finish_jobs(mail_app)
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "bob@example.test"
    assert message["From"] == "Bottega <wiki@bottega.test>"
    assert message["Subject"] == "alice replied to you in “Tone” on Spring Campaign"
    body = smtp_server.body(message)
    # Links go to the site's address (SITE_URL), not to whichever host the request named.
    assert "Not at all." in body and "http://wiki.bottega.test/comment/" in body
    unsubscribe = re.search(r"Stop these emails \(no login needed\): (\S+)", body).group(1)
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
    # As sent, not only as a parser decodes it: mail providers read the link as it is.
    raw = dict(message.raw_items())["List-Unsubscribe"]
    assert "".join(raw.split()) == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [row.sent_at is not None for row in outbox()] == [True]


def test_choices_per_kind_decide_what_is_mailed(mail_app, smtp_server, people, make_page, app):
    bob, alice = people["bob"], people["alice"]
    choose(bob, edit="none", topic="immediate", mention="digest")
    make_page("Spring Campaign", "v0", author=bob)
    save("Spring Campaign", "v1", alice)  # edit: none
    start_topic("Spring Campaign", "Colours", "Green?", alice)  # topic: immediate
    start_topic("Spring Campaign", "Fonts", "Serif, @bob?", alice)  # mention: digest
    with app.test_request_context():
        assert mail.deliver() == 1
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "alice started the topic “Colours” about Spring Campaign"


def test_a_run_of_edits_sends_one_email_until_it_is_read(
    mail_app, smtp_server, people, make_page, app
):
    bob, alice = people["bob"], people["alice"]
    choose(bob, edit="immediate")
    make_page("Spring Campaign", "v0", author=bob)
    for n in range(1, 4):
        save("Spring Campaign", f"v{n}", alice)
    assert len(outbox()) == 1
    with app.test_request_context():
        mail.deliver()
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "alice edited Spring Campaign — 3 edits"
    assert "/diff/Spring_Campaign?from=" in smtp_server.body(message)


def test_an_edit_email_says_what_the_editor_wrote_about_the_change(
    mail_app, smtp_server, people, make_page, app
):
    bob, alice = people["bob"], people["alice"]
    choose(bob, edit="immediate")
    make_page("Spring Campaign", "v0", author=bob)
    save("Spring Campaign", "v1", alice, summary="Shorter headline for the <launch>")
    with app.test_request_context():
        mail.deliver()
    [message] = smtp_server.wait_for(1)
    body = smtp_server.body(message).replace("\r\n", "\n")
    assert "alice edited Spring Campaign:\n\n  Shorter headline for the <launch>" in body


def test_an_edit_email_gives_a_summary_the_wiki_wrote_in_the_recipients_language(
    mail_app, smtp_server, people, make_page, app
):
    from wiki.history.service import restore
    from wiki.i18n import preferences as language

    bob, alice = people["bob"], people["alice"]
    choose(bob, edit="immediate")
    language.save(bob, "it", "Europe/Rome")
    first = save("Spring Campaign", "v0", bob).revision
    page = save("Spring Campaign", "v1", bob).page
    with app.test_request_context():
        restore(page, first, alice)
        mail.deliver()
    [message] = smtp_server.wait_for(1)
    assert f"alice ha ripristinato la versione {first.id}" in smtp_server.body(message)


def test_nothing_is_mailed_about_a_change_that_rolled_back_or_was_hidden(
    mail_app, smtp_server, people, make_page, make_user, app
):
    from wiki.models import Role
    from wiki.talk import moderation

    bob, alice = people["bob"], people["alice"]
    mona = make_user("mona", role=Role.MODERATOR)
    choose(bob, topic="immediate")
    make_page("Spring Campaign", "v0", author=bob)
    opening = start_topic("Spring Campaign", "Spam", "Buy now", alice)
    moderation.hide_comment(opening.id, "spam", moderator=mona)
    with app.test_request_context():
        assert mail.deliver() == 0
    assert smtp_server.wait_for(1, timeout=0.3) == []
    assert outbox()[0].error == "nothing to send"


def test_a_failing_mail_server_never_fails_the_change_and_is_retried(
    mail_app, smtp_server, client, auth, people, make_page, app
):
    bob = people["bob"]
    choose(bob, topic="immediate")
    make_page("Spring Campaign", "v0", author=bob)
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there
    auth.login(people["alice"])
    response = client.post(
        "/talk/Spring_Campaign", data={"subject": "Colours", "body": "Green?", "action": "save"}
    )
    assert response.status_code == 302
    finish_jobs(app)
    [row] = outbox()
    assert row.sent_at is None and row.claimed_at is None and row.error
    app.config["MAIL_PORT"] = port
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-mail"])
    assert "Sent 1 email(s)." in result.output
    assert len(smtp_server.wait_for(1)) == 1


def test_the_daily_digest_collects_new_notifications_once(
    mail_app, smtp_server, people, make_page, app
):
    bob, alice = people["bob"], people["alice"]
    make_page("Spring Campaign", "v0", author=bob)
    save("Spring Campaign", "v1", alice)  # before Bob gave an address: not in his digest
    choose(bob, edit="digest", topic="digest", mention="none")
    save("Spring Campaign", "v2", alice)
    save("Spring Campaign", "v3", alice)
    start_topic("Spring Campaign", "Colours", "Green?", alice)
    runner = app.test_cli_runner()
    assert "Sent 1 digest(s)." in runner.invoke(args=["send-digests"]).output
    [message] = smtp_server.wait_for(1)
    body = smtp_server.body(message)
    assert message["Subject"] == "Your daily summary from Bottega"
    assert "* alice started the topic “Colours” about Spring Campaign" in body
    assert "* alice edited Spring Campaign — 3 edits" in body
    assert "http://wiki.bottega.test/" in body  # SITE_URL: no request to take it from
    assert "Sent 0 digest(s)." in runner.invoke(args=["send-digests"]).output


def test_the_unsubscribe_link_works_without_logging_in(
    mail_app, smtp_server, client, people, make_page, app
):
    bob = people["bob"]
    choose(bob, edit="digest", topic="immediate", reply="immediate")
    with app.test_request_context():
        url = mail.unsubscribe_url(bob.id, "topic")
    path = url.removeprefix("http://localhost")
    page = client.get(path).get_data(as_text=True)
    assert "Stop sending emails about new topics on pages you watch to bob?" in page
    assert client.post(path, data={"csrf_token": ""}).status_code == 200
    from wiki.community.credits.profiles import profile_of

    profile = db.session.get(type(profile_of(bob)), bob.id)
    db.session.refresh(profile)
    assert (profile.email_topic, profile.email_reply, profile.email_edit) == (
        "none",
        "immediate",
        "digest",
    )
    with app.test_request_context():
        everything = mail.unsubscribe_url(bob.id, "all").removeprefix("http://localhost")
    client.post(everything)  # one-click, as a mail client does it: no session, no token
    db.session.refresh(profile)
    assert {profile.delivery(kind) for kind in ("edit", "reply", "mention")} == {"none"}
    assert client.get(path[:-3] + "xyz").status_code == 404


def test_with_no_mail_server_the_site_works_and_says_email_is_off(
    app, client, auth, people, make_page
):
    assert not app.config.get("MAIL_SERVER")
    bob = people["bob"]
    choose(bob, topic="immediate")
    make_page("Spring Campaign", "v0", author=bob)
    start_topic("Spring Campaign", "Colours", "Green?", people["alice"])
    assert db.session.scalar(select(func.count(OutgoingEmail.id))) == 0
    auth.login(people["bob"])
    assert "Email is off on this wiki" in client.get("/preferences").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code != 0 and "Email is off" in result.output


def test_preferences_are_saved_and_checked(client, auth, people):
    auth.login(people["bob"])
    form = {
        "display_name": "Bob B." * 50,
        "bio": "Hi",
        "email_edit": "immediate",
        "email_topic": "sometimes",
    }
    response = client.post("/preferences", data=form)
    assert response.status_code == 400
    assert "The display name is too long" in response.get_data(as_text=True)
    form["display_name"] = "Bob B."
    assert client.post("/preferences", data=form).status_code == 302
    from wiki.community.credits.profiles import profile_of

    profile = profile_of(people["bob"])
    assert (profile.display_name, profile.email, profile.auto_watch) == ("Bob B.", "", False)
    assert (profile.email_edit, profile.email_topic) == ("immediate", "none")


def test_notifications_go_only_to_a_verified_address(mail_app, client, auth, people):
    """The preferences form has no address field any more: a typed address is ignored, and
    notifications go to an address the person verified (wiki/signin/emails.py). (With email
    off, the page says only that.)"""
    auth.login(people["bob"])
    form = {"display_name": "Bob", "email": "someone.else@example.test"}
    assert client.post("/preferences", data=form).status_code == 302
    from wiki.community.credits.profiles import profile_of

    assert profile_of(people["bob"]).email == ""
    choose(people["bob"], "bob@example.test")
    db.session.expire_all()
    assert profile_of(people["bob"]).email == "bob@example.test"
    assert "Email goes to bob@example.test." in client.get("/preferences").get_data(as_text=True)


def test_a_review_of_ones_changes_is_emailed_at_once_and_can_be_stopped(
    mail_app, smtp_server, client, auth, people, make_page
):
    from wiki.review.settings import save_settings

    newbie = people["newbie"]
    make_page("Pricing", "Prices on request.", author=people["alice"])
    save_settings(people["admin"], "all", 0, 0)
    choose(newbie, email="newbie@example.test", review="immediate")
    waiting = save("Pricing", "Prices from 10 euros.", newbie).revision.id
    auth.login(people["mod"])
    form = {"action": "reject", "revision": str(waiting), "reason": "Not our prices"}
    assert client.post("/review/Pricing", data=form).status_code == 302
    finish_jobs(mail_app)
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "newbie@example.test"
    body = smtp_server.body(message)
    assert "mod rejected your changes to Pricing. Reason:" in body and "Not our prices" in body
    assert "::" not in body
    assert message["Subject"].endswith("rejected your changes to Pricing")  # no loose "Reason:"
    # Its one-click link stops emails about reviews, and nothing else.
    stop = re.search(r"Stop these emails \(no login needed\): (\S+)", body).group(1)
    assert client.post(stop.removeprefix("http://wiki.bottega.test")).status_code == 200
    db.session.expire_all()
    profile = db.session.get(UserProfile, newbie.id)
    assert (profile.email_review, profile.email_mention) == ("none", "none")
    assert profile.email_reply == "none"  # as choose() left it
    again = save("Pricing", "Prices from 12 euros.", newbie).revision.id
    form["revision"], form["action"] = str(again), "accept"
    assert client.post("/review/Pricing", data=form).status_code == 302
    finish_jobs(mail_app)
    assert len(outbox()) == 1  # no second email


def test_a_watcher_who_may_not_read_waiting_edits_is_emailed_once_they_are_published(
    mail_app, smtp_server, client, auth, people, make_page
):
    bob, newbie = people["bob"], people["newbie"]
    mail_app.config.update(REVIEW_POLICY="newcomers", REVIEW_WAITING_SHOWN="reviewers")
    make_page("Pricing", "Prices on request.", author=bob)  # bob watches it
    choose(bob, edit="immediate")
    waiting = save("Pricing", "Prices from 10 euros.", newbie)
    assert not waiting.published
    with mail_app.test_request_context():
        assert mail.deliver() == 0
    # Bob may not read the waiting edit yet: he is not told of it...
    assert smtp_server.messages == [] and outbox()[0].sent_at is not None
    auth.login(people["mod"])
    form = {"action": "accept", "revision": str(waiting.revision.id)}
    assert client.post("/review/Pricing", data=form).status_code == 302
    finish_jobs(mail_app)
    # ...until a reviewer publishes it: then he is, once.
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "bob@example.test"
    assert message["Subject"] == "newbie edited Pricing"
    assert "/diff/Pricing" in smtp_server.body(message)
    assert [row.sent_at is not None for row in outbox()] == [True]


def publish_while_sending(mail_app, client, auth, people, monkeypatch, compose_first: bool):
    """Save a newcomer's edit that waits for review and that Bob is emailed about at once;
    then send the outbox while a moderator accepts the edit, before the sender composes
    the email (compose_first False) or after it found nothing Bob may read yet (True)."""
    bob, newbie = people["bob"], people["newbie"]
    mail_app.config.update(REVIEW_POLICY="newcomers", REVIEW_WAITING_SHOWN="reviewers")
    save("Pricing", "Prices on request.", bob)
    choose(bob, edit="immediate")
    waiting = save("Pricing", "Prices from 10 euros.", newbie)
    composing = mail._compose
    composed = []

    def accept() -> None:
        auth.login(people["mod"])
        form = {"action": "accept", "revision": str(waiting.revision.id)}
        assert client.post("/review/Pricing", data=form).status_code == 302  # its jobs run

    def meanwhile(row_id):
        """The publication happens while the sender works on the email."""
        monkeypatch.setattr(mail, "_compose", composing)
        if not compose_first:
            accept()
        message = composing(row_id)
        composed.append(message)
        if compose_first:
            accept()
        return message

    monkeypatch.setattr(mail, "_compose", meanwhile)
    mail.deliver()
    return composed


def test_a_publication_while_the_email_is_being_sent_still_gets_it_sent(
    mail_app, smtp_server, client, auth, people, monkeypatch
):
    # The sender found nothing Bob may read yet, while the edit was published...
    composed = publish_while_sending(mail_app, client, auth, people, monkeypatch, True)
    assert composed == [None]
    # ...and sent it all the same, once.
    [message] = smtp_server.wait_for(2, timeout=1.0)
    assert message["Subject"] == "newbie edited Pricing"
    [row] = outbox()
    assert row.sent_at is not None and row.error == ""


def test_a_publication_while_the_email_is_being_sent_sends_it_once(
    mail_app, smtp_server, client, auth, people, monkeypatch
):
    # Published before the sender composed it: it tells Bob, and the publication's job,
    # finding it being sent, sends nothing (it went out twice before).
    composed = publish_while_sending(mail_app, client, auth, people, monkeypatch, False)
    assert composed[0] is not None
    [message] = smtp_server.wait_for(2, timeout=1.0)
    assert message["Subject"] == "newbie edited Pricing"
    [row] = outbox()
    assert row.sent_at is not None and row.error == ""


@pytest.mark.engine("postgres")  # SQLite lets one writer at a time claim: no race there
def test_two_senders_reading_the_same_outbox_send_each_email_once(
    mail_app, smtp_server, other, people, monkeypatch
):
    from wiki.database import write_transaction

    bob = people["bob"]
    with write_transaction() as session:
        assert mail.queue_message(session, bob.id, "bob@example.test", "Hello", "Once.")
    other.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    reading = mail._claimable

    def meanwhile(*args):
        """While this sender reads the outbox, the other one sends what is there."""
        found = reading(*args)
        monkeypatch.setattr(mail, "_claimable", reading)
        with other.app_context():
            assert mail.deliver() == 1
        return found

    monkeypatch.setattr(mail, "_claimable", meanwhile)
    assert mail.deliver() == 0  # it read the email as free, but the other took it
    assert len(smtp_server.wait_for(2, timeout=1.0)) == 1
