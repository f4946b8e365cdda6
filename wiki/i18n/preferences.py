"""A person's language and time zone preference."""

from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..memo import content_changed
from ..models import User
from ..problems import BadRequest
from . import locales
from .models import LanguagePreference


def preference_of(user_id: int) -> tuple[str | None, str | None]:
    """Return a person's (language, time zone), each None when left to the site."""
    row = db.session.get(LanguagePreference, user_id)
    return (row.locale, row.timezone) if row is not None else (None, None)


def save(user: User, locale: str, timezone: str) -> None:
    """Save a person's language and time zone ("" leaves each to the site and browser)."""
    chosen_locale = locales.supported(locale) if locale else None
    if locale and chosen_locale is None:
        raise BadRequest(N_("This wiki is not available in that language."), field="locale")
    chosen_zone = locales.valid_timezone(timezone) if timezone else None
    if timezone and chosen_zone is None:
        raise BadRequest(N_("There is no time zone with that name."), field="timezone")
    with write_transaction() as session:
        row = session.get(LanguagePreference, user.id)
        if row is None:
            row = LanguagePreference(user_id=user.id)
            session.add(row)
        row.locale, row.timezone = chosen_locale, chosen_zone
        content_changed()  # rare: every process reads the rules (and languages) again
