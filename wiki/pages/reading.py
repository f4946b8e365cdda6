"""Reading pages: the current version of a page, rendered, with red links marked."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import g, has_request_context
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import bindparam, exists, func, select

from ..access.permissions import logged_in
from ..core.render import Heading, mark_missing, wikilink_keys
from ..core.text import clean_text
from ..core.titles import Title
from ..extensions import db
from ..memo import RULES, until_changed
from ..models import Page, Revision
from . import content


@dataclass
class PageView:
    """Everything a page view shows."""

    page: Page
    revision: Revision
    html: str
    headings: list[Heading] = field(default_factory=list)
    #: What of the changes waiting for review html shows (its embedded files): whatever is
    #: worked out from html and kept for others (a link preview's description) says so.
    waiting: "WaitingShown | None" = None


#: Built once: building the statement and its cache key anew cost a page view 0.1 ms.
_PAGE_BY_KEY = select(Page).where(Page.key == bindparam("key"))


def get_page(title: Title) -> Page | None:
    """Return the page with this title, or None."""
    return db.session.scalar(_PAGE_BY_KEY, {"key": title.key})


def view_page(title: Title, viewer=None) -> PageView | None:
    """Return the version of a page the viewer may read, rendered, with red links marked."""
    page = get_page(title)
    if page is None or page.deleted:
        return None
    revision = shown_revision(page, viewer)
    return render_page(page, revision) if revision is not None else None


#: Whether a logged-in person sees every change waiting for review: rule(viewer) (wiki/
#: review sets one from the site's choice; without it everyone logged in does).
_waiting_rule: list[Callable[[object], bool]] = []


def set_waiting_rule(rule: Callable[[object], bool]) -> None:
    """Let rule(viewer) say whether a logged-in person sees every waiting change."""
    _waiting_rule[:] = [rule]


def sees_waiting(viewer) -> bool:
    """Return whether this person may see every change waiting for review: anyone logged
    in, or only reviewers where the site chose so."""
    return logged_in(viewer) and (not _waiting_rule or _waiting_rule[0](viewer))


def sees_waiting_on(page: Page, viewer) -> bool:
    """Return whether this person sees the changes waiting on this page: they see every
    waiting change, or each one waiting here is their own (an author is never shown an
    older text than the one they saved, nor edits on from it)."""
    if sees_waiting(viewer):
        return True
    if not logged_in(viewer) or page.latest_revision_id == page.published_revision_id:
        return False
    known = g.setdefault("own_waiting", {}) if has_request_context() else {}
    if (page.id, viewer.id) not in known:
        others = (Revision.page_id == page.id) & (Revision.author_id.is_distinct_from(viewer.id))
        if page.published_revision_id is not None:
            others &= Revision.id > page.published_revision_id
        known[page.id, viewer.id] = not db.session.scalar(select(exists().where(others)))
    return known[page.id, viewer.id]


def own_waiting_revision(page: Page, viewer) -> int | None:
    """Return the id of this person's latest change waiting on the page, when changes of
    others they may not see wait with it (else None: they read their own on the page)."""
    if not logged_in(viewer) or sees_waiting_on(page, viewer):
        return None
    after = (Revision.page_id == page.id) & (Revision.author_id == viewer.id)
    if page.published_revision_id is not None:
        after &= Revision.id > page.published_revision_id
    return db.session.scalar(select(func.max(Revision.id)).where(after))


def shown_revision(page: Page, viewer, stable: bool | None = None) -> Revision | None:
    """Return the revision of a page this viewer reads: the latest for people who see its
    waiting changes (unless they ask for the stable one), else the published one. A new
    page a reviewer rejected is read by nobody (its text stays in its history)."""
    if not stable and sees_waiting_on(page, viewer):
        if page.published_revision_id is None and rejection(page) is not None:
            return None
        return page.latest
    return page.published


#: Why the latest revision of a page was rejected by a reviewer, or None: rule(page) (wiki/
#: review sets one; without it nothing is ever rejected).
_rejection_rule: list[Callable[[Page], str | None]] = []


def set_rejection_rule(rule: Callable[[Page], str | None]) -> None:
    """Let rule say whether (and why) a page's latest revision was rejected."""
    _rejection_rule[:] = [rule]


def rejection(page: Page) -> str | None:
    """Return the reason a reviewer gave for rejecting the page's latest revision, or None
    if it was not rejected."""
    if page.latest_revision_id is None or not _rejection_rule:
        return None
    return _rejection_rule[0](page)


@dataclass
class Waiting:
    """A page's changes waiting for review: how many, and since when."""

    count: int
    since: datetime | None


