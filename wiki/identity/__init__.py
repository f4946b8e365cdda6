"""Who a person is: account names, passwords, and looking accounts up.

The lowest layer about people: accounts, sign-in and administration build on it.
"""

import re
import unicodedata
from functools import cache

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.signin import USERNAME, username_from
from ..core.titles import N_
from ..extensions import db
from ..models import Role, User
from ..problems import UserError
from .passwords import common_match, contains_username

MIN_PASSWORD_LENGTH = 10
#: Stored instead of a hash for accounts nobody can log in to (the demo authors).
UNUSABLE_PASSWORD = "!"
#: Stored instead of a hash for people who sign in only through a provider (no password yet).
NO_PASSWORD = "!provider"
MAX_PASSWORD_LENGTH = 1024
_USERNAME = USERNAME
#: How many names a completion offers at most.
NAME_SUGGESTIONS = 8
# What may follow "@" in a mention while it is being typed (see wiki.core.signin.USERNAME).
_TYPED_NAME = re.compile(r"[\w.-]{1,40}")


class AccountError(UserError):
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
        super().__init__(message, field=field, **params)
        self.status = status
        self.retry_after = retry_after


def user_key(username: str) -> str:
    """Return the lookup key of a username: "Anna" and "ANNA" are one person."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


def check_username(username: str) -> str:
    """Return the username trimmed, or raise AccountError saying what is wrong."""
    username = unicodedata.normalize("NFC", username.strip())
    if not _USERNAME.match(username):
        suggestion = username_from(username)
        if suggestion:  # "Tom Customer" → "Tom.Customer": one the person can take as it is
            raise AccountError(
                N_(
                    "A username has 3 to 40 letters, digits, dots, hyphens or underscores, "
                    "and no spaces. How about “%(suggestion)s”?"
                ),
                "username",
                suggestion=suggestion,
            )
        raise AccountError(
            N_(
                "A username has 3 to 40 letters, digits, dots, hyphens or underscores, "
                "and starts and ends with a letter or digit."
            ),
            "username",
        )
    return username


def password_problems(password: str, confirm: str, username: str) -> list[AccountError]:
    """Return what is wrong with a new password and its confirmation: the password's first
    problem and, apart, a confirmation that differs (a form lists them at once)."""
    problems = []
    try:
        check_password(password, confirm, username)
    except AccountError as problem:
        problems.append(problem)
        if problem.field != "confirm" and password != confirm:
            problems.append(AccountError(MISMATCH, "confirm"))
    return problems


MISMATCH = N_("The two passwords do not match.")


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
    common = common_match(password)
    if common == "decorated":
        raise AccountError(
            N_(
                "This password is a common word or password with digits or symbols around "
                "it, which attackers try first. Choose another: a few unrelated words make a "
                "strong one."
            ),
            "password",
        )
    if common is not None:
        raise AccountError(
            N_(
                "This password is on a list of common passwords that attackers try first. "
                "Choose another: a few unrelated words make a strong one."
            ),
            "password",
        )
    if password != confirm:
        raise AccountError(MISMATCH, "confirm")


def find_user(username: str) -> User | None:
    """Return the account with this username, or None."""
    if len(username) > 64 or "\x00" in username:  # PostgreSQL cannot even compare a NUL
        return None
    return db.session.scalar(select(User).where(User.key == user_key(username.strip())))


def suggest_usernames(typed: str, limit: int = NAME_SUGGESTIONS) -> list[str]:
    """Return the usernames that begin with what was typed after "@", by their keys.

    Only names: they are public (every history shows them); nothing else of an account.
    """
    typed = unicodedata.normalize("NFC", typed.strip())
    if not _TYPED_NAME.fullmatch(typed):
        return []
    key = user_key(typed)
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = db.session.execute(
        select(User.key, User.username)
        .where(User.key.like(escaped + "%", escape="\\"))
        .order_by(User.key)
        .limit(limit)
    )
    # In code point order whatever the database's collation, so both engines agree.
    return [username for _key, username in sorted(rows)]


def administrators(limit: int = 5) -> list[str]:
    """Return the usernames of up to limit administrators, in code point order (whom to ask
    when the wiki cannot email: their names are public in every history they edited)."""
    rows = db.session.execute(
        select(User.key, User.username).where(User.role >= Role.ADMIN).order_by(User.key)
    )
    return [username for _key, username in sorted(rows)][:limit]


def hash_password(password: str) -> str:
    """Return a password's hash, by the site's method (PASSWORD_HASH_METHOD)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def outdated_hash(user: User) -> bool:
    """Return whether an account's password was hashed by another method or parameters
    than the site's now (it is hashed anew at its next login)."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    return has_password(user) and not user.password_hash.startswith(_method_prefix(method))


@cache
def _method_prefix(method: str) -> str:
    """Return how hashes by a method begin ("scrypt:32768:8:1$"): its full parameters."""
    return generate_password_hash("", method=method).split("$", 1)[0] + "$"


@cache
def _dummy_hash(method: str) -> str:
    """Return a hash to check when the username is unknown, so both cases take as long."""
    return generate_password_hash("not a real password", method=method)


def has_password(user: User) -> bool:
    """Return whether the account has a password one can log in with."""
    return not user.password_hash.startswith("!")


def authenticate(username: str, password: str) -> User | None:
    """Return the account if the password is right; None whatever the reason if not."""
    user = find_user(username)
    if user is None or not has_password(user):
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    return user if check_password_hash(user.password_hash, password) else None
