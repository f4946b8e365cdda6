"""Email: an outbox written with the change, delivered after commit; digests; unsubscribing.

Notifications that a person wants "immediately" add a row to the outbox in the same
transaction as the change. When that transaction commits, the rows are handed to a
background job at the end of the request (wiki/jobs.py: the Redis worker, or a thread of
the app; a rolled-back change sends nothing); whatever fails stays in the outbox for the
next sweep or `flask send-mail` to retry, and never fails nor slows the change itself. With no
MAIL_SERVER configured nothing is queued and the preferences say that email is off.
"""

import logging
import smtplib
from contextlib import nullcontext
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, make_msgid

from flask import current_app, g, has_app_context, has_request_context, render_template, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.orm import Session

from ... import jobs
from ...database import write_transaction
from ...extensions import db
from ...i18n.locales import language_of
from ...models import User, utcnow
from ...site import current_site
from ..models import (
    Delivery,
    Kind,
    Notification,
    OutgoingEmail,
    UserProfile,
    email_choice,
    kinds_chosen_by,
)
from . import notifications

log = logging.getLogger(__name__)

_QUEUED = "community_outbox_ids"
_DUE = "community_mail_due"
#: A claimed email not sent after this long is claimed again (its sender died).
CLAIM_TIMEOUT = timedelta(minutes=15)
MAX_ATTEMPTS = 5
#: Digests go out at most this often per person, however often send-digests runs.
DIGEST_INTERVAL = timedelta(hours=20)
DIGEST_MAX_ITEMS = 100
UNSUBSCRIBE_SALT = "bottega-unsubscribe"
#: An outbox row's error when, at sending time, there was nothing its person could be told.
NOTHING_TO_SEND = "nothing to send"
#: An outbox row's error while its sender works on it, when the edit it is about was
#: published meanwhile: the sender sends it again if it found nothing to tell.
PUBLISHED_MEANWHILE = "published while being sent"
#: What an unsubscribe link stops: one kind, every digest, or all email.
SCOPES = (*(str(kind) for kind in Kind), "digest", "all")


def enabled() -> bool:
    """Return whether the wiki is configured to send email."""
    return bool(current_app.config.get("MAIL_SERVER"))


def queue(session: Session, pairs: list[tuple[int, int]]) -> None:
    """Add an outbox row for each (user id, notification id) whose person wants it now."""
    if not pairs or not enabled():
        return
    by_user = dict(pairs)
    wanting = session.scalars(
        select(UserProfile).where(UserProfile.user_id.in_(by_user), UserProfile.email != "")
    )
    kinds = dict(
        session.execute(
            select(Notification.id, Notification.kind).where(Notification.id.in_(by_user.values()))
        ).all()
    )
    rows = [
        OutgoingEmail(user_id=profile.user_id, notification_id=by_user[profile.user_id])
        for profile in wanting
        if profile.delivery(kinds[by_user[profile.user_id]]) == Delivery.IMMEDIATE
    ]
    if rows:
        session.add_all(rows)
        session.flush()
        session.info.setdefault(_QUEUED, []).extend(row.id for row in rows)


def queue_published(session: Session, revision_ids: list[int]) -> None:
    """Send again the emails about these edits that found nothing to tell when first sent:
    their person could not read an edit waiting for review then; published now, they can
    (whatever else stopped them, hidden or a choice changed since, stops them again)."""
    if not revision_ids or not enabled():
        return
    about = OutgoingEmail.notification_id.in_(
        select(Notification.id).where(
            Notification.revision_id.in_(revision_ids), Notification.kind == str(Kind.EDIT)
        )
    )
    again = session.scalars(
        update(OutgoingEmail)
        .where(about, OutgoingEmail.error == NOTHING_TO_SEND)
        .values(sent_at=None, claimed_at=None, attempts=0, error="")
        .returning(OutgoingEmail.id)
    ).all()
    session.info.setdefault(_QUEUED, []).extend(again)
    # Being sent right now: left to its sender, who may have found nothing to tell yet and
    # then sends it again (_record); opened to another sender, it went out twice.
    session.execute(
        update(OutgoingEmail)
        .where(about, OutgoingEmail.sent_at.is_(None), OutgoingEmail.claimed_at.is_not(None))
        .values(error=PUBLISHED_MEANWHILE)
    )


def queue_message(session: Session, user_id: int, recipient: str, subject: str, body: str) -> bool:
    """Add a message about the account itself (a verification link, a password reset) to the
    outbox, for this address; return False when email is off (nothing is queued)."""
    if not enabled():
        return False
    row = OutgoingEmail(user_id=user_id, recipient=recipient, subject=subject, body=body)
    session.add(row)
    session.flush()
    session.info.setdefault(_QUEUED, []).append(row.id)
    return True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """Remember the emails of a committed transaction for delivery after the request."""
    queued = session.info.pop(_QUEUED, None)
    if queued and has_app_context():
        g.setdefault(_DUE, []).extend(queued)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    """Forget the emails of a rolled-back transaction: they no longer exist."""
    session.info.pop(_QUEUED, None)


