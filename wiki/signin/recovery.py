"""Forgot password: a one-time link by email to a verified address of the account.

The answer is the same whether or not the account exists or has a verified address, and
requests count against login throttling (per name or address asked for, and per client
address), so the form tells nothing and cannot be used to flood someone's inbox.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, render_template, url_for
from flask_babel import gettext as _

from ..community.watch import mail
from ..core.text import clean_text
from ..database import write_transaction
from ..identity import AccountError, find_user
from ..models import User, utcnow
from ..safety import sessions
from ..safety.models import OneTimeLink
from ..site import current_site
from . import emails

RESET_MINUTES = 60


def request_reset(identifier: str, address: str) -> bool:
    """Send a reset link if the username or address names an account with a verified
    address; return whether one was sent (for logs and tests: people are told the same)."""
    text = clean_text(identifier).strip()[:254]
    # Counted apart from logins (a reset request is no failed login), per name and address.
    throttled = sessions.reserve_attempt(f"reset:{emails.email_key(text)}", f"reset:{address}")
    if throttled is not None:
        raise AccountError(throttled.message, status=429, retry_after=throttled.retry_after)
    user, recipient = _recipient(text)
    if user is None or not recipient:
        return False
    token = secrets.token_urlsafe(32)
    minutes = int(current_app.config.get("SIGNIN_RESET_MINUTES", RESET_MINUTES))
    with write_transaction() as session:
        session.add(
            OneTimeLink(
                kind="reset",
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                user_id=user.id,
                note="requested by email",
                expires_at=utcnow() + timedelta(minutes=minutes),
            )
        )
        with mail.site_context():
            url = url_for("safety.reset_password", token=token, _external=True)
            body = render_template("signin/email/reset.txt", user=user, url=url, minutes=minutes)
            subject = _("Set a new password on %(site)s", site=current_site().name)
        return mail.queue_message(session, user.id, recipient, subject, body)


def _recipient(text: str) -> tuple[User | None, str]:
    """Return the account a username or address names, and the verified address to use."""
    if "@" in text:
        user = emails.verified_owner(text)
        return user, text if user is not None else ""
    user = find_user(text) if text else None
    if user is None:
        return None, ""
    return user, emails.account_address(user)
