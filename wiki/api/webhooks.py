"""Administering webhooks: where events go, which ones, their deliveries and re-sending."""

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import delete, select, update

from .. import jobs, modlog
from ..access.permissions import require_admin
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..models import User, utcnow
from ..problems import BadRequest, NotFound
from .delivery import check_target
from .events import EVENTS, enqueue_event
from .models import Webhook, WebhookAttempt, WebhookDelivery

MAX_URL = 2000
SHOWN_DELIVERIES = 50


@dataclass
class Settings:
    """What an administrator chooses for a webhook (as typed, to show again on an error)."""

    url: str
    events: list[str]
    description: str = ""
    active: bool = True
    allow_private: bool = False


def new_secret() -> str:
    """Return a fresh signing secret."""
    return secrets.token_hex(32)


def _checked(settings: Settings) -> Settings:
    """Return the settings cleaned, or raise BadRequest naming the field."""
    url = settings.url.strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL:
        raise BadRequest(
            N_("The address is too long: at most %(count)s characters."),
            field="url",
            count=MAX_URL,
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest(
            N_("Give the full address that receives events, starting with https://."),
            field="url",
        )
    chosen = [name for name in EVENTS if name in settings.events]
    if not chosen:
        raise BadRequest(N_("Choose at least one event to send."), field="events")
    check_target(url, settings.allow_private)
    description = " ".join(settings.description.split())[:200]
    return Settings(url, chosen, description, settings.active, settings.allow_private)


def create_webhook(user: User, settings: Settings) -> Webhook:
    """Add a webhook with a new secret (administrators)."""
    require_admin(user)
    settings = _checked(settings)
    with write_transaction() as session:
        hook = Webhook(
            url=settings.url,
            secret=new_secret(),
            events=" ".join(settings.events),
            description=settings.description,
            active=settings.active,
            allow_private=settings.allow_private,
            created_by_id=user.id,
        )
        session.add(hook)
        _log(user, hook, "added")
    return hook


def update_webhook(user: User, hook_id: int, settings: Settings) -> Webhook:
    """Change a webhook's address, events and switches (administrators)."""
    require_admin(user)
    settings = _checked(settings)
    with write_transaction() as session:
        hook = _hook(session, hook_id)
        hook.url, hook.events = settings.url, " ".join(settings.events)
        hook.description, hook.active = settings.description, settings.active
        hook.allow_private = settings.allow_private
        _log(user, hook, "changed")
    return hook


def rotate_secret(user: User, hook_id: int) -> Webhook:
    """Give a webhook a new signing secret (the old one stops matching at once)."""
    require_admin(user)
    with write_transaction() as session:
        hook = _hook(session, hook_id)
        hook.secret = new_secret()
        _log(user, hook, "secret")
    return hook


def delete_webhook(user: User, hook_id: int) -> None:
    """Remove a webhook with its deliveries and their attempts."""
    require_admin(user)
    with write_transaction() as session:
        hook = _hook(session, hook_id)
        deliveries = select(WebhookDelivery.id).where(WebhookDelivery.webhook_id == hook.id)
        session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries)))
        session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id))
        _log(user, hook, "removed")
        session.delete(hook)


def _log(user: User, hook: Webhook, change: str) -> None:
    """Log a change of a webhook: it sends the wiki's changes to another server. Only its
    host is named (an address may carry a token in its path or query)."""
    modlog.record("webhook", user, target=urlsplit(hook.url).hostname or "", change=change)


def _hook(session, hook_id: int) -> Webhook:
    hook = session.get(Webhook, hook_id)
    if hook is None:
        raise NotFound(N_("There is no such webhook."))
    return hook


def webhooks(user: User) -> list[Webhook]:
    """Return every webhook (administrators)."""
    require_admin(user)
    return list(db.session.scalars(select(Webhook).order_by(Webhook.id)))


def webhook(user: User, hook_id: int) -> Webhook:
    """Return one webhook (administrators)."""
    require_admin(user)
    return _hook(db.session, hook_id)


def deliveries(hook: Webhook, limit: int = SHOWN_DELIVERIES) -> list[WebhookDelivery]:
    """Return a webhook's latest deliveries, newest first, with their attempts loaded."""
    rows = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    rows = list(rows)
    attempts = db.session.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_([row.id for row in rows]))
        .order_by(WebhookAttempt.id.desc())
    )
    by_delivery: dict[int, list] = {}
    for attempt in attempts:
        by_delivery.setdefault(attempt.delivery_id, []).append(attempt)
    for row in rows:
        row.tries = by_delivery.get(row.id, [])
    return rows


def redeliver(user: User, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again: it waits its turn behind earlier events of its page."""
    require_admin(user)
    with write_transaction() as session:
        row = session.get(WebhookDelivery, delivery_id)
        if row is None:
            raise NotFound(N_("There is no such delivery."))
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == row.id)
            .values(status="pending", attempts=0, next_attempt_at=utcnow(), claimed_at=None)
        )
    jobs.enqueue("webhooks.dispatch")
    return row


def ping(user: User, hook_id: int) -> None:
    """Send a "ping" event to a webhook, to check that it receives and verifies them."""
    require_admin(user)
    with write_transaction() as session:
        hook = _hook(session, hook_id)
        data = {"webhook": {"id": hook.id, "events": hook.event_list}, "by": user.username}
        enqueue_event(session, [hook], "ping", f"ping:{hook.id}", data)


def event_choices() -> list[tuple[str, str]]:
    """Return (name, label) of every event a webhook can receive."""
    return [(found.name, found.label) for found in EVENTS.values()]
