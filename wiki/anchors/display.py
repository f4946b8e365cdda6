"""What pages show of anchored threads: highlights in the text, threads in the margin."""

from collections import OrderedDict
from dataclasses import dataclass
from hashlib import sha1

from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..core.highlight import mark_source, marks_to_html
from ..memo import page_scope, until_changed
from ..models import Page, Revision
from ..pages import content
from ..pages import service as pages
from ..problems import UserError
from . import authorship, threads

#: Rendered HTML of marked texts, by the marked text's hash: a page view with threads
#: renders its text once, not on every view.
_CACHE: OrderedDict[str, str] = OrderedDict()
_CACHE_SIZE = 256


@dataclass(frozen=True)
class Annotated:
    """A revision's HTML with its passages highlighted, and the threads for the margin."""

    html: Markup
    threads: list[threads.ThreadView]


def annotated(page: Page, revision: Revision, html: str, *, current: bool) -> Annotated:
    """Return the revision's HTML with the passages of its threads highlighted."""
    if current and not until_changed(
        "has_anchors", page.id, lambda: threads.has_anchors(page.id), page_scope(page.key)
    ):
        return Annotated(Markup(html), [])
    spans = threads.spans_at(revision.id)
    found = threads.threads_at(page, revision.id, current=current) if spans or current else []
    if not spans:
        return Annotated(Markup(html), found)
    marked = mark_source(revision.text, spans)
    key = sha1(marked.encode()).hexdigest()
    cached = _CACHE.get(key)
    if cached is None:
        try:
            cached = marks_to_html(content.render(marked).html, _("Commented passage"))
        except UserError:
            return Annotated(Markup(html), found)
        _CACHE[key] = cached
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    _CACHE.move_to_end(key)
    return Annotated(Markup(pages.with_red_links(cached)), found)


def page_annotated(view) -> Annotated:
    """Return the current page view's HTML and threads (a template helper)."""
    return annotated(view.page, view.revision, view.html, current=True)


def revision_annotated(page: Page, revision: Revision, html: str) -> Annotated:
    """Return an old revision's HTML with the threads that existed then (a template helper)."""
    return annotated(page, revision, html, current=revision.id == page.latest_revision_id)


def credits(page: Page) -> list[authorship.Share]:
    """Return each person's share of the text this viewer reads of the page (a template
    helper): waiting changes count only for people who may see them."""
    shown = pages.shown_revision(page, current_user)
    return authorship.shares(page, shown.id) if shown is not None else []
