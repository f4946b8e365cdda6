"""Live sessions (so logging out really ends one) and throttled, then locked, login guessing."""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, session
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from ..database import write_transaction
from ..extensions import db
from ..memo import RULES, content_changed, renew_person_version, until_changed
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
    renew_person_version()  # a login by a GET (a provider's callback) posts nothing


def live_user(user_id: int, token: object) -> User | None:
    """Return the person if the cookie's session is still live for them.

    Asked on every request of a logged-in person, so the answer is remembered until the
    content changes (ending sessions, changing a role or a block are content changes) and
    the session's age is checked here each time. The password hash is never remembered:
    it loads from the database when something reads it.
    """
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    digest = _digest(token)
    found = until_changed("live-session", (user_id, digest), lambda: _live(user_id, digest), RULES)
    if found is None:
        return None
    started, columns = found
    max_age = timedelta(days=current_app.config["SESSION_MAX_AGE_DAYS"])
    if started <= utcnow() - max_age:
        return None
    user = User(**columns)
    make_transient_to_detached(user)  # as if loaded: clean, with its identity
    return db.session.merge(user, load=False)


#: The columns of an account remembered with its live session (no password hash).
_REMEMBERED = ("id", "username", "key", "role", "created_at")


def _live(user_id: int, digest: str) -> tuple | None:
    """Return when the session started and its account's columns, or None if it is gone."""
    row = db.session.execute(
        select(UserSession.created_at, *[getattr(User, name) for name in _REMEMBERED])
        .join(User, UserSession.user_id == User.id)
        .where(User.id == user_id, UserSession.id == digest)
    ).first()
    if row is None:
        return None
    started, *values = row
    return started, dict(zip(_REMEMBERED, values, strict=True))


def end_current() -> None:
    """End the live session the cookie names (the cookie itself is cleared by the caller)."""
    token = session.get(SESSION_KEY)
    if isinstance(token, str) and token:
        with write_transaction() as db_session:
            db_session.execute(delete(UserSession).where(UserSession.id == _digest(token)))
            content_changed()  # every process forgets the session it remembers


def log_in(user: User) -> None:
    """Log the person in with a fresh session (a new id defeats session fixation), ending
    the session of whoever was logged in here until now."""
    if current_user.is_authenticated:
        end_current()
        logout_user()
    session.clear()
    start(user)
    login_user(user)