def waiting_changes(page: Page) -> Waiting:
    """Return how many revisions came after the published one, and the oldest one's time."""
    if page.latest_revision_id == page.published_revision_id:
        return Waiting(0, None)
    after = Revision.page_id == page.id
    if page.published_revision_id is not None:
        after = after & (Revision.id > page.published_revision_id)
    count, since = db.session.execute(
        select(func.count(), func.min(Revision.created_at)).where(after)
    ).one()
    return Waiting(count or 0, since)


def render_page(page: Page, revision: Revision | None = None) -> PageView:
    """Return a version of an existing page (its latest by default), rendered, with red
    links marked."""
    revision = revision or page.latest
    waiting = waiting_shown()
    if waiting.own_uploads_of is None:
        html, headings, _files = _finished(revision, waiting)
    else:
        # Someone's own waiting uploads change only pages that embed files: any other page
        # they read as visitors do (one remembered copy, not one per person).
        shown = WaitingShown(False)
        html, headings, files = _finished(revision, shown)
        if files:
            shown = waiting
            html, headings, files = _finished(revision, shown)
        waiting = shown
    return PageView(page, revision, html, list(headings), waiting)


def _finished(revision: Revision, waiting: "WaitingShown") -> tuple[str, list, bool]:
    """Return a revision's HTML as shown with these waiting changes (red links marked,
    view steps run), its headings, and whether it embeds files; remembered."""

    def finished() -> tuple[str, list[Heading], bool]:
        raw, headings = content.rendered_html(revision.sha1, lambda: revision.text)
        # The view steps (embedded files) ask waiting_shown(): this copy's, not the reader's.
        before = g.get(_SHOWN_NOW)
        setattr(g, _SHOWN_NOW, waiting)
        try:
            html = with_red_links(raw)
        finally:
            setattr(g, _SHOWN_NOW, before)
        return html, headings, _FILE_MARK in raw

    # Red links and embedded files follow other pages: a page made, moved or deleted and a
    # file's new version are changes of the base (wiki.memo), an edit of a page is not; an
    # embedded file's red link speaks the reader's language, and an upload waiting for
    # review shows only to those who see waiting changes (wiki/files/embeds.py).
    key = (revision.sha1, str(get_locale()), waiting)
    return until_changed("html", key, finished, RULES)


#: g key: the waiting changes a copy of a page's HTML being made shows (see _finished).
_SHOWN_NOW = "bottega_waiting_shown_now"
#: What rendering leaves for each embedded file (wiki/core/fileembed.py).
_FILE_MARK = 'class="wikifile"'


@dataclass(frozen=True)
class WaitingShown:
    """What the person asking is shown of the changes waiting for review: every one, or
    the published ones and, if set, their own uploads (embedded files)."""

    every: bool
    own_uploads_of: int | None = None


def waiting_shown() -> WaitingShown:
    """Return what the person asking sees of changes waiting for review (outside a request:
    what is published)."""
    if not has_request_context():
        return WaitingShown(False)
    making = g.get(_SHOWN_NOW)
    if making is not None:  # a copy of a page's HTML for these is being made
        return making
    if sees_waiting(current_user):
        return WaitingShown(True)
    # An uploader sees their own upload waiting in the pages that embed it, as on its
    # file page (wiki/files/reading.py): their copy of a page's HTML is theirs alone.
    return WaitingShown(False, current_user.id if logged_in(current_user) else None)


#: Steps other features add to finish a page's HTML at view time (files: embedded images).
_view_steps: list[Callable[[str], str]] = []


def add_view_step(step: Callable[[str], str]) -> None:
    """Run step(html) on every page's HTML at view time, after red links are marked."""
    if step not in _view_steps:
        _view_steps.append(step)


#: Built once (the keys bound when run): a page's first view after a change asks it.
_EXISTING_KEYS = select(Page.__table__.c.key).where(
    Page.__table__.c.key.in_(bindparam("keys", expanding=True)),
    Page.__table__.c.deleted.is_(False),
)


def with_red_links(html: str) -> str:
    """Mark the wikilinks in html whose target page does not exist (and run view steps)."""
    keys = wikilink_keys(html)
    if keys:
        existing = set(db.session.scalars(_EXISTING_KEYS, {"keys": list(keys)}))
        html = mark_missing(html, keys - existing)
    for step in _view_steps:
        html = step(html)
    return html


def preview(text: str) -> dict:
    """Render unsaved text as the page would show it, red links included."""
    rendered = content.render(clean_text(text))
    return {"html": with_red_links(rendered.html), "headings": rendered.headings}
