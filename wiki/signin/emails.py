"""Email addresses: add one, verify it by a signed link, choose where notifications go.

A verified address belongs to one account only. The notification address (the profile's
email, which the community outbox sends to) is always one of the person's verified ones.
"""

import re
from dataclasses import dataclass

from flask import current_app, render_template, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..community.credits.profiles import profile_of
from ..community.models import UserProfile
from ..community.watch import mail
from ..community.watch.preferences import set_notification_address
from ..core.text import clean_text
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..models import User, utcnow
from ..problems import BadRequest, Conflict, NotFound
from ..site import current_site
from .models import MAX_EMAIL, EmailAddress

# Deliberately loose: one @, no spaces, a dot in the domain. The mail server decides the rest.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
VERIFY_SALT = "bottega-verify-email"
VERIFY_HOURS = 48
MAX_ADDRESSES = 10

NOT_AN_ADDRESS = N_("This does not look like an email address.")
LINK_INVALID = N_(
    "This verification link does not work: it expired, the address was removed, or it was "
    "copied incompletely. Send a new link from your preferences."
)
TAKEN = N_("Another account already verified this address.")


@dataclass
class Addresses:
    """A person's addresses, and which one notifications go to."""

    rows: list[EmailAddress]
    notify: str


def email_key(address: str) -> str:
    """Return the lookup form of an address (lower case)."""
    return address.strip().lower()


def check_address(text: str) -> str:
    """Return an address cleaned, or raise BadRequest saying it is not one."""
    address = clean_text(text).strip()
    if not address or len(address) > MAX_EMAIL or not _EMAIL.match(address):
        raise BadRequest(NOT_AN_ADDRESS, field="new_email")
    return address


def addresses_of(user: User) -> Addresses:
    """Return a person's addresses, oldest first."""
    rows = db.session.scalars(
        select(EmailAddress).where(EmailAddress.user_id == user.id).order_by(EmailAddress.id)
    )
    return Addresses(list(rows), profile_of(user).email)


def verified_owner(address: str) -> User | None:
    """Return the account that verified this address, or None."""
    row = db.session.scalar(
        select(EmailAddress).where(EmailAddress.verified_key == email_key(address)[:MAX_EMAIL])
    )
    return db.session.get(User, row.user_id) if row is not None else None


def add(user: User, text: str) -> EmailAddress:
    """Add an address to a person's account and send it a verification link."""
    address = check_address(text)
    if not mail.enabled():
        raise BadRequest(N_("Email is off on this wiki, so addresses cannot be verified."))
    key = email_key(address)
    try:
        with write_transaction() as session:
            count = len(session.scalars(select(EmailAddress.id).where(_mine(user))).all())
            if count >= MAX_ADDRESSES:
                raise BadRequest(
                    N_("You can have at most %(count)s addresses: remove one first."),
                    field="new_email",
                    count=MAX_ADDRESSES,
                )
            row = EmailAddress(user_id=user.id, address=address, key=key)
            session.add(row)
            session.flush()
            _send_link(session, user, row)
    except IntegrityError as error:
        raise Conflict(N_("You already added this address."), field="new_email") from error
    return row


def _mine(user: User):
    return EmailAddress.user_id == user.id


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=VERIFY_SALT)


def _send_link(session, user: User, row: EmailAddress) -> None:
    """Queue the email with the signed link that verifies the address."""
    token = _serializer().dumps([user.id, row.id, row.key])
    with mail.site_context():
        url = url_for("signin.verify_email", token=token, _external=True)
        body = render_template(
            "signin/email/verify.txt", user=user, url=url, hours=VERIFY_HOURS, address=row.address
        )
        subject = _("Confirm your email address for %(site)s", site=current_site().name)
    mail.queue_message(session, user.id, row.address, subject, body)


def resend(user: User, address_id: int) -> EmailAddress:
    """Send a new verification link to one of the person's unverified addresses."""
    with write_transaction() as session:
        row = _own(session, user, address_id)
        if row.verified_at is not None:
            raise Conflict(N_("This address is already verified."))
        _send_link(session, user, row)
    return row


