"""Two-factor authentication: an authenticator app (TOTP, RFC 6238) and recovery codes.

A code works once: the last accepted 30-second step is stored, and a code for that step
or an earlier one is refused (a code seen over a shoulder or a phished one cannot be
replayed). Every code tried counts against login throttling, like a password.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import pyotp
import segno
from sqlalchemy import delete, select, update

from ..access.policy import current_policy
from ..core.signin import RECOVERY_ALPHABET, format_recovery_code, normalise_code
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..identity import AccountError
from ..models import Role, User, utcnow
from ..problems import Conflict, NotAllowed
from ..safety import sessions
from ..site import current_site
from .models import RecoveryCode, TwoFactor

RECOVERY_CODES = 10
WRONG_CODE = N_(
    "The code is not right. Enter the 6 digits your app shows now, or a recovery code."
)
#: While setting up there are no recovery codes yet: the app's code alone.
WRONG_SETUP_CODE = N_("The code is not right. Enter the 6 digits your app shows now.")
REPLAYED = N_("This code was already used. Wait for your app to show the next one.")
REQUIRED = N_(
    "Moderators and administrators must use two-factor authentication on this wiki, so it "
    "cannot be turned off."
)


def confirmed(user: User) -> TwoFactor | None:
    """Return the person's working authenticator setup, or None."""
    row = db.session.get(TwoFactor, user.id)
    return row if row is not None and row.confirmed_at is not None else None


def is_required(user: User) -> bool:
    """Return whether the site policy makes this person use two-factor authentication."""
    return current_policy().two_factor == "staff" and user.has_role(Role.MODERATOR)


def begin(user: User, *, fresh: bool = False) -> TwoFactor:
    """Return the secret being set up for the person, making one (a new one if fresh)."""
    with write_transaction() as session:
        row = session.get(TwoFactor, user.id)
        if row is not None and row.confirmed_at is not None:
            raise Conflict(N_("Two-factor authentication is already on."))
        if row is None:
            row = TwoFactor(user_id=user.id, secret=pyotp.random_base32(), last_step=0)
            session.add(row)
        elif fresh:
            row.secret = pyotp.random_base32()
    return row


def otpauth_uri(user: User, row: TwoFactor) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    # A colon separates issuer and account in the key's label: apps would split a site
    # called "Acme: Partners" in the wrong place.
    site = " ".join(current_site().name.replace(":", " ").split())
    return pyotp.TOTP(row.secret).provisioning_uri(name=user.username, issuer_name=site)


def qr_svg(uri: str, title: str) -> str:
    """Return the URI as an inline SVG QR code (made here: no outside service sees it)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=title, svgclass="qr-code"
    )


def _throttle(user: User, address: str) -> str:
    """Count a code attempt against login throttling, or raise if too many failed; return
    the counter's key."""
    key = f"2fa:{user.key}"
    throttled = sessions.reserve_attempt(key, address)
    if throttled is not None:
        raise AccountError(throttled.message, status=429, retry_after=throttled.retry_after)
    return key


def _step(secret: str, code: str, now: datetime) -> int | None:
    """Return the time step this code is right for (now, or one step either side), or None."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(session, user_id: int, step: int) -> bool:
    """Record the step as used; False if it (or a later one) was used already."""
    claimed = session.execute(
        update(TwoFactor)
        .where(TwoFactor.user_id == user_id, TwoFactor.last_step < step)
        .values(last_step=step)
    )
    return claimed.rowcount == 1


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def check(user: User, code: str, address: str, *, setup: bool = False) -> str:
    """Accept a code from the person's app (or, unless setting up, a recovery code); return
    "app" or "recovery". Raise AccountError if it is wrong, used, or tried too often."""
    key = _throttle(user, address)
    code = normalise_code(code)
    row = db.session.get(TwoFactor, user.id)
    if row is None or (row.confirmed_at is None) != setup:
        raise AccountError(WRONG_CODE, "code", status=401)
    step = _step(row.secret, code, datetime.now(UTC))
    with write_transaction() as session:
        if step is not None:
            if not _claim_step(session, user.id, step):
                raise AccountError(REPLAYED, "code", status=401)
            used = "app"
        elif not setup and _use_recovery_code(session, user.id, code):
            used = "recovery"
        else:
            raise AccountError(WRONG_SETUP_CODE if setup else WRONG_CODE, "code", status=401)
    sessions.record_success(key, address)
    return used


def _use_recovery_code(session, user_id: int, code: str) -> bool:
    """Mark an unused recovery code used; False if there is none like it."""
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return used.rowcount == 1


def confirm(user: User, code: str, address: str) -> list[str]:
    """Turn two-factor on once a code from the new app is right; return recovery codes."""
    check(user, code, address, setup=True)
    with write_transaction() as session:
        session.get(TwoFactor, user.id).confirmed_at = utcnow()
        codes = _new_codes(session, user.id)
    return codes


def _new_codes(session, user_id: int) -> list[str]:
    """Replace the person's recovery codes with new ones; return them (shown once)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [
        format_recovery_code("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)))
        for _ in range(RECOVERY_CODES)
    ]
    session.add_all(RecoveryCode(user_id=user_id, code_hash=_code_hash(code)) for code in codes)
    return codes


def renew_codes(user: User, code: str, address: str) -> list[str]:
    """Give the person new recovery codes (the old ones stop working), after a right code."""
    check(user, code, address)
    with write_transaction() as session:
        return _new_codes(session, user.id)


def remaining_codes(user: User) -> int:
    """Return how many unused recovery codes the person has."""
    statement = select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return len(db.session.scalars(statement).all())


def turn_off(user: User, code: str, address: str) -> None:
    """Turn two-factor off after a right code, unless the site policy requires it."""
    if is_required(user):
        raise NotAllowed(REQUIRED)
    check(user, code, address)
    with write_transaction() as session:
        session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
