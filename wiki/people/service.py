"""Accounts: registering, logging in, and making administrators."""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..access.policy import current_policy
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..identity import (
    UNUSABLE_PASSWORD,
    AccountError,
    authenticate,
    check_password,
    check_username,
    find_user,
    hash_password,
    outdated_hash,
    password_problems,
    user_key,
)
from ..models import Role, User
from ..problems import UserError
from ..safety import sessions
from ..safety.accounts import find_link, use_link

#: app.extensions key: steps a login passes before its session starts. Each is a function
#: (user, next URL) → a URL to continue at (e.g. two-factor), or None to go on.
LOGIN_STEPS = "bottega_login_steps"


class RegistrationRefused(AccountError):
    """A registration refused for one or more reasons (the first is its message)."""

    def __init__(self, problems: list[AccountError]) -> None:
        first = problems[0]
        super().__init__(first.message, first.field, status=first.status, **first.params)
        self.problems = problems


def register(username: str, password: str, confirm: str, invite: str = "") -> User:
    """Create an account; the first account of a new wiki is an administrator.

    The site policy may ask for an invitation (a one-time token) or close registration.
    """
    refusal = registration_refusal(invite)
    if refusal is not None:
        raise AccountError(refusal, status=403)
    policy = current_policy().register
    # Every field is checked, so a person learns all that is wrong in one try.
    problems: list[AccountError] = []
    try:
        username = check_username(username)
    except AccountError as problem:
        problems.append(problem)
    else:
        if _taken(username):  # told now, with the rest (the insert below still decides)
            problems.append(AccountError(TAKEN, "username"))
    problems += password_problems(password, confirm, username)
    if problems:
        raise RegistrationRefused(problems)
    password_hash = hash_password(password)
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
        raise AccountError(TAKEN, "username") from error
    except UserError as error:
        raise AccountError(error.message, status=error.status) from error
    return user


TAKEN = N_("This username is already taken.")


def _taken(username: str) -> bool:
    """Return whether an account already has this name (as names are compared)."""
    return db.session.scalar(select(User.id).where(User.key == user_key(username))) is not None


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
        return None if invited(invite) else INVITE_ONLY
    return CLOSED


def invited(invite: str) -> bool:
    """Return whether this is a working invitation link's token."""
    try:
        find_link("invite", invite)
    except UserError:
        return False
    return True


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
    throttled = sessions.reserve_attempt(key, address)
    if throttled is not None:
        raise AccountError(throttled.message, status=429, retry_after=throttled.retry_after)
    user = authenticate(username, password)
    if user is None:
        raise AccountError(N_("The username or password is not right."), status=401)
    sessions.record_success(key, address)
    if outdated_hash(user):  # the site chose another method: every login moves one account
        with write_transaction():
            user = db.session.merge(user)
            user.password_hash = hash_password(password)
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
            password_hash=hash_password(password),
            role=Role.ADMIN,
        )
        session.add(user)
    return user
