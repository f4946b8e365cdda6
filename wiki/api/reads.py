"""What the API reads, as JSON-ready dicts: through the same services the HTML views use."""

from dataclasses import dataclass

from markupsafe import Markup

from ..access.permissions import is_moderator
from ..community.recent.changes import Filters, changes, parse_cursor
from ..core.titles import N_, Title
from ..history import service as history
from ..i18n.locales import default_locale
from ..models import Page, User
from ..organise import redirects
from ..pages import service as pages
from ..problems import BadRequest, NotFound
from ..review.queue import states as review_states
from ..review.visibility import sees_waiting_on, visible
from ..search import service as search
from ..talk import reading as talk
from . import cursors, serialise

NO_PAGE = N_("There is no page with this title.")


@dataclass
class Listing:
    """One page of a list and the cursor to the next."""

    items: list[dict]
    next_cursor: str | None

    def as_dict(self) -> dict:
        return {"items": self.items, "next_cursor": self.next_cursor}


NOT_PUBLISHED = N_("This page has no published version yet: its changes wait for review.")


def readable_page(title: Title, viewer: User | None, *, current: bool = True) -> Page:
    """Return the page, or raise NotFound (deleted pages are for moderators only)."""
    page = pages.get_page(title)
    if page is None or pages.shown_revision(page, viewer) is None:
        raise NotFound(NO_PAGE)
    if page.deleted and (current or not is_moderator(viewer)):
        raise NotFound(N_("This page was deleted."))
    return page


def page(title: Title, viewer: User | None, *, stable: bool = False) -> tuple[dict, int]:
    """Return a page's current version and its revision id (stable: the published one,
    what readers without an account read, even for those who may see waiting changes)."""
    found = readable_page(title, viewer)
    hop = redirects.follow(found)
    target = hop.target_title if hop is not None else None
    shown = pages.shown_revision(found, viewer, stable=stable)
    if shown is None:
        raise NotFound(NOT_PUBLISHED)
    return serialise.page(pages.render_page(found, shown), target), shown.id


def page_history(title: Title, viewer: User | None, cursor: str | None, limit: int) -> Listing:
    """Return a page's revisions, newest first, from the cursor on."""
    found = readable_page(title, viewer, current=False)
    before = cursors.decode_int("history", cursor)
    public_only = not sees_waiting_on(found, viewer)
    shown = history.history(found, before=before, after=None, limit=limit, public_only=public_only)
    after = cursors.encode("history", shown.older) if shown.older else None
    reviews = review_states(found.id, [row.id for row in shown.revisions])
    items = [
        serialise.revision(
            row, reviews.get(row.id), shown.parent_of(row), shown.size_change_of(row)
        )
        for row in shown.revisions
    ]
    return Listing(items, after)


def diff(title: Title, viewer: User | None, old_id: int | None, new_id: int | None) -> dict:
    """Return the difference of two revisions (by default the last edit) as a unified diff."""
    found = readable_page(title, viewer, current=False)
    new = (
        history.revision_of(found, new_id, viewer)
        if new_id
        else pages.shown_revision(found, viewer)
    )
    old = (
        history.revision_of(found, old_id, viewer)
        if old_id
        else history.neighbour(new, older=True, public_only=not sees_waiting_on(found, viewer))
    )
    if old is not None and old.id > new.id:
        old, new = new, old
    text = history.unified(found, old, new)
    lines = text.splitlines()
    return {
        "title": found.title,
        "from": old.id if old else None,
        "to": new.id,
        "added": sum(1 for line in lines if line.startswith("+") and not line.startswith("+++")),
        "removed": sum(1 for line in lines if line.startswith("-") and not line.startswith("---")),
        "unified": text,
    }


def revision(revision_id: int, viewer: User | None) -> dict:
    """Return one revision with its text."""
    row = history.get_revision(revision_id)
    if not visible(row, viewer) or (row.page.deleted and not is_moderator(viewer)):
        raise NotFound(N_("There is no revision with that number."))
    review = review_states(row.page_id, [row.id]).get(row.id)
    return serialise.revision(row, review) | {"title": row.page.title, "text": row.text}


def recent(viewer: User | None, cursor: str | None, limit: int, days: int) -> Listing:
    """Return recent edits and comments, newest first."""
    before = None
    if cursor:
        before = parse_cursor(cursors.decode("recent", cursor))
        if before is None:
            raise BadRequest(cursors.BAD_CURSOR)
    shown = changes(Filters(days=days), viewer=viewer, before=before, limit=limit)
    after = cursors.encode("recent", shown.older) if shown.older else None
    return Listing([serialise.change(row) for row in shown.changes], after)


def _plain(snippet: Markup) -> str:
    """Return a search snippet as plain text."""
    return Markup(snippet).striptags()


def find(query: str, cursor: str | None, talk_too: bool) -> Listing:
    """Return search results (pages, or talk comments too), best first."""
    number = cursors.decode_int("search", cursor) or 1
    # A tool reads in no language of its own: the site's comes first, as for its readers.
    site = default_locale()
    results = search.search(query, page=number, talk=talk_too, lang=(site, site))
    items = [
        {
            "title": hit.page.title,
            "snippet": _plain(hit.snippet),
            "topic": hit.topic_id,
            "comment": hit.comment_id,
            "url": serialise.page_url(hit.page.title, _external=True),
            "api_url": serialise.api_page_url(hit.page.title),
        }
        for hit in results.hits
    ]
    after = cursors.encode("search", results.page + 1) if results.has_next else None
    return Listing(items, after)


def topics(title: Title, viewer: User | None, cursor: str | None, limit: int) -> Listing:
    """Return a page's talk topics, latest activity first."""
    found = readable_page(title, viewer, current=False)
    offset = cursors.decode_int("topics", cursor) or 0
    rows = talk.topics(found)
    shown = rows[offset : offset + limit]
    after = cursors.encode("topics", offset + limit) if len(rows) > offset + limit else None
    return Listing([serialise.topic(row) for row in shown], after)


def topic(topic_id: int, viewer: User | None, cursor: str | None, limit: int) -> dict:
    """Return a topic and its comments, oldest first, from the cursor on."""
    row = talk.find_topic(topic_id)
    if row is None or (row.page.deleted and not is_moderator(viewer)):
        raise NotFound(N_("This topic does not exist."))
    after = cursors.decode_int("comments", cursor) or 0
    comments = [comment for comment in talk.comments(row) if comment.id > after]
    shown = comments[:limit]
    html = talk.with_red_links({comment.id: comment.html for comment in shown})
    moderator = is_moderator(viewer)
    more = len(comments) > limit
    return serialise.topic(row) | {
        "title": row.page.title,
        "items": [
            serialise.comment(comment, html[comment.id], moderator=moderator) for comment in shown
        ],
        "next_cursor": cursors.encode("comments", shown[-1].id) if more else None,
    }
