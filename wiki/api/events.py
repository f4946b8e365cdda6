"""Webhook events: what happened, as JSON, written to the outbox inside the change's
transaction (a rolled-back change sends nothing) and sent after commit by a job.

Adding an event is one decorated function: the signal (wiki/events.py) it listens to,
and what its payload holds. When a signal named `page_published` appears in
wiki/events.py (the review feature), "page.published" is offered with no other change.
"""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from flask import has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import events, jobs
from ..core.titles import N_
from ..extensions import db
from ..models import utcnow
from ..share.previews import site_root
from ..site import current_site
from .models import Webhook, WebhookDelivery

_KICK = "bottega_webhooks_due"
_OPENING = object()


@dataclass
class Event:
    """A kind of event webhooks can receive."""

    name: str
    label: str
    #: Turns a signal's arguments into (order key, data); None: nothing to send.
    build: Callable[..., tuple[str, dict] | None]
    signals: list = field(default_factory=list)


EVENTS: dict[str, Event] = {}


def webhook_event(name: str, label: str, *signals):
    """Register a builder as the event called name, sent when any of the signals fires."""

    def register(build: Callable) -> Callable:
        found = Event(name, label, build, list(signals))
        EVENTS[name] = found
        for signal in signals:
            signal.connect(_receiver(found), weak=False)
        return build

    return register


def page_link(title: str, prefix: str = "wiki/") -> str:
    """Return the absolute address of a page (or its API resource with prefix="api/v1/pages/")."""
    return site_root() + prefix + quote(title.replace(" ", "_"), safe="/:@!$&'()*+,;=")


def page_data(page) -> dict:
    """Return what every page event says about the page."""
    return {
        "id": page.id,
        "title": page.title,
        "url": page_link(page.title),
        "api_url": page_link(page.title, "api/v1/pages/"),
    }


def person(user) -> str | None:
    """Return a person's username (None for an anonymous visitor)."""
    return user.username if user is not None and getattr(user, "is_authenticated", False) else None


#: Built once: building a statement anew costs more than running this one.
_ACTIVE_WEBHOOKS = select(Webhook).where(Webhook.active.is_(True))


def _receiver(found: Event):
    """Return the signal receiver that writes the event's outbox rows."""

    def receive(_sender, **kwargs) -> None:
        session = db.session()
        with session.no_autoflush:  # what the change has pending is not a webhook
            active = session.scalars(_ACTIVE_WEBHOOKS).all()
        hooks = [hook for hook in active if found.name in hook.event_list]
        if not hooks:
            return
        built = found.build(**kwargs)
        if built is None:
            return
        order_key, data = built
        enqueue_event(session, hooks, found.name, order_key, data)

    return receive


def envelope(name: str, data: dict) -> tuple[str, str]:
    """Return a delivery's id and JSON body for an event."""
    ident = str(uuid.uuid4())
    body = {
        "id": ident,
        "event": name,
        "created_at": utcnow().isoformat(),
        "site": {"name": current_site().name, "url": site_root()},
        "data": data,
    }
    return ident, json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def enqueue_event(session: Session, hooks: list, name: str, order_key: str, data: dict) -> None:
    """Add an outbox row per webhook; they are sent once the transaction commits."""
    for hook in hooks:
        ident, payload = envelope(name, data)
        session.add(
            WebhookDelivery(
                webhook_id=hook.id, uuid=ident, event=name, order_key=order_key, payload=payload
            )
        )
    session.info[_KICK] = True


@webhook_event("page.saved", N_("A page was created or edited"), events.page_saved)
def _page_saved(page=None, revision=None, previous=None, author=None, published=True, **_extra):
    return f"page:{page.id}", {
        "page": page_data(page),
        "revision": {
            "id": revision.id,
            "parent": previous.id if previous is not None else None,
            "kind": revision.kind,
            "summary": revision.summary,
            "minor": revision.minor,
            "size": revision.size,
            "size_change": revision.size_change,
            "author": person(author) or revision.author_ip,
            "created_at": revision.created_at.isoformat() if revision.created_at else None,
        },
        "created": previous is None,
        # False: the edit waits for review (wiki/review); page.published follows on accept.
        "published": published,
    }


@webhook_event("page.moved", N_("A page was moved (renamed)"), events.page_moved)
def _page_moved(page=None, old_title="", user=None, **_extra):
    return f"page:{page.id}", {"page": page_data(page), "old_title": old_title, "by": person(user)}


@webhook_event("page.deleted", N_("A page was deleted"), events.page_deleted)
def _page_deleted(page=None, user=None, reason="", **_extra):
    return f"page:{page.id}", {"page": page_data(page), "by": person(user), "reason": reason}


@webhook_event("page.undeleted", N_("A page was undeleted"), events.page_undeleted)
def _page_undeleted(page=None, user=None, reason="", **_extra):
    return f"page:{page.id}", {"page": page_data(page), "by": person(user), "reason": reason}


@webhook_event(
    "comment.posted",
    N_("A topic was started or a comment posted"),
    events.topic_created,
    events.comment_posted,
)
def _comment_posted(topic=None, comment=None, author=None, parent=_OPENING, **_extra):
    page = topic.page
    opening = parent is _OPENING  # topic_created sends no parent: the comment opens a topic
    return f"page:{page.id}", {
        "page": page_data(page),
        "topic": {"id": topic.id, "subject": topic.subject},
        "comment": {
            "id": comment.id,
            "parent": comment.parent_id,
            "author": person(author),
            "body": comment.body,
            "new_topic": opening,
        },
    }


if hasattr(events, "page_published"):  # the review feature's signal, once it exists

    @webhook_event("page.published", N_("A change was published"), events.page_published)
    def _page_published(page=None, revision=None, user=None, **_extra):
        return f"page:{page.id}", {
            "page": page_data(page),
            "revision": {"id": revision.id} if revision is not None else None,
            "by": person(user),
        }


@sa_event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """Start sending once the deliveries are committed."""
    if session.info.pop(_KICK, False) and has_app_context():
        jobs.enqueue("webhooks.dispatch")


@sa_event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    """A rolled-back change has nothing to send."""
    session.info.pop(_KICK, None)