def end_all(user: User, *, keep_current: bool = False) -> int:
    """End every live session of a person (but this one, if asked); return how many."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    token = session.get(SESSION_KEY) if keep_current else None
    if isinstance(token, str) and token:
        statement = statement.where(UserSession.id != _digest(token))
    with write_transaction() as db_session:
        content_changed()  # every process forgets the sessions it remembers
        return db_session.execute(statement).rowcount


def count_live(user: User) -> int:
    """Return how many live sessions a person has."""
    return len(
        db.session.scalars(select(UserSession.id).where(UserSession.user_id == user.id)).all()
    )


# Login throttling: each failure is counted for the account name and for the address. An
# account name gets LOGIN_FREE_FAILURES tries without waiting; after them each further try
# must wait (doubling from LOGIN_DELAY_SECONDS), and LOGIN_LOCKOUT_FAILURES lock it for
# LOGIN_LOCKOUT_MINUTES. An address stands for everyone behind it (a household, an office),
# so it gets as large a share of its own lockout (LOGIN_IP_LOCKOUT_FAILURES) free: a few
# typos made there earlier, on other names, never make one person's typo wait. Names that
# have no account are counted the same, so the answers never tell whether an account
# exists. Nobody waits inside a request: a try made too soon is refused, so a guessing
# script cannot tie up the server's workers.


@dataclass(frozen=True)
class Throttled:
    """A login refused before checking the password: when to try again, and whether the
    name or address is locked (rather than made to wait a little)."""

    retry_after: int
    locked: bool = False

    @property
    def message(self) -> str:
        """Return why, for a person, translated (the plural follows the number)."""
        if self.locked:
            return ngettext(
                "Too many failed logins: logging in is paused for %(num)s minute. If you "
                "forgot your password, an administrator can give you a link to set a new one.",
                "Too many failed logins: logging in is paused for %(num)s minutes. If you "
                "forgot your password, an administrator can give you a link to set a new one.",
                max(1, math.ceil(self.retry_after / 60)),
            )
        return ngettext(
            "Too many failed logins. Wait %(num)s second, then try again.",
            "Too many failed logins. Wait %(num)s seconds, then try again.",
            self.retry_after,
        )


def _keys(account_key: str, address: str) -> tuple[str, str]:
    """Return the failure-counter keys of an account name and of an address."""
    return _digest(f"account:{account_key}"), _digest(f"ip:{address}")


def _setting(name: str) -> float:
    return float(current_app.config[name])


def _free_failures() -> tuple[float, float]:
    """Return how many failures an account name, and an address, make without waiting."""
    free = _setting("LOGIN_FREE_FAILURES")
    share = _setting("LOGIN_IP_LOCKOUT_FAILURES") / max(1.0, _setting("LOGIN_LOCKOUT_FAILURES"))
    return free, math.floor(free * max(1.0, share))


def _delay(failures: int, free: float) -> float:
    """Return the seconds to wait after this many failures, the first `free` costing none."""
    extra = failures - int(free)
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


def _throttled(rows: list[LoginFailure | None], now) -> Throttled | None:
    """Return why a login may not be tried now, given the (fresh) counters of the account
    name and of the address, or None."""
    waits = []
    for row, free in zip(rows, _free_failures(), strict=True):
        if row is None:
            continue
        if row.locked_until is not None and row.locked_until > now:
            return Throttled(math.ceil((row.locked_until - now).total_seconds()), locked=True)
        ready = row.last_failure_at + timedelta(seconds=_delay(row.failures, free))
        if ready > now:
            waits.append(math.ceil((ready - now).total_seconds()))
    return Throttled(max(waits)) if waits else None


def reserve_attempt(account_key: str, address: str) -> Throttled | None:
    """Count a login attempt as failed before its password is checked, or refuse it.

    Checking and counting in one locked transaction means forty guesses sent at once get
    exactly as many tries as forty sent one by one; a right password gives the try back
    (record_success).
    """
    limits = (_setting("LOGIN_LOCKOUT_FAILURES"), _setting("LOGIN_IP_LOCKOUT_FAILURES"))
    for attempt in range(3):
        try:
            with write_transaction() as db_session:
                rows = []
                for key in _keys(account_key, address):
                    statement = select(LoginFailure).where(LoginFailure.key == key)
                    rows.append(db_session.scalar(statement.with_for_update()))
                # The time is read once the rows are locked, never before: a try that waited
                # for the lock must not find the failure counted meanwhile "in its future"
                # (a zero wait would then refuse it). Another server's clock may run a little
                # ahead, so now is never before the last failure counted.
                now = max([utcnow(), *(row.last_failure_at for row in rows if row)])
                throttled = _throttled([_fresh(row, now) for row in rows], now)
                if throttled is not None:
                    return throttled
                for key, row, limit in zip(_keys(account_key, address), rows, limits, strict=True):
                    _count_failure(db_session, key, row, limit, now)
            return None
        except IntegrityError:
            # Two attempts for a new name at once: the other made the row; count again.
            if attempt == 2:
                raise
    return None


def _count_failure(db_session, key: str, row: LoginFailure | None, limit: float, now) -> None:
    """Add one failure to a counter, starting it afresh if it was forgotten."""
    if _fresh(row, now) is None:
        row = row or LoginFailure(key=key)
        row.failures, row.locked_until = 0, None
        db_session.add(row)
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= limit:
        row.locked_until = now + timedelta(minutes=_setting("LOGIN_LOCKOUT_MINUTES"))


def record_success(account_key: str, address: str | None = None) -> None:
    """Forget the account name's failures, and give back the try a reserved attempt took
    from the address (not its other failures: one good account must not reset a guessing
    script's count)."""
    account, ip = _keys(account_key, address or "")
    with write_transaction() as db_session:
        db_session.execute(delete(LoginFailure).where(LoginFailure.key == account))
        if address is not None:
            db_session.execute(
                update(LoginFailure)
                .where(LoginFailure.key == ip, LoginFailure.failures > 0)
                .values(failures=LoginFailure.failures - 1)
            )