def deliver_due_after_request(response):
    """Hand the emails this request queued (its transactions committed) to a job."""
    due = g.pop(_DUE, None)
    if due:
        jobs.enqueue("send-mail", due)
    return response


@jobs.task("send-mail", sweep=True)
def deliver_job(ids: list[int] | None = None) -> None:
    """Send these outbox emails (all unsent ones when None); failures stay for a retry."""
    try:
        deliver(ids)
    except Exception:  # the outbox keeps the email for `flask send-mail` or the next sweep
        log.exception("sending email failed; `flask send-mail` will retry")
        db.session.rollback()


def deliver(ids: list[int] | None = None, limit: int = 200) -> int:
    """Send unsent outbox emails (these ids only, if given); return how many were sent."""
    if not enabled():
        return 0
    claimed_at = utcnow()
    claimed = _claim(ids, limit, claimed_at)
    if not claimed:
        return 0
    with site_context():
        messages = {row_id: _compose(row_id) for row_id in claimed}
    sent, failed = [], {}
    try:
        with _connect() as smtp:
            for row_id, message in messages.items():
                if message is None:
                    continue
                try:
                    smtp.send_message(message)
                    sent.append(row_id)
                except smtplib.SMTPException as error:
                    failed[row_id] = str(error)
    except (OSError, smtplib.SMTPException) as error:
        failed.update({row_id: str(error) for row_id in messages if row_id not in sent})
    skipped = [row_id for row_id, message in messages.items() if message is None]
    again = _record(sent, skipped, failed, claimed_at)
    if again:  # published while this sender found nothing to tell: there is now
        return len(sent) + deliver(again, limit)
    return len(sent)


def site_context():
    """Return a context in which url_for makes absolute links: the request's, or SITE_URL's."""
    if has_request_context():
        return nullcontext()
    base = current_app.config.get("SITE_URL") or "http://localhost/"
    return current_app.test_request_context(base_url=base)


def _claim(ids: list[int] | None, limit: int, now) -> list[int]:
    """Take unsent emails for this sender (claimed at now), so that no other sender sends
    them too."""
    with write_transaction() as session:
        candidates = _claimable(session, ids, limit, now)
        if not candidates:
            return []
        # Taken by the one sender whose update still finds them free: two app servers (or
        # a worker and `flask send-mail`) reading the same rows send each email once.
        taken = session.scalars(
            update(OutgoingEmail)
            .where(OutgoingEmail.id.in_(candidates), _free(now))
            .values(claimed_at=now, attempts=OutgoingEmail.attempts + 1)
            .returning(OutgoingEmail.id)
        )
        return sorted(taken)


def _free(now):
    """SQL: an email not sent, not given up on, and claimed by no live sender."""
    return and_(
        OutgoingEmail.sent_at.is_(None),
        OutgoingEmail.attempts < MAX_ATTEMPTS,
        or_(OutgoingEmail.claimed_at.is_(None), OutgoingEmail.claimed_at < now - CLAIM_TIMEOUT),
    )


def _claimable(session: Session, ids: list[int] | None, limit: int, now) -> list[int]:
    """Return the ids of emails free to send (these ids only, if given), oldest first."""
    query = select(OutgoingEmail.id).where(_free(now))
    if ids is not None:
        query = query.where(OutgoingEmail.id.in_(ids))
    return list(session.scalars(query.order_by(OutgoingEmail.id).limit(limit)))


def _record(sent: list[int], skipped: list[int], failed: dict[int, str], claimed_at) -> list[int]:
    """Note what was sent, what there was no reason to send, and what failed (to retry);
    return the emails skipped whose edit was published meanwhile, free to send again.

    An email skipped is closed only if it is still this sender's claim and nothing was
    published meanwhile (queue_published marks it).
    """
    now = utcnow()
    again: list[int] = []
    with write_transaction() as session:
        for row_id in sent:
            row = session.get(OutgoingEmail, row_id)
            row.sent_at, row.error = now, ""
        if skipped:
            mine = and_(OutgoingEmail.id.in_(skipped), OutgoingEmail.claimed_at == claimed_at)
            again = session.scalars(
                update(OutgoingEmail)
                .where(mine, OutgoingEmail.error == PUBLISHED_MEANWHILE)
                .values(claimed_at=None, attempts=0, error="")
                .returning(OutgoingEmail.id)
            ).all()
            session.execute(
                update(OutgoingEmail)
                .where(mine, OutgoingEmail.error != PUBLISHED_MEANWHILE)
                .values(sent_at=now, error=NOTHING_TO_SEND)
            )
        for row_id, error in failed.items():
            row = session.get(OutgoingEmail, row_id)
            row.claimed_at, row.error = None, error[:500]
    return sorted(again)


def _connect() -> smtplib.SMTP:
    """Open a connection to the configured SMTP server, with TLS and login if configured."""
    config = current_app.config
    timeout = float(config.get("MAIL_TIMEOUT", 10))
    port = int(config.get("MAIL_PORT") or (465 if config.get("MAIL_USE_SSL") else 25))
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(config["MAIL_SERVER"], port, timeout=timeout)
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
    return smtp


