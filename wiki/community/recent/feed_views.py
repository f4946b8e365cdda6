"""Atom feeds: recent changes, one page's history, one person's contributions, a watchlist.

On a private wiki (PRIVATE_WIKI = True) every feed needs the reader's secret feed key in
its URL (?token=…, made and revoked in the preferences), since feed readers have no session.
The watchlist feed always needs it. Entries are what the key's owner may see.
"""

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...core.text import clean_text
from ...identity import find_user
from ...models import User
from ...problems import NotAllowed, NotFound
from ...site import current_site
from ...urls import page_url
from ..watch.preferences import user_for_feed_token
from . import atom
from .changes import Change, Filters, changes
from .requests import existing_page, filters_from_request

bp = Blueprint("feeds", __name__)
FEED_SIZE = 50
ATOM = "application/atom+xml; charset=utf-8"


def reader(required: bool = False) -> User | None:
    """Return who reads the feed: the key's owner, else the logged-in person, else nobody."""
    token = request.args.get("token")
    if token:
        user = user_for_feed_token(token)
        if user is None:
            raise NotAllowed(_("This feed key is not valid (it may have been revoked)."))
        return user
    if current_user.is_authenticated:
        return current_user
    if required or current_app.config.get("PRIVATE_WIKI"):
        raise NotAllowed(
            _(
                "This feed needs your personal feed key: copy the feed address from your "
                "preferences."
            )
        )
    return None


def _self_url(endpoint: str, **values) -> str:
    """Return the feed's own absolute URL, keeping its key and filters."""
    return url_for(endpoint, _external=True, **values, **request.args.to_dict())


def entry(change: Change) -> atom.Entry:
    """Return the feed entry of an edit or a comment."""
    host = request.host
    who = change.username or _("anonymous")
    if change.source == "r":
        if change.parent_id:
            values = {"from": change.parent_id, "to": change.id}
            link = page_url(change.page_title, "history.diff", _external=True, **values)
        else:
            link = url_for("history.revision", revision_id=change.id, _external=True)
        details = _("%(count)s bytes", count=f"{change.size_change:+,}")
        summary = f"{change.summary} ({details})" if change.summary else details
        return atom.Entry(
            id=atom.tag_uri(host, f"revision/{change.id}"),
            title=change.page_title,
            updated=change.created_at,
            link=link,
            author=who,
            summary=summary,
        )
    label = _("New topic") if change.new_topic else _("Comment")
    return atom.Entry(
        id=atom.tag_uri(host, f"comment/{change.id}"),
        title=_(
            "%(label)s: %(subject)s (discussion of %(title)s)",
            label=label,
            subject=change.topic_subject,
            title=change.page_title,
        ),
        updated=change.created_at,
        link=url_for("talk.comment", comment_id=change.id, _external=True),
        author=who,
        summary=change.excerpt,
    )


def feed(feed_id: str, title: str, alternate: str, self_url: str, shown: list[Change]):
    """Answer with the Atom document of these changes."""
    document = atom.render(
        atom.Feed(
            id=atom.tag_uri(request.host, feed_id),
            title=f"{title} · {current_site().name}",
            self_url=self_url,
            alternate_url=alternate,
            entries=[entry(change) for change in shown],
        )
    )
    return Response(document, content_type=ATOM)


@bp.get("/recent.atom")
def recent():
    """Recent changes as a feed (accepting the filters of the recent changes page)."""
    viewer = reader()
    shown = changes(filters_from_request(), viewer=viewer, limit=FEED_SIZE).changes
    return feed(
        "recent",
        _("Recent changes"),
        url_for("community.recent", _external=True),
        _self_url("feeds.recent"),
        shown,
    )


@bp.get("/watchlist.atom")
def watchlist():
    """The changes to the pages one watches, as a feed (needs one's feed key)."""
    viewer = reader(required=True)
    filters = filters_from_request(watcher_id=viewer.id)
    shown = changes(filters, viewer=viewer, limit=FEED_SIZE).changes
    return feed(
        f"watchlist/{viewer.id}",
        _("Watchlist of %(name)s", name=viewer.username),
        url_for("community.watchlist", _external=True),
        _self_url("feeds.watchlist"),
        shown,
    )


@bp.get("/feed/history/<path:title>")
def history(title: str):
    """One page's edits as a feed."""
    viewer = reader()
    page = existing_page(title)
    filters = Filters(days=None, show="pages", page_id=page.id)
    shown = changes(filters, viewer=viewer, limit=FEED_SIZE).changes
    return feed(
        f"history/{page.id}",
        _("History of %(title)s", title=page.title),
        page_url(page.title, "history.history", _external=True),
        _self_url("feeds.history", title=title),
        shown,
    )


@bp.get("/feed/user/<name>")
def contributions(name: str):
    """One person's edits and comments as a feed."""
    viewer = reader()
    person = find_user(clean_text(name))
    if person is None:
        raise NotFound(_("There is no user with this name."))
    shown = changes(Filters(days=None, user_id=person.id), viewer=viewer, limit=FEED_SIZE).changes
    return feed(
        f"user/{person.id}",
        _("Contributions of %(name)s", name=person.username),
        url_for("community.profile", name=person.username, _external=True),
        _self_url("feeds.contributions", name=name),
        shown,
    )
