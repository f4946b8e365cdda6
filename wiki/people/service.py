"""Accounts: registering, checking passwords, and what a profile shows."""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..models import Revision, Role, User

MIN_PASSWORD_LENGTH = 10
#: Stored instead of a hash for accounts nobody can log in to (the demo authors).
UNUSABLE_PASSWORD = "!"
MAX_PASSWORD_LENGTH = 1024
_USERNAME = re.compile(r"^[^\W_][\w.-]{1,38}[^\W]$")
# A hash to check against when the username is unknown, so both cases take as long.
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(ValueError):
    """A refused account action; the message says why, for a person."""

    def __init__(self, message: str, field: str = "", **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params


def user_key(username: str) -> str:
    """Return the lookup key of a username: "Anna" and "ANNA" are one person."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


def check_username(username: str) -> str:
    """Return the username trimmed, or raise AccountError saying what is wrong."""
    username = unicodedata.normalize("NFC", username.strip())
    if not _USERNAME.match(username):
        raise AccountError(
            N_(
                "A username has 3 to 40 letters, digits, dots, hyphens or underscores, "
                "and starts and ends with a letter or digit."
            ),
            "username",
        )
    return username


def check_password(password: str, confirm: str, username: str) -> None:
    """Raise AccountError if the password is too weak or the confirmation differs."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            N_("The password must have at least %(count)s characters."),
            "password",
            count=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(N_("The password is too long."), "password")
    if user_key(password) == user_key(username):
        raise AccountError(N_("The password cannot be your username."), "password")
    if password != confirm:
        raise AccountError(N_("The two passwords do not match."), "confirm")


def register(username: str, password: str, confirm: str) -> User:
    """Create an account; the first account of a new wiki is an administrator."""
    username = check_username(username)
    check_password(password, confirm, username)
    password_hash = generate_password_hash(password)
    try:
        with write_transaction() as session:
            people = select(func.count(User.id)).where(User.password_hash != UNUSABLE_PASSWORD)
            first = session.scalar(people) == 0
            user = User(
                username=username,
                key=user_key(username),
                password_hash=password_hash,
                role=Role.ADMIN if first else Role.EDITOR,
            )
            session.add(user)
    except IntegrityError as error:
        raise AccountError(N_("This username is already taken."), "username") from error
    return user


def create_admin(username: str, password: str) -> User:
    """Create an administrator account, or make an existing account an administrator."""
    user = find_user(username)
    if user is not None:
        with write_transaction():
            user = db.session.merge(user)
            user.role = Role.ADMIN
        return user
    username = check_username(username)
    check_password(password, password, username)
    with write_transaction() as session:
        user = User(
            username=username,
            key=user_key(username),
            password_hash=generate_password_hash(password),
            role=Role.ADMIN,
        )
        session.add(user)
    return user


def find_user(username: str) -> User | None:
    """Return the account with this username, or None."""
    if len(username) > 64:
        return None
    return db.session.scalar(select(User).where(User.key == user_key(username.strip())))


def authenticate(username: str, password: str) -> User | None:
    """Return the account if the password is right; None whatever the reason if not."""
    user = find_user(username)
    if user is None or user.password_hash == UNUSABLE_PASSWORD:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


@dataclass
class Profile:
    """What a person's profile page shows."""

    user: User
    edit_count: int
    recent: list[Revision]


def profile(user: User, limit: int = 50) -> Profile:
    """Return a person's profile: counts and their latest edits."""
    count = db.session.scalar(select(func.count(Revision.id)).where(Revision.author_id == user.id))
    recent = db.session.scalars(
        select(Revision)
        .where(Revision.author_id == user.id)
        .options(joinedload(Revision.page))
        .order_by(Revision.id.desc())
        .limit(limit)
    )
    return Profile(user=user, edit_count=count or 0, recent=list(recent))
