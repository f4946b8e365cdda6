"""Live sessions (so logging out really ends one) and throttled, then locked, login guessing."""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, session
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..models import User, utcnow
from .models import LoginFailure, UserSession

#: The session cookie's entry naming the live session.
SESSION_KEY = "sid"


def _digest(text: str) -> str:
    """Return the SHA-256 of a text, in hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def start(user: User) -> None:
    """Record a new live session for the person and name it in the (already cleared) cookie."""
    token = secrets.token_urlsafe(32)
    with write_transaction() as db_session:
        db_session.add(UserSession(id=_digest(token), user_id=user.id))
    session[SESSION_KEY] = token


def is_live(user_id: int, token: object) -> bool:
    """Return whether the cookie's session is still live for this person."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return False
    row = db.session.get(UserSession, _digest(token))
    if row is None or row.user_id != user_id:
        return False
    max_age = timedelta(days=current_app.config["SESSION_MAX_AGE_DAYS"])
    return row.created_at > utcnow() - max_age


def end_current() -> None:
    """End the live session the cookie names (the cookie itself is cleared by the caller)."""
    token = session.get(SESSION_KEY)
    if isinstance(token, str) and token:
        with write_transaction() as db_session:
            db_session.execute(delete(UserSession).where(UserSession.id == _digest(token)))


def end_all(user: User, *, keep_current: bool = False) -> int:
    """End every live session of a person (but this one, if asked); return how many."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    token = session.get(SESSION_KEY) if keep_current else None
    if isinstance(token, str) and token:
        statement = statement.where(UserSession.id != _digest(token))
    with write_transaction() as db_session:
        return db_session.execute(statement).rowcount


def count_live(user: User) -> int:
    """Return how many live sessions a person has."""
    return len(
        db.session.scalars(select(UserSession.id).where(UserSession.user_id == user.id)).all()
    )


# Login throttling: each failure is counted for the account name and for the address. After
# LOGIN_FREE_FAILURES, each further try must wait (doubling); after LOGIN_LOCKOUT_FAILURES
# (per account) or LOGIN_IP_LOCKOUT_FAILURES (per address), logging in is locked for
# LOGIN_LOCKOUT_MINUTES. Names that have no account are counted the same, so the answers
# never tell whether an account exists. Nobody waits inside a request: a try made too soon
# is refused, so a guessing script cannot tie up the server's workers.


@dataclass(frozen=True)
class Throttled:
    """A login refused before checking the password: why, and when to try again."""

    message: str
    params: dict
    retry_after: int


WAIT = N_("Too many failed logins. Wait %(seconds)s seconds, then try again.")
LOCKED = N_(
    "Too many failed logins: logging in is paused for %(minutes)s minutes. If you forgot "
    "your password, an administrator can give you a link to set a new one."
)


def _keys(account_key: str, address: str) -> tuple[str, str]:
    """Return the failure-counter keys of an account name and of an address."""
    return _digest(f"account:{account_key}"), _digest(f"ip:{address}")


def _setting(name: str) -> float:
    return float(current_app.config[name])


def _delay(failures: int) -> float:
    """Return the seconds to wait after this many failures."""
    extra = failures - int(_setting("LOGIN_FREE_FAILURES"))
    if extra < 0:
        return 0.0
    return min(_setting("LOGIN_MAX_DELAY_SECONDS"), _setting("LOGIN_DELAY_SECONDS") * 2**extra)


def _fresh(row: LoginFailure | None, now) -> LoginFailure | None:
    """Return the counter unless it is old enough to be forgotten."""
    window = timedelta(minutes=_setting("LOGIN_LOCKOUT_MINUTES"))
    if row is None:
        return None
    if row.locked_until is not None and row.locked_until > now:
        return row
    return row if row.last_failure_at > now - window else None


def check_login(account_key: str, address: str) -> Throttled | None:
    """Return why a login may not be tried now, or None if it may."""
    now = utcnow()
    rows = [_fresh(db.session.get(LoginFailure, key), now) for key in _keys(account_key, address)]
    waits = []
    for row in filter(None, rows):
        if row.locked_until is not None and row.locked_until > now:
            seconds = math.ceil((row.locked_until - now).total_seconds())
            minutes = max(1, math.ceil(seconds / 60))
            return Throttled(LOCKED, {"minutes": minutes}, seconds)
        ready = row.last_failure_at + timedelta(seconds=_delay(row.failures))
        if ready > now:
            waits.append(math.ceil((ready - now).total_seconds()))
    if waits:
        return Throttled(WAIT, {"seconds": max(waits)}, max(waits))
    return None


def record_failure(account_key: str, address: str) -> None:
    """Count a failed login for the account name and for the address."""
    limits = (_setting("LOGIN_LOCKOUT_FAILURES"), _setting("LOGIN_IP_LOCKOUT_FAILURES"))
    for attempt in range(3):
        try:
            with write_transaction() as db_session:
                now = utcnow()
                for key, limit in zip(_keys(account_key, address), limits, strict=True):
                    row = db_session.scalar(
                        select(LoginFailure).where(LoginFailure.key == key).with_for_update()
                    )
                    if _fresh(row, now) is None:
                        row = row or LoginFailure(key=key)
                        row.failures, row.locked_until = 0, None
                        db_session.add(row)
                    row.failures += 1
                    row.last_failure_at = now
                    if row.failures >= limit:
                        lockout = timedelta(minutes=_setting("LOGIN_LOCKOUT_MINUTES"))
                        row.locked_until = now + lockout
            return
        except IntegrityError:
            # Two failures for a new name at once: the other made the row; count again.
            if attempt == 2:
                raise


def record_success(account_key: str) -> None:
    """Forget the account name's failures (not the address's: one good account must not
    reset a guessing script's count)."""
    key = _keys(account_key, "")[0]
    with write_transaction() as db_session:
        db_session.execute(delete(LoginFailure).where(LoginFailure.key == key))
