"""Protecting pages (moderators): only editors, or only moderators, may edit them for a while."""

from sqlalchemy import delete, or_, select

from .. import modlog
from ..core.titles import N_, Title
from ..database import write_transaction
from ..extensions import db
from ..models import Page, Role, User, utcnow
from .accounts import is_moderator
from .durations import check_reason, expiry
from .errors import NotAllowed, SafetyError
from .models import Protection

ONLY_MODERATORS = N_("Only moderators can protect pages.")
#: Form value → (Role, label).
LEVELS = {
    "editor": (Role.EDITOR, N_("Registered editors only (no anonymous or new readers)")),
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
        raise SafetyError(N_("Choose who may still edit the page from the list."))
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
