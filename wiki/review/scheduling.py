"""Scheduled publication: a reviewer accepts a page's waiting changes for a later moment.

Until then the changes keep waiting (so only people who may see waiting changes read
them, and a page nobody published yet is missing for everyone else). Due schedules are
published by the first request after their moment (each process looks at most every
CHECK_SECONDS) or by `flask review-publish-due` from cron.
"""

from datetime import datetime

from flask_babel import get_timezone
from sqlalchemy import delete, select

from .. import modlog
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..memo import page_changed
from ..models import Page, User, utcnow
from ..periodic import every
from ..problems import BadRequest, Conflict, UserError
from .models import ScheduledPublication
from .publishing import _reviewed_revision, accept, require_reviewer, waiting_ids

CHECK_SECONDS = 30.0
#: What the form's datetime-local field sends.
FORM_FORMAT = "%Y-%m-%dT%H:%M"


def parse_moment(raw: str | None) -> datetime:
    """Return a date and time typed in the wiki's time zone as UTC, or raise BadRequest."""
    try:
        naive = datetime.strptime((raw or "").strip(), FORM_FORMAT)
    except ValueError:
        raise BadRequest(
            N_("Give the date and time of publication, e.g. 2027-03-01T09:00.")
        ) from None
    zone = get_timezone()
    local = zone.localize(naive) if hasattr(zone, "localize") else naive.replace(tzinfo=zone)
    return local.astimezone(utcnow().tzinfo)


def scheduled(page: Page) -> ScheduledPublication | None:
    """Return the page's scheduled publication, or None."""
    return db.session.get(ScheduledPublication, page.id)


def schedule(reviewer: User, page: Page, revision_id: int | None, moment: datetime):
    """Publish the page up to the revision shown at this moment (replacing any schedule)."""
    require_reviewer(reviewer)
    shown = _reviewed_revision(page, revision_id)
    if moment <= utcnow():
        raise BadRequest(N_("The moment of publication must be in the future."))
    if not [rid for rid in waiting_ids(page.id) if rid <= shown.id]:
        raise Conflict(N_("These changes were already reviewed (perhaps by another reviewer)."))
    with write_transaction() as session:
        session.execute(
            delete(ScheduledPublication).where(ScheduledPublication.page_id == page.id)
        )
        session.add(
            ScheduledPublication(
                page_id=page.id,
                revision_id=shown.id,
                publish_at=moment,
                scheduled_by_id=reviewer.id,
            )
        )
        page_changed(page.key)  # its notice, in every process
        modlog.record(
            "schedule", reviewer, page=page, revision=shown.id, publish_at=moment.isoformat()
        )


def publish_due(now: datetime | None = None) -> int:
    """Publish every schedule whose moment has come; return how many were published."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(ScheduledPublication).where(ScheduledPublication.publish_at <= now)
        )
    )
    done = 0
    for row in due:
        page, user, revision_id = (
            db.session.get(Page, row.page_id),
            row.scheduled_by,
            row.revision_id,
        )
        try:
            accept(user, page, revision_id)
            done += 1
        except UserError:
            pass  # published meanwhile, or the reviewer lost the role: the row goes anyway
        with write_transaction() as session:
            session.execute(
                delete(ScheduledPublication).where(
                    ScheduledPublication.page_id == page.id,
                    ScheduledPublication.revision_id == revision_id,
                )
            )
    return done


def register(app) -> None:
    """Publish due schedules before requests (throttled per process)."""
    every(app, CHECK_SECONDS, "review_schedule_throttle", publish_due)

    @app.cli.command("review-publish-due")
    def _publish_due_command():
        """Publish the pending changes whose scheduled moment has come."""
        print(f"{publish_due()} scheduled publications done")
