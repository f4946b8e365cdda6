"""Webhooks against a real HTTP receiver on 127.0.0.1: signatures, retries, order, SSRF."""

import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from tests.helpers import finish_jobs, log_in, reply, save, start_topic, text
from wiki.api import delivery, webhooks
from wiki.api.models import Webhook, WebhookAttempt, WebhookDelivery
from wiki.extensions import db
from wiki.problems import NotAllowed


class Receiver:
    """A webhook consumer: records each request; answers the statuses it is told to."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.requests.append((dict(self.headers), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"thanks" if status < 300 else b"try later")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook?x=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def events(self) -> list[dict]:
        with self.lock:
            return [json.loads(body) for _, body in self.requests]


@pytest.fixture
def receiver():
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture
def admin(people, auth):
    """Log root in; make the other accounts first, before any job writes meanwhile."""
    for name in ("alice", "bob", "mod"):
        people[name]
    auth.login(people["root"])
    return people["root"]


def add_hook(client, url, events=("page.saved",), allow_private=True):
    data = {"url": url, "events": list(events), "active": "1", "description": "CRM"}
    if allow_private:
        data["allow_private"] = "1"
    response = client.post("/admin/webhooks", data=data)
    assert response.status_code == 302, text(response)
    return db.session.scalar(select(Webhook).order_by(Webhook.id.desc()))


def test_a_save_is_delivered_signed_to_the_receiver(app, client, admin, receiver, people):
    hook = add_hook(client, receiver.url)
    save("Spring Campaign", "Hello", people["alice"], summary="First")
    finish_jobs(app)
    [(headers, body)] = receiver.requests
    expected = "sha256=" + hmac.new(hook.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Bottega-Signature-256"] == expected
    # The time it was sent, signed with the body: a receiver can refuse a replayed delivery.
    sent_at = headers["X-Bottega-Timestamp"].encode()
    stamped = hmac.new(hook.secret.encode(), sent_at + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Bottega-Timestamp-Signature-256"] == f"sha256={stamped}"
    assert headers["X-Bottega-Event"] == "page.saved"
    assert headers["Content-Type"] == "application/json"
    event = json.loads(body)
    assert event["event"] == "page.saved" and event["id"] == headers["X-Bottega-Delivery"]
    data = event["data"]
    assert data["page"]["title"] == "Spring Campaign" and data["created"] is True
    assert data["revision"]["summary"] == "First" and data["revision"]["author"] == "alice"
    assert data["page"]["url"].endswith("/wiki/Spring_Campaign")
    [row] = db.session.scalars(select(WebhookDelivery))
    assert row.status == "delivered" and row.response_status == 200


def test_a_failed_delivery_is_retried_with_backoff(app, client, admin, receiver, people):
    app.config["WEBHOOK_RETRY_SECONDS"] = 0.1
    add_hook(client, receiver.url)
    receiver.statuses = [500, 503]
    save("Plan", "v1", people["alice"])
    finish_jobs(app)
    assert len(receiver.requests) == 3
    [row] = db.session.scalars(select(WebhookDelivery))
    assert row.status == "delivered" and row.attempts == 3
    tries = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id))
    assert [(t.status_code, t.response_body) for t in tries] == [
        (500, "try later"),
        (503, "try later"),
        (200, "thanks"),
    ]


def test_a_page_events_arrive_in_order_even_across_retries(app, client, admin, receiver, people):
    app.config["WEBHOOK_RETRY_SECONDS"] = 0.2
    add_hook(client, receiver.url, events=("page.saved", "comment.posted"))
    receiver.statuses = [500]  # the first event of Plan fails once
    save("Plan", "v1", people["alice"])
    save("Plan", "v2", people["alice"])
    save("Other", "o1", people["bob"])
    start_topic("Plan", "Tone", "Too formal?", people["bob"])
    save("Plan", "v3", people["alice"])
    finish_jobs(app)
    plan = [
        (e["event"], e["data"].get("revision", {}).get("id"))
        for e in receiver.events()
        if e["data"]["page"]["title"] == "Plan"
    ]
    revisions = [rev for kind, rev in plan if kind == "page.saved"]
    assert revisions[0] == revisions[1]  # the failed one, then its retry
    assert revisions[1:] == sorted(revisions[1:]) and len(set(revisions)) == 3
    kinds = [kind for kind, _ in plan]
    assert kinds == ["page.saved"] * 3 + ["comment.posted", "page.saved"]
    assert db.session.scalars(select(WebhookDelivery.status)).all() == ["delivered"] * 5


def test_a_rolled_back_change_sends_nothing(app, client, admin, receiver, people):
    from wiki.core.titles import parse_title
    from wiki.pages.service import save_page

    add_hook(client, receiver.url)

    def fail(page, revision):
        raise RuntimeError("the change fails after the event")

    with pytest.raises(RuntimeError):
        save_page(
            parse_title("Plan"), "x", author=people["alice"], base_revision_id=None, also=fail
        )
    finish_jobs(app)
    assert receiver.requests == []
    assert db.session.scalars(select(WebhookDelivery)).all() == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://100.64.0.1/hook",
        "ftp://example.com/hook",
    ],
)
def test_local_and_private_targets_are_refused(url):
    with pytest.raises(delivery.Blocked):
        delivery.resolve(url, allow_private=False)


def test_the_form_refuses_a_private_target_unless_allowed(client, admin, receiver):
    data = {"url": receiver.url, "events": ["page.saved"], "active": "1"}
    refused = client.post("/admin/webhooks", data=data)
    assert refused.status_code == 400
    page = text(refused)
    assert "local or private address" in page and receiver.url.replace("&", "&amp;") in page
    assert db.session.scalars(select(Webhook)).all() == []


def test_an_unknown_host_or_a_too_long_address_is_said_so_plainly(client, admin):
    unknown = client.post(
        "/admin/webhooks",
        data={"url": "https://no-such-host.invalid/hook", "events": ["page.saved"]},
    )
    assert unknown.status_code == 400
    page = text(unknown)
    assert "no host is called no-such-host.invalid" in page and "Errno" not in page
    long = "https://example.com/" + "x" * 2100
    too_long = text(client.post("/admin/webhooks", data={"url": long, "events": ["page.saved"]}))
    assert "The address is too long" in too_long


def test_the_address_is_checked_again_when_sending(app, client, admin, receiver, people):
    hook = add_hook(client, receiver.url)
    db.session.get(Webhook, hook.id).allow_private = False  # as if DNS now pointed inside
    db.session.commit()
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 1
    save("Plan", "v1", people["alice"])
    finish_jobs(app)
    assert receiver.requests == []
    [row] = db.session.scalars(select(WebhookDelivery))
    assert row.status == "failed" and "Refused" in row.error


def test_deliveries_are_shown_with_responses_and_can_be_sent_again(
    app, client, admin, receiver, people
):
    hook = add_hook(client, receiver.url)
    receiver.statuses = [404]
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 1
    save("Plan", "v1", people["alice"])
    finish_jobs(app)
    page = text(client.get(f"/admin/webhooks/{hook.id}"))
    assert "HTTP 404" in page and "try later" in page and "given up" in page
    [row] = db.session.scalars(select(WebhookDelivery))
    assert (
        client.post(f"/admin/webhooks/deliveries/{row.id}/redeliver", data={}).status_code == 302
    )
    finish_jobs(app)
    assert len(receiver.requests) == 2
    first, second = (headers["X-Bottega-Delivery"] for headers, _ in receiver.requests)
    assert first == second  # the same delivery: receivers can tell it is a repeat
    assert "delivered" in text(client.get(f"/admin/webhooks/{hook.id}"))


def test_ping_secret_rotation_edit_and_delete(app, client, admin, receiver):
    hook = add_hook(client, receiver.url)
    old_secret = hook.secret
    assert client.post(f"/admin/webhooks/{hook.id}/ping", data={}).status_code == 302
    finish_jobs(app)
    [event] = receiver.events()
    assert event["event"] == "ping" and event["data"]["by"] == "root"
    client.post(f"/admin/webhooks/{hook.id}/secret", data={})
    db.session.expire_all()
    assert db.session.get(Webhook, hook.id).secret != old_secret
    changed = client.post(
        f"/admin/webhooks/{hook.id}",
        data={"url": receiver.url, "events": ["page.moved"], "allow_private": "1"},
    )
    assert changed.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Webhook, hook.id)
    assert saved.event_list == ["page.moved"] and saved.active is False
    assert client.post(f"/admin/webhooks/{hook.id}/delete", data={}).status_code == 302
    assert db.session.scalars(select(Webhook)).all() == []
    # Each step is in the moderation log, which names the host only (an address may hold
    # a token); what moderators read there, editors do not.
    log = text(client.get("/log?action=webhook"))
    entries = re.findall(r'<li class="modlog-entry modlog-webhook">(.*?)</li>', log, re.S)
    said = [" ".join(re.sub(r"<[^>]+>", " ", entry).split()) for entry in entries]
    assert len(said) == 4
    for entry, change in zip(
        said, ["removed", "changed", "given a new secret", "added"], strict=True
    ):
        assert "127.0.0.1" in entry and change in entry and "x=1" not in entry
    client.post("/logout", data={})
    log_in(client, "alice")
    assert "modlog-webhook" not in text(client.get("/log"))


def test_only_administrators_manage_webhooks(client, auth, people):
    auth.login(people["mod"])
    assert client.get("/admin/webhooks").status_code == 403
    with pytest.raises(NotAllowed):
        webhooks.webhooks(people["mod"])


def test_every_event_kind_reaches_the_receiver(app, client, admin, receiver, people):
    from wiki.core.titles import parse_title
    from wiki.organise import deletion, moves

    add_hook(client, receiver.url, events=[name for name, _ in webhooks.event_choices()])
    save("Plan", "v1", people["alice"])
    comment = start_topic("Plan", "Tone", "Too formal?", people["bob"])
    reply(comment.topic_id, "No.", people["alice"], parent=comment)
    moves.move_page(parse_title("Plan"), parse_title("Plan 2026"), user=people["root"])
    deletion.delete_page(parse_title("Plan 2026"), user=people["root"], reason="old")
    finish_jobs(app)
    kinds = [event["event"] for event in receiver.events()]
    assert {"page.saved", "comment.posted", "page.moved", "page.deleted"} <= set(kinds)
    comments = [e["data"]["comment"] for e in receiver.events() if e["event"] == "comment.posted"]
    assert [c["new_topic"] for c in comments] == [True, False]
