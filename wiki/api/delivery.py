"""Sending webhook deliveries: signed, retried with growing waits, in order per page.

A job (wiki/jobs.py) claims the oldest waiting delivery of each (webhook, page), posts it,
and records the answer. A failure waits WEBHOOK_RETRY_SECONDS × 2^(attempts−1) (at most an
hour) before the next try, and holds back the later events of the same page, so a receiver
sees a page's events in the order they happened; after WEBHOOK_MAX_ATTEMPTS it is given up.
Targets are resolved at every try and refused on loopback, link-local and private
networks unless an administrator allowed it for that webhook (SSRF), and the connection
goes to the address that was checked (no second DNS answer can sneak in).
"""

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import jobs
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..models import utcnow
from ..problems import BadRequest
from .models import Webhook, WebhookAttempt, WebhookDelivery

USER_AGENT = "Bottega-Webhooks/1.0"
#: A claimed delivery not recorded after this long is claimed again (its sender died).
CLAIM_TIMEOUT = timedelta(minutes=5)
MAX_RESPONSE = 2048
MAX_BACKOFF = 3600.0
BATCH = 20


class Blocked(Exception):
    """The target may not be reached (a private address, an unknown host, a bad URL): a
    message to translate where it is shown, with its parameters (str() is the English)."""

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message % params)
        self.message, self.params = message, params


@dataclass
class Answer:
    """What one try got: the status and body, or the error that prevented an answer."""

    status: int | None = None
    body: str = ""
    error: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def signature(secret: str, body: bytes) -> str:
    """Return the X-Bottega-Signature-256 value of a body: "sha256=" and the hex HMAC."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def timestamped_signature(secret: str, timestamp: str, body: bytes) -> str:
    """Return the X-Bottega-Timestamp-Signature-256 value: the HMAC of the timestamp, a
    dot and the body. X-Bottega-Timestamp alone is not signed: a receiver that refuses
    old deliveries (replays) checks this one."""
    return signature(secret, timestamp.encode() + b"." + body)


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Return whether an address is on the public internet (not loopback, private, …)."""
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_global and not (mapped or ip).is_multicast