def _compose(row_id: int) -> EmailMessage | None:
    """Return the email for an outbox row, or None if there is nothing to send any more."""
    row = db.session.get(OutgoingEmail, row_id)
    user = db.session.get(User, row.user_id)
    if row.recipient:
        return _message(row.recipient, row.subject, row.body, None) if user else None
    profile = db.session.get(UserProfile, row.user_id)
    if user is None or profile is None or not profile.email:
        return None
    if row.notification_id is None:
        return _message(profile.email, row.subject, row.body, unsubscribe_url(user.id, "digest"))
    with language_of(user.id):  # in the recipient's language, whoever caused it
        items = notifications.items_by_id(user, [_head_of(row.notification_id)])
        if not items:
            return None  # hidden or deleted since: people who can't see it are not told
        item = items[0]
        if profile.delivery(item.kind) != Delivery.IMMEDIATE:
            return None
        unsubscribe = unsubscribe_url(user.id, str(email_choice(item.kind)))
        subject = render_template("community/email/subject.txt", item=item).strip()
        body = render_template(
            "community/email/notification.txt", item=item, user=user, unsubscribe=unsubscribe
        )
    return _message(profile.email, subject, body, unsubscribe)


def _head_of(notification_id: int) -> int:
    """Return the id of the group head of a notification."""
    group = db.session.scalar(
        select(Notification.group_id).where(Notification.id == notification_id)
    )
    return group or notification_id


SMTP_POLICY = SMTP.clone(max_line_length=998)


def _message(to: str, subject: str, body: str, unsubscribe: str | None) -> EmailMessage:
    """Build a plain-text email, with one-click unsubscribe headers if it is a notification."""
    config = current_app.config
    # Lines up to SMTP's 998 characters: with the default 78, a long unsubscribe link (no
    # space to fold at) was sent as encoded words, which mail providers do not read as one.
    message = EmailMessage(policy=SMTP_POLICY)
    sender = config.get("MAIL_FROM") or f"noreply@{config['MAIL_SERVER']}"
    message["From"] = formataddr((current_site().name, sender)) if "<" not in sender else sender
    message["To"] = to
    message["Subject"] = " ".join(subject.split())[:200]
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body)
    return message


# Unsubscribe links: signed, so they work without logging in, and never expire.


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, scope: str) -> str:
    """Return the signed token of an unsubscribe link."""
    return _serializer().dumps([user_id, scope])


def unsubscribe_url(user_id: int, scope: str) -> str:
    """Return the absolute URL of an unsubscribe link."""
    return url_for(
        "preferences.unsubscribe", token=unsubscribe_token(user_id, scope), _external=True
    )


def read_token(token: str) -> tuple[User, str] | None:
    """Return the person and scope of an unsubscribe token, or None if it is not valid."""
    try:
        user_id, scope = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return (user, scope) if user is not None and scope in SCOPES else None


def unsubscribe(user: User, scope: str) -> None:
    """Stop the email a link covers: one kind, every digest, or all email."""
    with write_transaction() as session:
        profile = session.get(UserProfile, user.id)
        if profile is None:
            return
        for kind in Kind:
            if scope in (kind, "all") or (
                scope == "digest" and profile.delivery(kind) == Delivery.DIGEST
            ):
                setattr(profile, f"email_{kind}", str(Delivery.NONE))


def send_digests() -> int:
    """Queue and send a digest to everyone due one; return how many digests were sent."""
    if not enabled():
        return 0
    now = utcnow()
    queued = []
    with site_context(), write_transaction() as session:
        due = session.scalars(
            select(UserProfile).where(
                UserProfile.email != "",
                or_(
                    UserProfile.digest_sent_at.is_(None),
                    UserProfile.digest_sent_at < now - DIGEST_INTERVAL,
                ),
            )
        )
        for profile in list(due):
            choices = [str(k) for k in Kind if profile.delivery(k) == Delivery.DIGEST]
            kinds = kinds_chosen_by(choices)
            row = _digest(session, profile, kinds) if kinds else None
            if row is not None:
                queued.append(row)
    return deliver([row.id for row in queued]) if queued else 0


def _digest(session: Session, profile: UserProfile, kinds: list[str]) -> OutgoingEmail | None:
    """Add the digest of a person's new notifications to the outbox, if there are any."""
    user = session.get(User, profile.user_id)
    newest = session.scalar(
        select(Notification.id)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
        .limit(1)
    )
    items = notifications.items_for_digest(
        user, kinds, profile.digest_last_id, DIGEST_MAX_ITEMS + 1
    )
    profile.digest_last_id = max(profile.digest_last_id, newest or 0)
    profile.digest_sent_at = utcnow()
    if not items:
        return None
    with language_of(user.id):
        body = render_template(
            "community/email/digest.txt",
            items=items[:DIGEST_MAX_ITEMS],
            more=len(items) > DIGEST_MAX_ITEMS,
            user=user,
            unsubscribe=unsubscribe_url(user.id, "digest"),
        )
        subject = _("Your daily summary from %(site)s", site=current_site().name)
    row = OutgoingEmail(user_id=user.id, subject=subject, body=body)
    session.add(row)
    session.flush()
    return row
