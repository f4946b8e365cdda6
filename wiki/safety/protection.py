"""Protecting pages (moderators): only editors, or only moderators, may edit them for a while."""

from sqlalchemy import delete, or_, select

from .. import events, modlog
from ..access.models import Protection
from ..access.permissions import is_moderator
from ..core.titles import N_, Title, parse_title
from ..database import write_transaction
from ..extensions import db
from ..memo import content_changed
from ..models import Page, Role, User, utcnow
from ..problems import BadRequest, NotAllowed
from .durations import check_reason, expiry

ONLY_MODERATORS = N_("Only moderators can protect pages.")
#: Form value → (Role, label).
LEVELS = {
    "editor": (
        Role.EDITOR,
        N_(
            "Logged-in editors only: visitors without an account and accounts with "
            "the Reader role cannot edit"
        ),
    ),
    "moderator": (Role.MODERATOR, N_("Moderators only")),
}


def current(title: Title) -> Protection | None:
    """Return the protection in force on a title, or None."""
    row = db.session.scalar(select(Protection).where(Protection.page_key == title.key))
    return row if row is not None and row.active(utcnow()) else None


def protect(moderator: User, title: Title, level: str, duration: str, reason: str) -> Protection:
    """Protect a page (or a title not yet created), replacing any protection it had."""
    if not is_moderator(moderator):
        raise NotAllowed(ONLY_MODERATORS)
    if level not in LEVELS:
        raise BadRequest(N_("Choose who may still edit the page from the list."))
    reason = check_reason(reason, required=True)
    until = expiry(duration)
    with write_transaction() as session:
        session.execute(delete(Protection).where(Protection.page_key == title.key))
        row = Protection(
            page_key=title.key,
            title=title.display,
            level=int(LEVELS[level][0]),
            reason=reason,
            created_by_id=moderator.id,
            expires_at=until,
        )
        session.add(row)
        content_changed()  # the page's edit tab follows, in every process
        page = session.scalar(select(Page).where(Page.key == title.key))
        modlog.record(
            "protect",
            moderator,
            page=page,
            target=title.display,
            reason=reason,
            level=level,
            expires=until.isoformat() if until else None,
        )
    return row


def unprotect(moderator: User, title: Title, reason: str) -> bool:
    """Lift a page's protection; return whether it had one."""
    if not is_moderator(moderator):
        raise NotAllowed(ONLY_MODERATORS)
    reason = check_reason(reason, required=False)
    with write_transaction() as session:
        removed = session.execute(delete(Protection).where(Protection.page_key == title.key))
        if not removed.rowcount:
            return False
        content_changed()
        page = session.scalar(select(Page).where(Page.key == title.key))
        modlog.record("unprotect", moderator, page=page, target=title.display, reason=reason)
    return True


def protected_pages(limit: int = 200) -> list[Protection]:
    """Return the protections in force, newest first."""
    now = utcnow()
    statement = select(Protection).where(
        or_(Protection.expires_at.is_(None), Protection.expires_at > now)
    )
    return list(db.session.scalars(statement.order_by(Protection.id.desc()).limit(limit)))


@events.page_moved.connect
def _follow_the_page(sender, page: Page, old_title: str, **_extra) -> None:
    """Keep a moved page protected at its new title, and its old title too (the redirect
    left there must not become an open door); inside the move's transaction."""
    old_key = parse_title(old_title).key
    if old_key == page.key:
        return
    session = db.session()
    old = session.scalar(select(Protection).where(Protection.page_key == old_key))
    if old is None or not old.active(utcnow()):
        return
    session.execute(delete(Protection).where(Protection.page_key == page.key))
    session.add(
        Protection(
            page_key=page.key,
            title=page.title,
            level=old.level,
            reason=old.reason,
            created_by_id=old.created_by_id,
            expires_at=old.expires_at,
        )
    )
