"""Changing one's profile and preferences, and the secret key of one's feed URLs."""

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from ...core.text import clean_text
from ...core.titles import N_
from ...database import write_transaction
from ...extensions import db
from ...models import User
from ...pages import content
from ...problems import BadRequest, CannotProcess
from ..models import MAX_BIO, MAX_DISPLAY_NAME, Delivery, Kind, Notification, UserProfile


@dataclass
class Choices:
    """The preferences form, as submitted."""

    display_name: str
    bio: str
    auto_watch: bool
    delivery: dict[str, str]


def _profile(session, user: User) -> UserProfile:
    """Return the person's profile row, creating it with the defaults."""
    profile = session.get(UserProfile, user.id)
    if profile is None:
        profile = UserProfile.blank(user.id)
        session.add(profile)
    return profile


def check(choices: Choices) -> Choices:
    """Return the choices cleaned, or raise BadRequest saying what is wrong."""
    name = " ".join(clean_text(choices.display_name).split())
    if len(name) > MAX_DISPLAY_NAME:
        raise BadRequest(
            N_("The display name is too long: at most %(count)s characters."),
            field="display_name",
            count=MAX_DISPLAY_NAME,
        )
    bio = clean_text(choices.bio).strip()
    if len(bio) > MAX_BIO:
        raise BadRequest(
            N_("The bio is too long: at most %(count)s characters."), field="bio", count=MAX_BIO
        )
    delivery = {}
    for kind in Kind:
        chosen = choices.delivery.get(kind, "")
        delivery[str(kind)] = chosen if chosen in set(Delivery) else str(Delivery.NONE)
    return Choices(name, bio, choices.auto_watch, delivery)


def save(user: User, choices: Choices) -> None:
    """Save a person's profile and preferences (the bio is rendered once, here)."""
    choices = check(choices)
    try:
        bio_html = content.render(choices.bio).html if choices.bio else ""
    except CannotProcess as error:
        raise BadRequest(error.message, field="bio", **error.params) from error
    with write_transaction() as session:
        profile = _profile(session, user)
        profile.display_name = choices.display_name
        profile.bio, profile.bio_html = choices.bio, bio_html
        profile.auto_watch = choices.auto_watch
        for kind, chosen in choices.delivery.items():
            setattr(profile, f"email_{kind}", chosen)


def set_notification_address(session, user_id: int, address: str) -> None:
    """Send a person's notification email to this (verified) address, or nowhere ("").

    Only the sign-in package's verified addresses come here (wiki/signin/emails.py).
    """
    profile = session.get(UserProfile, user_id)
    if profile is None:
        profile = UserProfile.blank(user_id)
        session.add(profile)
    if address and not profile.email:
        # A first digest covers what happens from now on, not the whole past.
        newest = session.scalar(
            select(Notification.id)
            .where(Notification.user_id == user_id)
            .order_by(Notification.id.desc())
            .limit(1)
        )
        profile.digest_last_id = newest or 0
    profile.email = address


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed_token(user: User) -> str:
    """Give the person a new secret for their feed URLs (the old one stops working)."""
    token = secrets.token_urlsafe(24)
    with write_transaction() as session:
        _profile(session, user).feed_token_hash = _digest(token)
    return token


def revoke_feed_token(user: User) -> None:
    """Make the person's feed URLs stop working."""
    with write_transaction() as session:
        profile = session.get(UserProfile, user.id)
        if profile is not None:
            profile.feed_token_hash = None


def user_for_feed_token(token: str | None) -> User | None:
    """Return the person a feed URL's secret belongs to, or None."""
    if not token or len(token) > 100:
        return None
    profile = db.session.scalar(
        select(UserProfile).where(UserProfile.feed_token_hash == _digest(token))
    )
    return db.session.get(User, profile.user_id) if profile is not None else None
