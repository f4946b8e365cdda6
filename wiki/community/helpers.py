"""What every page's frame shows: the bell's count, the watch star, the credits line."""

from flask import g
from flask_login import current_user
from sqlalchemy import bindparam, select

from ..core.titles import TitleError, parse_title
from ..extensions import db
from ..memo import page_scope, per_person, person_scope, until_changed
from ..models import Page
from ..pages.service import sees_waiting
from .credits.pageinfo import contributor_count, public_contributor_count
from .models import Watch
from .watch.notifications import unread_count


def unread_notifications() -> int:
    """Return the logged-in person's unread count for the bell (once per request)."""
    if not current_user.is_authenticated:
        return 0
    if "community_unread" not in g:
        # New notifications come with person_changed (wiki.memo), reading them with a POST.
        g.community_unread = per_person(
            "unread", None, lambda: unread_count(current_user), person_scope(current_user.id)
        )
    return g.community_unread


def watching_page(title: str) -> bool | None:
    """Return whether the logged-in person watches the page with this title; None if nobody is."""
    if not current_user.is_authenticated:
        return None
    try:
        key = parse_title(title).key
    except TitleError:
        return False
    # Watching changes by the person (their POST), a move (a change of the base), or a save
    # of the page (it watches the page for its author, even through the API: no POST of theirs).
    return per_person("watching", key, lambda: _watching(current_user.id, key), page_scope(key))


def _watching(user_id: int, key: str) -> bool:
    return db.session.scalar(_WATCHING, {"user_id": user_id, "key": key}) is not None


#: Built once (values bound when run): a person's first view of a page after a save asks it.
_watches, _pages = Watch.__table__.c, Page.__table__.c
_WATCHING = (
    select(_watches.page_id)
    .join(Page.__table__, _pages.id == _watches.page_id)
    .where(_watches.user_id == bindparam("user_id"), _pages.key == bindparam("key"))
)


def page_contributors(page) -> int:
    """Return how many people edited the page (for the credits line; readers who may not
    see waiting changes count only the people of what they read)."""
    public = not sees_waiting(current_user)
    return until_changed(
        "contributors",
        (page.id, public),
        lambda: public_contributor_count(page) if public else contributor_count(page.id),
        page_scope(page.key),
    )
