"""A week before a personal access token expires, its owner is told by email, once.

Tools that use a token get 401 once it expires; the email names the token and the day and
links to where a new one is made (a token made for a week or less: a day before). Requests
look for tokens to warn about at most every CHECK_SECONDS in each process when the site's
address is set (SITE_URL: the links must not follow whatever Host a request named);
`flask --app wiki tokens-warn` does it now, e.g. from cron.
"""

from datetime import datetime, timedelta

from flask import Flask, current_app, has_request_context, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select, update

from ..community.watch import mail
from ..database import write_transaction
from ..i18n.locales import language_of
from ..models import User, utcnow
from ..periodic import every
from ..signin.emails import account_address
from ..site import current_site
from .models import ApiToken

#: How long before a token expires its owner is told (a token made for a week: a day).
WARN_BEFORE = timedelta(days=7)
SHORT_NOTICE = timedelta(days=1)
CHECK_SECONDS = 3600.0


def warn_expiring(now: datetime | None = None) -> int:
    """Email the owners of tokens that expire soon and were not warned about yet (revoked
    and expired ones are left alone); return how many emails. Nothing is marked warned
    while email is off."""
    if not mail.enabled():
        return 0
    now = now or utcnow()
    sent = 0
    with _links_context(), write_transaction() as session:
        due = session.scalars(
            select(ApiToken).where(
                ApiToken.revoked_at.is_(None),
                ApiToken.expiry_warned_at.is_(None),
                ApiToken.expires_at > now,
                ApiToken.expires_at <= now + WARN_BEFORE,
            )
        )
        chosen = [token.id for token in due if token.expires_at - now <= _notice(token)]
        # Claimed by the one process whose update finds them unwarned: two app servers
        # looking at once (after a deploy, or the command during traffic) send one email.
        claimed = (
            set(
                session.scalars(
                    update(ApiToken)
                    .where(ApiToken.id.in_(chosen), ApiToken.expiry_warned_at.is_(None))
                    .values(expiry_warned_at=now)
                    .returning(ApiToken.id)
                )
            )
            if chosen
            else set()
        )
        for token_id in sorted(claimed):
            token = session.get(ApiToken, token_id)
            address = account_address(token.user)  # none verified: told is told
            if address and _queue(session, token, address):
                sent += 1
    if sent and not has_request_context():
        mail.deliver()  # a request hands its emails to a job when it ends; a command sends
    return sent


def _notice(token: ApiToken) -> timedelta:
    """Return how long before it expires a token's owner is told: a week, or a day for a
    token made to last a week or less (it would be "soon" from the start)."""
    lasts = token.expires_at - token.created_at
    return WARN_BEFORE if lasts > WARN_BEFORE else SHORT_NOTICE


def _links_context():
    """Return a context whose url_for makes links to the site's address (SITE_URL), never
    to the Host a request happened to name; without SITE_URL, mail.site_context's."""
    base = current_app.config.get("SITE_URL")
    return current_app.test_request_context(base_url=base) if base else mail.site_context()


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

    def ready() -> bool:
        """Only with the site's address set: the links must not follow a request's Host."""
        return mail.enabled() and bool(current_app.config.get("SITE_URL"))

    every(app, CHECK_SECONDS, "token_expiry_throttle", warn_expiring, when=ready)

    @app.cli.command("tokens-warn")
    def _warn_command():
        """Email the owners of tokens that expire within a week (once per token)."""
        print(f"{warn_expiring()} warning(s) about expiring tokens sent")