def resolve(url: str, allow_private: bool) -> str:
    """Return the address to connect to for url, or raise Blocked saying why not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Blocked(N_("only http:// and https:// addresses with a host can receive webhooks"))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as error:
        raise Blocked(N_("no host is called %(host)s"), host=parts.hostname) from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not allow_private:
        refused = [str(ip) for ip in addresses if not _allowed(ip)]
        if refused:
            raise Blocked(
                N_(
                    "%(host)s is at %(addresses)s, a local or private address (allow "
                    "private networks for this webhook to send there)"
                ),
                host=parts.hostname,
                addresses=", ".join(refused),
            )
    return str(addresses[0])


def check_target(url: str, allow_private: bool) -> None:
    """Raise BadRequest if a webhook could not send to this URL (when it is saved)."""
    try:
        resolve(url, allow_private)
    except Blocked as error:
        raise BadRequest(
            N_("This address cannot receive webhooks: %(reason)s."),
            field="url",
            reason=_(error.message, **error.params),
        ) from error


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an address checked beforehand, whatever DNS says now."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address, verifying the certificate of the host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(hook: Webhook, delivery: WebhookDelivery) -> Answer:
    """Send one delivery to its webhook now; return what the receiver answered."""
    body = delivery.payload.encode("utf-8")
    started = time.monotonic()
    try:
        address = resolve(hook.url, hook.allow_private)
        parts = urlsplit(hook.url)
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        timeout = float(current_app.config.get("WEBHOOK_TIMEOUT", 10.0))
        kind = _PinnedHTTPS if https else _PinnedHTTP
        connection = kind(parts.hostname, port, address, timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent_at = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Bottega-Event": delivery.event,
            "X-Bottega-Delivery": delivery.uuid,
            "X-Bottega-Timestamp": sent_at,
            "X-Bottega-Signature-256": signature(hook.secret, body),
            "X-Bottega-Timestamp-Signature-256": timestamped_signature(hook.secret, sent_at, body),
        }
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read(MAX_RESPONSE).decode("utf-8", "replace")
            answer = Answer(status=response.status, body=text)
        finally:
            connection.close()
    except Blocked as error:
        answer = Answer(error=f"Refused: {error}")
    except (OSError, http.client.HTTPException) as error:
        answer = Answer(error=f"{type(error).__name__}: {error}"[:500])
    answer.duration_ms = int((time.monotonic() - started) * 1000)
    return answer


def backoff(attempts: int) -> float:
    """Return the seconds to wait after the attempts-th failed try."""
    base = float(current_app.config.get("WEBHOOK_RETRY_SECONDS", 10.0))
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def claim(limit: int = BATCH) -> list[int]:
    """Take the deliveries due now, the oldest waiting one of each (webhook, page) only."""
    now = utcnow()
    with write_transaction() as session:
        waiting = session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.status == "pending")
            .order_by(WebhookDelivery.id)
            .limit(500)
            .with_for_update()
        )
        chosen = []
        # A page's later event waits for its earlier one: only the heads may go.
        for row in _heads(waiting):
            in_flight = row.claimed_at is not None and row.claimed_at > now - CLAIM_TIMEOUT
            if in_flight or row.next_attempt_at > now or len(chosen) >= limit:
                continue
            row.claimed_at = now
            chosen.append(row.id)
        return chosen


def record(delivery_id: int, answer: Answer) -> None:
    """Keep what a try got; plan the next try, or give up after the last."""
    now = utcnow()
    with write_transaction() as session:
        row = session.get(WebhookDelivery, delivery_id)
        session.add(
            WebhookAttempt(
                delivery_id=row.id,
                at=now,
                status_code=answer.status,
                response_body=answer.body,
                error=answer.error[:500],
                duration_ms=answer.duration_ms,
            )
        )
        row.attempts += 1
        row.claimed_at = None
        row.response_status = answer.status
        row.error = answer.error[:500] or ("" if answer.ok else f"HTTP {answer.status}")
        if answer.ok:
            row.status, row.delivered_at = "delivered", now
        elif row.attempts >= int(current_app.config.get("WEBHOOK_MAX_ATTEMPTS", 8)):
            row.status = "failed"
        else:
            row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts))


def send(delivery_id: int) -> Answer:
    """Send one claimed delivery and record the answer."""
    row = db.session.get(WebhookDelivery, delivery_id)
    hook = row.webhook
    if not hook.active:
        answer = Answer(error="The webhook is turned off.")
    else:
        answer = post(hook, row)
    db.session.rollback()  # end the read transaction: recording writes
    record(delivery_id, answer)
    return answer


@jobs.task("webhooks.dispatch", sweep=True)
def dispatch() -> int:
    """Send every delivery that is due, page by page in order; plan the next retry."""
    sent = 0
    while claimed := claim():
        for delivery_id in claimed:
            send(delivery_id)
            sent += 1
    _plan_retry()
    return sent


def _plan_retry() -> None:
    """Queue a dispatch for when the next waiting delivery that may go is due."""
    now = utcnow()
    waiting = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.status == "pending")
        .order_by(WebhookDelivery.id)
        .limit(500)
    )
    heads = _heads(waiting)
    db.session.rollback()
    due = [row.next_attempt_at for row in heads if row.claimed_at is None]
    if due:
        delay = max((min(due) - now).total_seconds(), 0.05)
        jobs.enqueue("webhooks.dispatch", delay=delay)


def _heads(rows) -> list[WebhookDelivery]:
    """Return the oldest waiting delivery of each (webhook, page): the ones that may go."""
    seen, heads = set(), []
    for row in rows:
        group = (row.webhook_id, row.order_key)
        if group not in seen:
            seen.add(group)
            heads.append(row)
    return heads
