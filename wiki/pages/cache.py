"""A short-lived cache of whole page views, right across processes.

A page view costs a few queries and a template; serving it from memory to readers without
a session costs almost nothing. Every change a page view shows (a save, move, deletion,
talk post) bumps the "content" generation (wiki.memo) once its transaction commits;
each cached entry remembers the generation it was made at and is served only while that
is still the current one. So a reader never gets an older version of a page from any app
server process after a save has been acknowledged; PAGE_CACHE_SECONDS bounds how long
anything else shown beside the page (a talk count, a red link) may lag behind.

Anonymous readers share entries. A logged-in person's views are kept for them alone, keyed
also by their own version (wiki.memo.person_version), language and time zone, so their own
actions show at once, and what others do shows with the content change it makes.

A view of a page (no query string) that shows nothing an edit of another page changes is
kept with its page's scope (wiki.memo) instead of the content generation, and a person's
copy with their own scope too (a notification for them moves it: their bell): an edit
elsewhere leaves it in place; an edit of its page, news for that person, or any change of
the base (a page made, moved or deleted, a talk post, a policy), ends it. The view says
so (page_alone()); whatever it shows that follows other pages' edits says otherwise
(not_page_alone(): a category's members, a translation's "outdated", a reviewer's count of
pages waiting); a redirect's notice is never alone. A
new part of the page view that shows another page's text must call not_page_alone().
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import LRUCache
from flask import Flask, Request, Response, current_app, g, request, session
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from sqlalchemy import event, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import events
from ..core.titles import TitleError, parse_title
from ..extensions import db
from ..memo import (
    BOARD,
    CONTENT,
    board_slots,
    both_scopes,
    changed_generations,
    content_changed,
    current_generation,
    forget_changes,
    forget_generation,
    page_changed,
    page_scope,
    person_scope,
    person_version,
    read_scope,
    scope_generation,
)
from ..memo import generation as memo_generation
from ..models import Generation, RevisionKind

__all__ = ["CONTENT", "PageCache", "content_changed", "current_generation", "register"]

_CACHEABLE_ENDPOINTS = {"pages.view"}
MAX_ENTRIES = 512
#: request.environ key: this request's cache key, computed as it began.
_KEY = "bottega.page_cache_key"


@dataclass(frozen=True)
class Kept:
    """A page view as it was answered: its body, type, final headers and the URL's title."""

    body: bytes
    mimetype: str
    headers: list[tuple[str, str]]
    title: str


class PageCache:
    """Rendered responses by URL, with their expiry and generation; least recently used
    dropped."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: LRUCache = LRUCache(maxsize=max_entries)
        self._lock = threading.Lock()

    def get(self, key: str, current: Callable) -> Kept | None:
        """Return the response kept for key, unless missing, expired or stale: current(scope)
        gives the generation of the entry's scope now."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return None
        expires, (scope, made_at), kept = entry
        if expires < time.monotonic() or current(scope) != made_at:
            with self._lock:
                if self._entries.get(key) is entry:
                    del self._entries[key]
            return None
        return kept

    def put(self, key: str, kept: Kept, seconds: float, stamp: tuple) -> None:
        """Keep a response for a number of seconds, with the (scope, generation) it was made
        at: CONTENT, or for an anonymous view of a page alone, its page scope."""
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, stamp, kept)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


def _bump_after_commit(session: Session) -> None:
    """Bump the generations once a transaction that changed content has committed.

    After, not inside: a process that read the new generation before the commit became
    visible would cache the old page under it.
    """
    names = changed_generations(session.info)
    if not names:
        return
    forget_generation()
    board = current_app.extensions.get(BOARD)
    if board is not None:  # SQLite: every process reads the shared file (wiki.board)
        board.bump(*board_slots(names))
        return
    with session.get_bind().connect() as connection:
        for name in names:
            bump = update(Generation).where(Generation.name == name)
            bump = bump.values(value=Generation.value + 1)
            if connection.execute(bump).rowcount == 0:  # a bucket's first change, or emptied
                try:
                    with connection.begin_nested():
                        connection.execute(insert(Generation).values(name=name, value=1))
                except IntegrityError:  # another process added it meanwhile
                    connection.execute(bump)
        connection.commit()


def _forget(session: Session) -> None:
    """A rolled-back transaction changed nothing."""
    forget_changes(session.info)


def _saved(_app, *, page, revision, previous=None, **_extra) -> None:
    """Note what a save changes: an edit of an existing page its page alone (its bucket);
    a new page or a file's new version what other pages show too (red links, images)."""
    if previous is None or revision.kind == RevisionKind.UPLOAD:
        content_changed()
    else:
        page_changed(page.key)


def _cache_key(app: Flask) -> str | None:
    """Return the cache key of this request, or None if it must not be served from cache."""
    if request.method != "GET" or request.endpoint not in _CACHEABLE_ENDPOINTS:
        return None
    if app.config["PAGE_CACHE_SECONDS"] <= 0:
        return None
    if request.cookies.get(app.config["SESSION_COOKIE_NAME"]):
        return _person_key()
    return _anonymous_key(request)


def _anonymous_key(asked: Request) -> str:
    """Return the key anonymous readers share an entry by (Flask's request or the front
    door's, which must agree)."""
    # The language a reader chose (wiki/i18n) changes the page as much as their browser's.
    # The address asked for (scheme, host, prefix) too: without SITE_URL the page's canonical
    # and alternate links are built from it, and a forged Host must not reach other readers.
    return (
        f"{asked.url_root}|{asked.full_path}|{asked.accept_languages}"
        f"|{asked.cookies.get('lang', '')}"
    )


