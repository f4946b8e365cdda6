"""Redirects: a page whose text is `#REDIRECT [[Target]]` sends readers on to the target.

The text is the truth (a redirect is made, changed or undone by editing, as in MediaWiki);
`Page.redirect_key` is derived from it at save time so that following a redirect and
listing the redirects to a page are lookups, not scans. At most one hop is followed.
"""

from dataclasses import dataclass

from sqlalchemy import select

from ..core.redirects import parse_redirect
from ..core.titles import N_, TitleError, parse_title
from ..extensions import db
from ..models import Page

#: Why a redirect is not followed, for a person.
MISSING = N_("The page it redirects to does not exist.")
CHAIN = N_(
    "The page it redirects to is itself a redirect. Only one redirect is followed: "
    "change this one to point at the final page."
)
LOOP = N_("It redirects back to itself, so it is not followed.")


@dataclass
class Hop:
    """Where a redirect page leads: the page to show, or why it is not followed."""

    redirect: Page
    target_title: str
    target: Page | None = None
    problem: str | None = None


def follow(page: Page) -> Hop | None:
    """Return the hop of a redirect page (None if the page is not a redirect)."""
    if page.redirect_key is None:
        return None
    target = db.session.scalar(
        select(Page).where(Page.key == page.redirect_key, Page.latest_revision_id.is_not(None))
    )
    shown = target.title if target is not None else _target_title(page)
    if target is None or target.deleted:
        return Hop(page, shown, problem=MISSING)
    if target.id == page.id or target.redirect_key == page.key:
        return Hop(page, shown, problem=LOOP)
    if target.redirect_key is not None:
        return Hop(page, shown, problem=CHAIN)
    return Hop(page, shown, target=target)


def _target_title(page: Page) -> str:
    """Return the target as the redirect's text spells it."""
    shown = page.published or page.latest  # redirect_key follows the published text
    title = parse_redirect(shown.text) if shown else None
    return title.display if title else page.redirect_key


def redirected_from(page: Page, raw: str | None) -> Page | None:
    """Return the redirect a reader came through, if `raw` names one that leads to page."""
    if not raw or len(raw) > 300:
        return None
    try:
        title = parse_title(raw.replace("_", " "))
    except TitleError:
        return None
    source = db.session.scalar(select(Page).where(Page.key == title.key))
    if source is None or source.deleted or source.redirect_key != page.key:
        return None
    return source
