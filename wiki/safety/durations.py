"""How long a block or a protection lasts: the choices of the forms."""

from datetime import datetime, timedelta

from ..core.text import clean_text
from ..core.titles import N_
from ..models import utcnow
from ..problems import BadRequest

#: Form value → (length, label); None lasts until lifted.
DURATIONS: dict[str, tuple[timedelta | None, str]] = {
    "1h": (timedelta(hours=1), N_("1 hour")),
    "1d": (timedelta(days=1), N_("1 day")),
    "3d": (timedelta(days=3), N_("3 days")),
    "1w": (timedelta(weeks=1), N_("1 week")),
    "1m": (timedelta(days=30), N_("1 month")),
    "3m": (timedelta(days=90), N_("3 months")),
    "1y": (timedelta(days=365), N_("1 year")),
    "never": (None, N_("Until lifted")),
}


def expiry(choice: str) -> datetime | None:
    """Return when a block or protection chosen for this long ends (None: never)."""
    if choice not in DURATIONS:
        raise BadRequest(N_("Choose how long it lasts from the list."))
    length = DURATIONS[choice][0]
    return utcnow() + length if length is not None else None


def check_reason(reason: str, *, required: bool) -> str:
    """Return the reason on one line, or raise BadRequest if it is missing or too long."""
    reason = " ".join(clean_text(reason).split())
    if required and not reason:
        raise BadRequest(N_("Give a reason: the person concerned sees it."))
    if len(reason) > 500:
        raise BadRequest(N_("The reason is too long: at most %(count)s characters."), count=500)
    return reason