class FrontDoor:
    """WSGI middleware answering anonymous page views kept in the cache before Flask runs.

    A kept view costs a dictionary lookup, but going through Flask (request context, a dozen
    before- and after-request hooks) cost as much again as a bare route. Only entries made
    for an anonymous reader at the current generation are served: the read policy, the
    page's text and everything else on it were what they are now (a change of any of them
    bumps the generation), and the kept headers (security policy, Vary) are the ones Flask
    sent. SQLite only, where the generation is a memory read (wiki.board); elsewhere Flask
    serves the cached entry itself. Views served here are announced (events.page_view_served)
    so reach counting sees them.
    """

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO", "").startswith(
            "/wiki/"
        ):
            board = self.app.extensions.get(BOARD)
            if board is not None and self.app.config["PAGE_CACHE_SECONDS"] > 0:
                asked = Request(environ)
                kept = self._kept(asked, lambda scope: read_scope(board, scope))
                if kept is not None:
                    events.page_view_served.send(self.app, asked=asked, title=kept.title)
                    start_response("200 OK", kept.headers)
                    return [kept.body]
        return self.wsgi_app(environ, start_response)

    def _kept(self, asked: Request, current: Callable) -> Kept | None:
        if asked.cookies.get(self.app.config["SESSION_COOKIE_NAME"]):
            return None
        return self.app.extensions["page_cache"].get(_anonymous_key(asked), current)


def _person_key() -> str | None:
    """Return the key of a logged-in person's own copy of this page view, or None.

    Everything a page view shows only to them is in the key or moves it: their account,
    their own version (new after each of their POSTs: a watch, a language, a preference),
    language and time zone; what others change for them comes with a content change. A
    session with messages waiting, or without a login, is never served from cache.
    """
    if "_flashes" in session or g.get("api_token") is not None:
        return None
    if not current_user.is_authenticated:
        return None
    return (
        f"person|{current_user.id}|{person_version()}|{request.url_root}|{request.full_path}"
        f"|{get_locale()}|{get_timezone()}"
    )


def register(app: Flask) -> None:
    """Serve page views from the cache while they are current: anonymous readers share
    entries, each logged-in person has their own."""
    cache = PageCache()
    app.extensions["page_cache"] = cache
    events.page_saved.connect(_saved, weak=False)
    for signal in (
        events.page_published,
        events.changes_rejected,  # the review notice and the latest version logged-in see
        events.page_moved,
        events.page_deleted,
        events.page_undeleted,
        events.topic_created,
        events.comment_posted,
        events.comment_edited,
    ):
        signal.connect(content_changed, weak=False)
    app.wsgi_app = FrontDoor(app, app.wsgi_app)
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_commit", _bump_after_commit):
        event.listen(session_class, "after_commit", _bump_after_commit)
        event.listen(session_class, "after_rollback", _forget)

    @app.before_request
    def _serve_cached():
        key = _cache_key(app)
        if key is None:
            return None
        # Read once per request: the site policy (wiki.memo) may have read it already.
        generation = memo_generation()
        request.environ["bottega.generation"] = generation
        hit = cache.get(key, scope_generation)
        if hit is not None:  # kept again, it would outlive PAGE_CACHE_SECONDS while read
            return Response(hit.body, mimetype=hit.mimetype)
        request.environ[_KEY] = key
        if not request.args:
            # Read before the view reads the page, as the content generation was.
            g.page_cache_scope = _page_scope_now(key.startswith("person|"))
        return None

    @app.after_request
    def _remember(response: Response) -> Response:
        key = request.environ.get(_KEY)  # as the request began: the session may change since
        generation = request.environ.get("bottega.generation")
        if (
            key is not None
            and generation is not None
            and response.status_code == 200
            # An anonymous page that sets a cookie is not the same for every reader; a
            # person's session cookie is sent again with every page they are shown.
            and ("Set-Cookie" not in response.headers or key.startswith("person|"))
            and not response.direct_passthrough
        ):
            # The final headers: the hooks registered before this one have run (Flask runs
            # after-request hooks last first), an anonymous reader gets no cookie, and the
            # session's own Vary (added after the hooks) is added here.
            response.vary.add("Cookie")
            headers = response.get_wsgi_headers(request.environ).to_wsgi_list()
            title = (request.view_args or {}).get("title", "")
            kept = Kept(response.get_data(), response.mimetype, headers, title)
            stamp = (CONTENT, generation)
            if g.get("page_cache_scope") and g.get("page_alone") and not g.get("page_not_alone"):
                stamp = g.page_cache_scope
            cache.put(key, kept, app.config["PAGE_CACHE_SECONDS"], stamp)
        return response


def _page_scope_now(person: bool) -> tuple | None:
    """Return the scope of a view of the page the URL names (and of the logged-in person's
    bell, for their own copy) and its generation now, or None."""
    try:
        scope = page_scope(parse_title((request.view_args or {}).get("title", "")).key)
    except TitleError:
        return None
    if person:
        scope = both_scopes(scope, person_scope(current_user.id))
    value = scope_generation(scope)
    return (scope, value) if value is not None else None


def page_alone() -> None:
    """Say that this page view shows its page and nothing that an edit of another page
    changes (unless something it shows says otherwise: not_page_alone)."""
    g.page_alone = True


def not_page_alone() -> None:
    """Say that this view shows something an edit of another page changes (the state of a
    translation's source): its anonymous copy follows every change."""
    g.page_not_alone = True
