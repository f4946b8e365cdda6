"""A week before a personal access token expires, its owner is told by email, once.

Tools that use a token get 401 once it expires; the email names the token and the day and
links to where a new one is made. Requests look for tokens to warn about at most every
CHECK_SECONDS in each process (no cron needed); `flask --app wiki tokens-warn` does it now.
"""

from datetime import datetime, timedelta

from flask import Flask, current_app, has_request_context, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from ..community.watch import mail
from ..database import write_transaction
from ..extensions import db
from ..i18n.locales import language_of
from ..models import User, utcnow
from ..periodic import Throttle
from ..signin.emails import account_address
from ..site import current_site
from .models import ApiToken

#: How long before a token expires its owner is told.
WARN_BEFORE = timedelta(days=7)
CHECK_SECONDS = 3600.0


def warn_expiring(now: datetime | None = None) -> int:
    """Email the owners of tokens that expire within WARN_BEFORE and were not warned
    about yet (revoked and expired ones are left alone); return how many emails."""
    now = now or utcnow()
    sent = 0
    with mail.site_context(), write_transaction() as session:
        due = session.scalars(
            select(ApiToken)
            .where(
                ApiToken.revoked_at.is_(None),
                ApiToken.expiry_warned_at.is_(None),
                ApiToken.expires_at > now,
                ApiToken.expires_at <= now + WARN_BEFORE,
            )
            .order_by(ApiToken.id)
        )
        for token in list(due):
            token.expiry_warned_at = now  # also when there is no address: told is told
            address = account_address(token.user)
            if address and _queue(session, token, address):
                sent += 1
    if sent and not has_request_context():
        mail.deliver()  # a request hands its emails to a job when it ends; a command sends
    return sent


def _queue(session, token: ApiToken, address: str) -> bool:
    """Add the warning about one token to the outbox, in its owner's language."""
    user: User = token.user
    with language_of(user.id):
        site = current_site().name
        body = render_template(
            "api/email/token_expiring.txt",
            user=user,
            token=token,
            day=format_date(token.expires_at, "long"),
            site_name=site,
            url=url_for("tokens.tokens_page", _external=True),
        )
        subject = _("Your token “%(name)s” on %(site)s expires soon", name=token.name, site=site)
    return mail.queue_message(session, user.id, address, subject, body)


def register(app: Flask) -> None:
    """Look for tokens to warn about before requests (throttled), and add the command."""
    throttle = Throttle(CHECK_SECONDS)
    app.extensions["token_expiry_throttle"] = throttle

    @app.before_request
    def _warn_about_expiring_tokens():
        if throttle.due() and mail.enabled():
            try:
                warn_expiring()
            except Exception:  # a failed warning must not fail the reader's request
                db.session.rollback()
                current_app.logger.exception("warning about expiring tokens failed")

    @app.cli.command("tokens-warn")
    def _warn_command():
        """Email the owners of tokens that expire within a week (once per token)."""
        print(f"{warn_expiring()} warning(s) about expiring tokens sent")
