"""Changing one's profile and preferences, and the secret key of one's feed URLs."""

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..models import User
from ..pages import content
from ..renderer import RenderTimeout
from .models import MAX_BIO, MAX_DISPLAY_NAME, MAX_EMAIL, Delivery, Kind, Notification, UserProfile

# Deliberately loose: one @, no spaces, a dot in the domain. The mail server decides the rest.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class PreferenceError(ValueError):
    """A refused change; the message says why, for a person."""

    def __init__(self, message: str, field: str = "", **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params


@dataclass
class Choices:
    """The preferences form, as submitted."""

    display_name: str
    bio: str
    auto_watch: bool
    email: str
    delivery: dict[str, str]


def _profile(session, user: User) -> UserProfile:
    """Return the person's profile row, creating it with the defaults."""
    profile = session.get(UserProfile, user.id)
    if profile is None:
        profile = UserProfile.blank(user.id)
        session.add(profile)
    return profile


def check(choices: Choices) -> Choices:
    """Return the choices cleaned, or raise PreferenceError saying what is wrong."""
    name = " ".join(content.clean_text(choices.display_name).split())
    if len(name) > MAX_DISPLAY_NAME:
        raise PreferenceError(
            N_("The display name is too long: at most %(count)s characters."),
            "display_name",
            count=MAX_DISPLAY_NAME,
        )
    bio = content.clean_text(choices.bio).strip()
    if len(bio) > MAX_BIO:
        raise PreferenceError(
            N_("The bio is too long: at most %(count)s characters."), "bio", count=MAX_BIO
        )
    email = content.clean_text(choices.email).strip()
    if email and (len(email) > MAX_EMAIL or not _EMAIL.match(email)):
        raise PreferenceError(N_("This does not look like an email address."), "email")
    delivery = {}
    for kind in Kind:
        chosen = choices.delivery.get(kind, "")
        delivery[str(kind)] = chosen if chosen in set(Delivery) else str(Delivery.NONE)
    return Choices(name, bio, choices.auto_watch, email, delivery)


def save(user: User, choices: Choices) -> None:
    """Save a person's profile and preferences (the bio is rendered once, here)."""
    choices = check(choices)
    try:
        bio_html = content.render(choices.bio).html if choices.bio else ""
    except RenderTimeout as error:
        raise PreferenceError(str(error), "bio") from error
    with write_transaction() as session:
        profile = _profile(session, user)
        if choices.email and not profile.email:
            # A first digest covers what happens from now on, not the whole past.
            newest = session.scalar(
                select(Notification.id)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id.desc())
                .limit(1)
            )
            profile.digest_last_id = newest or 0
        profile.display_name = choices.display_name
        profile.bio, profile.bio_html = choices.bio, bio_html
        profile.auto_watch = choices.auto_watch
        profile.email = choices.email
        for kind, chosen in choices.delivery.items():
            setattr(profile, f"email_{kind}", chosen)


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