def _own(session, user: User, address_id: int) -> EmailAddress:
    """Return one of the person's addresses, or raise NotFound."""
    row = session.get(EmailAddress, address_id)
    if row is None or row.user_id != user.id:
        raise NotFound(N_("You have no such address."))
    return row


def pending(token: str) -> EmailAddress:
    """Return the address a verification link is for, or raise NotFound."""
    try:
        user_id, address_id, key = _serializer().loads(token, max_age=VERIFY_HOURS * 3600)
    except (BadSignature, SignatureExpired, ValueError, TypeError, UnicodeError):
        raise NotFound(LINK_INVALID) from None
    row = db.session.get(EmailAddress, address_id) if isinstance(address_id, int) else None
    if row is None or row.user_id != user_id or row.key != key:
        raise NotFound(LINK_INVALID)
    return row


def verify(token: str) -> EmailAddress:
    """Mark the address of a verification link verified; the first becomes the notified one."""
    found = pending(token)
    try:
        with write_transaction() as session:
            row = session.get(EmailAddress, found.id)
            if row.verified_at is not None:
                return row
            owner = session.scalar(
                select(EmailAddress).where(EmailAddress.verified_key == row.key)
            )
            if owner is not None:
                raise Conflict(TAKEN)
            row.verified_key, row.verified_at = row.key, utcnow()
            session.flush()
            if not _notified(session, row.user_id):
                set_notification_address(session, row.user_id, row.address)
    except IntegrityError as error:  # verified by another account at the same moment
        raise Conflict(TAKEN) from error
    return row


def add_verified(session, user_id: int, address: str) -> EmailAddress | None:
    """Add an address a provider vouched for as verified, inside the caller's transaction;
    make it the notification address if there is none. None if another account has it."""
    key = email_key(address)
    if session.scalar(select(EmailAddress.id).where(EmailAddress.verified_key == key)):
        return None
    row = session.scalar(select(EmailAddress).where(_mine_id(user_id), EmailAddress.key == key))
    if row is None:
        row = EmailAddress(user_id=user_id, address=address, key=key)
        session.add(row)
    row.verified_key, row.verified_at = key, utcnow()
    session.flush()
    if not _notified(session, user_id):
        set_notification_address(session, user_id, row.address)
    return row


def _mine_id(user_id: int):
    return EmailAddress.user_id == user_id


def _notified(session, user_id: int) -> str:
    """Return where a person's notifications go now ("" for nowhere)."""
    profile = session.get(UserProfile, user_id)
    return profile.email if profile is not None else ""


def remove(user: User, address_id: int) -> None:
    """Remove one of the person's addresses; notifications move to another verified one."""
    with write_transaction() as session:
        row = _own(session, user, address_id)
        session.delete(row)
        session.flush()
        if email_key(_notified(session, user.id)) == row.key:
            other = session.scalar(
                select(EmailAddress)
                .where(_mine(user), EmailAddress.verified_at.is_not(None))
                .order_by(EmailAddress.id)
                .limit(1)
            )
            set_notification_address(session, user.id, other.address if other else "")


def notify_at(user: User, address_id: int) -> EmailAddress:
    """Send the person's notifications to one of their verified addresses."""
    with write_transaction() as session:
        row = _own(session, user, address_id)
        if row.verified_at is None:
            raise BadRequest(N_("Verify this address first: follow the link sent to it."))
        set_notification_address(session, user.id, row.address)
    return row


def account_address(user: User) -> str:
    """Return the verified address messages about a person's account go to: the one their
    notifications use, else their newest verified one ("" when none is verified)."""
    verified = verified_addresses(user.id)
    notified = email_key(addresses_of(user).notify)
    chosen = next((row for row in verified if row.key == notified), None)
    chosen = chosen or (verified[-1] if verified else None)
    return chosen.address if chosen else ""


def verified_addresses(user_id: int) -> list[EmailAddress]:
    """Return a person's verified addresses, oldest first."""
    return list(
        db.session.scalars(
            select(EmailAddress)
            .where(_mine_id(user_id), EmailAddress.verified_at.is_not(None))
            .order_by(EmailAddress.id)
        )
    )
