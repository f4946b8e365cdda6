"""Shell commands: flask --app wiki send-mail | send-digests | rebuild-credits."""

import click
from flask import Flask
from sqlalchemy import case, delete, func, insert, select

from ..database import write_transaction
from ..memo import content_changed
from ..models import Revision
from .models import PageContributor
from .watch import mail


def rebuild_credits() -> int:
    """Recount every page's contributors from the revisions; return how many rows there are."""
    grown = func.sum(case((Revision.size_change > 0, Revision.size_change), else_=0))
    created = func.max(case((Revision.parent_id.is_(None), 1), else_=0))
    rows = (
        select(
            Revision.page_id,
            Revision.author_id,
            func.count(Revision.id),
            grown,
            created == 1,
            func.min(Revision.created_at),
            func.max(Revision.created_at),
        )
        .where(Revision.author_id.is_not(None))
        .group_by(Revision.page_id, Revision.author_id)
    )
    columns = ["page_id", "user_id", "edits", "bytes_added", "created", "first_at", "last_at"]
    with write_transaction() as session:
        content_changed()  # page views remember the credits: let every process count again
        session.execute(delete(PageContributor))
        session.execute(insert(PageContributor).from_select(columns, rows))
        return session.scalar(select(func.count()).select_from(PageContributor))


def register(app: Flask) -> None:
    """Add the community commands to the flask command line."""

    @app.cli.command("send-mail")
    def send_mail() -> None:
        """Send the emails waiting in the outbox (run it from cron to retry failures)."""
        if not mail.enabled():
            raise click.ClickException("Email is off: set MAIL_SERVER to send email.")
        click.echo(f"Sent {mail.deliver()} email(s).")

    @app.cli.command("send-digests")
    def send_digests() -> None:
        """Send the daily digest to everyone who asked for one (run it daily from cron)."""
        if not mail.enabled():
            raise click.ClickException("Email is off: set MAIL_SERVER to send email.")
        click.echo(f"Sent {mail.send_digests()} digest(s).")

    @app.cli.command("rebuild-credits")
    def rebuild() -> None:
        """Recount every page's contributors from the revisions (after a bulk import)."""
        click.echo(f"{rebuild_credits()} page credits recounted.")
