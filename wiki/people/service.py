"""Accounts: registering, checking passwords, and what a profile shows."""

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..models import Role, User
from ..safety import sessions
from ..safety.accounts import find_link, use_link
from ..safety.errors import SafetyError
from ..safety.passwords import contains_username, is_common
from ..safety.policy import current_policy

MIN_PASSWORD_LENGTH = 10
#: Stored instead of a hash for accounts nobody can log in to (the demo authors).
UNUSABLE_PASSWORD = "!"
MAX_PASSWORD_LENGTH = 1024
_USERNAME = re.compile(r"^[^\W_][\w.-]{1,38}[^\W]$")
# A hash to check against when the username is unknown, so both cases take as long.
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(ValueError):
    """A refused account action; the message says why, for a person."""

    def __init__(
        self,
        message: str,
        field: str = "",
        *,
        status: int = 400,
        retry_after: int | None = None,
        **params: object,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.retry_after = retry_after
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
    if contains_username(user_key(password), user_key(username)):
        raise AccountError(N_("The password cannot be your username."), "password")
    if is_common(password):
        raise AccountError(
            N_(
                "This password is on a list of common passwords that attackers try first. "
                "Choose another: a few unrelated words make a strong one."
            ),
            "password",
        )
    if password != confirm:
        raise AccountError(N_("The two passwords do not match."), "confirm")


def register(username: str, password: str, confirm: str, invite: str = "") -> User:
    """Create an account; the first account of a new wiki is an administrator.

    The site policy may ask for an invitation (a one-time token) or close registration.
    """
    refusal = registration_refusal(invite)
    if refusal is not None:
        raise AccountError(refusal, status=403)
    policy = current_policy().register
    username = check_username(username)
    check_password(password, confirm, username)
    password_hash = generate_password_hash(password)
    try:
        with write_transaction() as session:
            first = first_account()
            user = User(
                username=username,
                key=user_key(username),
                password_hash=password_hash,
                role=Role.ADMIN if first else Role.EDITOR,
            )
            session.add(user)
            if policy == "invite" and not first:
                session.flush()
                use_link("invite", invite, session, used_by=user)
    except IntegrityError as error:
        raise AccountError(N_("This username is already taken."), "username") from error
    except SafetyError as error:
        raise AccountError(error.message, status=error.status) from error
    return user


CLOSED = N_("Registration is closed on this wiki.")
INVITE_ONLY = N_(
    "You need an invitation link from an administrator to create an account on this wiki. "
    "Ask for a new one if yours was used or has expired."
)


def registration_refusal(invite: str) -> str | None:
    """Return why nobody (or nobody without a valid invitation) may register now, or None."""
    policy = current_policy().register
    if policy == "open" or first_account():
        return None
    if policy == "invite":
        try:
            find_link("invite", invite)
        except SafetyError:
            return INVITE_ONLY
        return None
    return CLOSED


def first_account() -> bool:
    """Return whether nobody has an account yet (the first one is always welcome)."""
    people = select(func.count(User.id)).where(User.password_hash != UNUSABLE_PASSWORD)
    return db.session.scalar(people) == 0


def log_in(username: str, password: str, address: str) -> User:
    """Return the account if the password is right, counting failures against guessing.

    Refusals never tell whether the account exists: throttling counts names without an
    account the same way.
    """
    key = user_key(username.strip()[:64])
    throttled = sessions.check_login(key, address)
    if throttled is not None:
        raise AccountError(
            throttled.message, status=429, retry_after=throttled.retry_after, **throttled.params
        )
    user = authenticate(username, password)
    if user is None:
        sessions.record_failure(key, address)
        raise AccountError(N_("The username or password is not right."), status=401)
    sessions.record_success(key)
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
    if len(username) > 64 or "\x00" in username:  # PostgreSQL cannot even compare a NUL
        return None
    return db.session.scalar(select(User).where(User.key == user_key(username.strip())))


def authenticate(username: str, password: str) -> User | None:
    """Return the account if the password is right; None whatever the reason if not."""
    user = find_user(username)
    if user is None or user.password_hash == UNUSABLE_PASSWORD:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None
