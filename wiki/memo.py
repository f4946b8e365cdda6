"""What page views show beside the page, remembered until it changes, right across processes.

Every change a page view shows (a save, move, deletion, talk post, hidden comment, linked
translation, role, block, ended session) bumps the "content" generation once its
transaction commits (`content_changed()` marks the transaction): on SQLite a counter in a
file every process maps (wiki.board), elsewhere the table `generation`. Two kinds of memo
hang on it, both kept in each process:

- **until the content changes** (`until_changed`): a page's categories, talk count,
  credits, translation links, anchored threads, the HTML with red links marked, the site
  policy, whether a person has a block — remembered with the generation they were read at
  and used only while it is still the current one, so a change committed by any process is
  seen by every other at its next request;
- **per person** (`per_person`): the bell's count, the watch star — keyed also by the
  person's own version, a random value in their session, new after each of their POST
  requests. Whatever only they change (marking notifications read, watching a page) is seen
  at once by every process, since the number travels with them; what others change for them
  (a new notification) comes with a content change. PERSON_SECONDS bounds the rest.

Scopes: on a busy wiki someone saves every few seconds, and a memo that hung on the content
generation alone would be read again after every save anywhere. The commonest change, an
edit of an existing page (`page_changed(page_key)`), bumps the content generation and its
page's bucket only; every other change (`content_changed()`) bumps the content and the
"base" generation. A memo says what it depends on: CONTENT (anything: the bell), RULES
(nothing an edit of a page changes: sessions, blocks, the site policy, translation links,
talk counts, rendered HTML, which is keyed by its text) or `page_scope(page_key)` (the
edits of that page: its credits, categories, anchored threads). A memo is used while the
base generation, and its page's bucket, are what they were when it was made; anything not
declared an edit of one page bumps the base, so a change nobody classified is safe.

One read of the generation per request pays for all of them: on SQLite a memory read of a
file every process maps (wiki.board), elsewhere one indexed read of the database (and one
more for the scopes a request uses).
"""

import secrets
import sys
import threading
import time
import zlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import LRUCache
from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
)
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .board import PAGE_BUCKETS, open_board, slot_value
from .extensions import db
from .models import KEPT_TEXT_CHARS, Generation, KeptTexts

T = TypeVar("T")

CONTENT = "content"
#: The generation bumped by every change but an edit of one page (board slot 1).
BASE = "base"
#: Scopes a memo may depend on (besides CONTENT): what only a change that is not an edit of
#: one page changes, and (page_scope) the edits of one page.
RULES = (BASE,)
#: session.info key: this transaction changed what page views show.
CHANGED = "bottega_content_changed"
#: session.info key: ... and not only by editing pages (the base generation moves too).
CHANGED_BASE = "bottega_base_changed"
#: session.info key: the buckets of the pages whose edits this transaction holds.
CHANGED_PAGES = "bottega_pages_changed"
#: session.info key: the buckets of the people others' doings in it concern (notifications).
CHANGED_PEOPLE = "bottega_people_changed"
#: How much each process keeps: a small value weighs 1, a text 1 per 1,000 bytes it takes in
#: memory, a list 1 per 25 items (so at most about 16 MB of page HTML per worker, or 16,000
#: counts and flags).
MAX_WEIGHT = 16_000
#: How long a per-person memo may be used at most, whatever happens.
PERSON_SECONDS = 30.0
#: How long a memo of content may be used at most: a backstop for a change that was
#: committed without its bump (a command run outside the app, a bump that failed).
CONTENT_SECONDS = 300.0
#: The session key of the person's own version.
_VERSION = "_v"
#: app.extensions key of the SQLite wiki's shared generation file (wiki.board), if any.
BOARD = "bottega_board"
#: session.info key: the board's generation when the session's transaction began.
_AT_BEGIN = "bottega_board_at_begin"
#: session.info key: the board's bytes (every slot) when the session's transaction began.
_SNAPSHOT = "bottega_board_snapshot"


def page_scope(page_key: str) -> tuple[str, int]:
    """Return the scope of a memo that depends on the edits of one page (and the base),
    by its title key: known from a URL before anything is read (a move changes the base)."""
    return ("page", zlib.crc32(page_key.encode()) % PAGE_BUCKETS)


def person_scope(user_id: int) -> tuple[str, int]:
    """Return the scope of a memo that depends on what others do for one person (a new
    notification: `person_changed`) and on the base."""
    return ("person", user_id % PAGE_BUCKETS)


def both_scopes(page: tuple[str, int], person: tuple[str, int]) -> tuple:
    """Return the scope of what depends on a page's edits and on what others do for a person."""
    return ("page+person", page[1], person[1])


def scope_names(scope: tuple) -> tuple[str, ...]:
    """Return the generations a scope is read from: the base, and buckets of pages or people."""
    if scope == RULES:
        return (BASE,)
    if scope[0] == "page+person":
        return (BASE, f"page:{scope[1]}", f"person:{scope[2]}")
    return (BASE, f"{scope[0]}:{scope[1]}")


def _slot(name: str) -> int:
    """Return the board slot of a generation's name."""
    if name == CONTENT:
        return 0
    if name == BASE:
        return 1
    kind, _, bucket = name.partition(":")
    return 2 + int(bucket) + (PAGE_BUCKETS if kind == "person" else 0)


def current_generation() -> int:
    """Return the content generation as committed, no newer than what this transaction reads.

    SQLite: a memory read of the shared board (wiki.board), or the value read when the
    session's transaction began: its snapshot may be older than the board by now, and a
    memo made from an old snapshot must never be filed under a newer generation.
    Elsewhere: one indexed read, in the same transaction as what it guards.
    """
    board = current_app.extensions.get(BOARD)
    if board is not None:
        at_begin = db.session().info.get(_AT_BEGIN)
        return at_begin if at_begin is not None else board.read()
    value = db.session.scalar(select(Generation.value).where(Generation.name == CONTENT))
    return value or 0


def _scope_values(names: tuple[str, ...]) -> tuple[int, ...] | None:
    """Return the generations a scope is read from, as this transaction sees them; None if
    the board caught one half-written when the transaction began (then nothing is kept)."""
    board = current_app.extensions.get(BOARD)
    if board is None:
        rows = dict(
            db.session.execute(
                select(Generation.name, Generation.value).where(Generation.name.in_(names))
            ).all()
        )
        return tuple(rows.get(name, 0) for name in names)
    snapshot = db.session().info.get(_SNAPSHOT)
    if snapshot is None:  # no transaction yet: the board as it is now
        return _read_board(board, names)
    values = tuple(slot_value(snapshot, _slot(name)) for name in names)
    return None if None in values else values


def _note_board_at_begin(session: Session, _transaction, _connection) -> None:
    """Read the board as a transaction begins, before SQLite takes its snapshot."""
    if has_app_context():
        board = current_app.extensions.get(BOARD)
        if board is not None:
            session.info[_AT_BEGIN] = board.read()
            session.info[_SNAPSHOT] = board.snapshot()


def _forget_board_at_end(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_AT_BEGIN, None)
        session.info.pop(_SNAPSHOT, None)


def content_changed(_sender=None, **_extra) -> None:
    """Note that the current transaction changes what page views show (anything)."""
    info = db.session().info
    info[CHANGED] = info[CHANGED_BASE] = True


def page_changed(page_key: str) -> None:
    """Note that the current transaction edits an existing page (by its title key): its text
    and what follows from its text alone (its credits, categories, anchored threads)."""
    info = db.session().info
    info[CHANGED] = True
    info.setdefault(CHANGED_PAGES, set()).add(page_scope(page_key)[1])


def person_changed(user_id: int) -> None:
    """Note that the current transaction changes what one person is shown beside pages by
    someone else's doing (a notification for them)."""
    info = db.session().info
    info[CHANGED] = True
    info.setdefault(CHANGED_PEOPLE, set()).add(person_scope(user_id)[1])


def seen_by_own_doing(user_id: int) -> None:
    """Note that the current transaction changes what one person is shown by their own doing
    (notifications read): their other browsers and logins, which have versions of their
    own (person_version), see it at their next request; page views of others do not change."""
    db.session().info.setdefault(CHANGED_PEOPLE, set()).add(person_scope(user_id)[1])


def changed_generations(info: dict) -> list[str]:
    """Return (and forget) the generations a transaction that committed must bump."""
    if not info.pop(CHANGED, False):
        # Only people's own doings, if anything: their buckets, not the content.
        return [f"person:{bucket}" for bucket in sorted(info.pop(CHANGED_PEOPLE, set()))]
    names = [CONTENT]
    pages = info.pop(CHANGED_PAGES, set())
    people = info.pop(CHANGED_PEOPLE, set())
    if info.pop(CHANGED_BASE, False):
        names.append(BASE)  # the base covers every bucket
    else:
        names += [f"page:{bucket}" for bucket in sorted(pages)]
        names += [f"person:{bucket}" for bucket in sorted(people)]
    return names


def forget_changes(info: dict) -> None:
    """A rolled-back transaction changed nothing."""
    for key in (CHANGED, CHANGED_BASE, CHANGED_PAGES, CHANGED_PEOPLE):
        info.pop(key, None)


def read_scope(board, scope) -> "int | tuple[int, ...]":
    """Return the generation of a scope as the board holds it now (the front door's check)."""
    if scope == CONTENT:
        return board.read(0)
    return _read_board(board, scope_names(scope))


def _read_board(board, names: tuple[str, ...]) -> tuple[int, ...]:
    """Return the board's current values of the named generations."""
    return tuple(board.read(_slot(name)) for name in names)


def board_slots(names: list[str]) -> list[int]:
    """Return the board slots of generations' names."""
    return [_slot(name) for name in names]


def forget_generation() -> None:
    """Read the generation again: this request committed a content change (it is bumped)."""
    if has_request_context():
        g.pop("memo_generation", None)
        g.pop("memo_scopes", None)
        request.environ.pop("bottega.generation", None)


def scope_generation(scope) -> "int | tuple[int, ...] | None":
    """Return the generation(s) a memo of this scope is checked against in this request."""
    if scope == CONTENT:
        return generation()
    names = scope_names(scope)
    known = g.setdefault("memo_scopes", {})
    if names not in known:
        known[names] = _scope_values(names)
    return known[names]


def generation() -> int:
    """Return the content generation this request works with (read once per request)."""
    if "memo_generation" not in g:
        # The anonymous page cache read it already, first thing.
        known = request.environ.get("bottega.generation")
        g.memo_generation = known if known is not None else current_generation()
    return g.memo_generation


def _weight(entry) -> int:
    """Return what an entry (generation, time, value) weighs: its texts' length in thousands."""

    def of(value) -> int:
        if isinstance(value, str):
            return sys.getsizeof(value) // 1000
        if isinstance(value, tuple | list):
            return len(value) // 25 + sum(of(item) for item in value)
        return 0

    return 1 + of(entry[2])


class Memo:
    """Values by key, each with the generation and time it was made at; least recently used
    dropped."""

    def __init__(self, max_weight: int = MAX_WEIGHT) -> None:
        self._entries: LRUCache = LRUCache(maxsize=max_weight, getsizeof=_weight)
        self._lock = threading.Lock()

    def get(self, key: Hashable, generation: int, seconds: float | None):
        """Return (True, value) if a current value is kept for key, else (False, None)."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None:
            return False, None
        made_at, made, value = entry
        if made_at != generation or (seconds is not None and time.monotonic() - made > seconds):
            return False, None
        return True, value

    def put(self, key: Hashable, generation: int, value) -> None:
        """Keep a value made at this generation."""
        with self._lock:
            try:
                self._entries[key] = (generation, time.monotonic(), value)
            except ValueError:  # heavier than the whole memo: not kept
                pass

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()


def _remembered(
    key: Hashable, compute: Callable[[], T], seconds: float | None, scope=CONTENT
) -> T:
    memo: Memo | None = current_app.extensions.get("memo")
    # A transaction that changed content reads what is not committed yet: never keep it.
    if memo is None or not has_request_context() or db.session().info.get(CHANGED):
        return compute()
    now = scope_generation(scope)
    if now is None:
        return compute()
    found, value = memo.get(key, now, seconds)
    if not found:
        value = compute()
        memo.put(key, now, value)
    return value


def until_changed(kind: str, key: Hashable, compute: Callable[[], T], scope=CONTENT) -> T:
    """Return compute() for (kind, key), remembered until a change in its scope.

    The value must be plain data (no database objects) and depend on nothing but the key
    and what the changes of its scope announce (CONTENT: any; RULES: any but an edit of a
    page; page_scope(key): those and the edits of that page).
    """
    return _remembered(("page", kind, key), compute, CONTENT_SECONDS, scope)


def person_version() -> str:
    """Return the logged-in person's own version (new after each of their POSTs)."""
    return session.get(_VERSION, "")


def per_person(kind: str, key: Hashable, compute: Callable[[], T], scope=CONTENT) -> T:
    """Return compute() for (kind, key) and the logged-in person, remembered until a change
    in its scope (see until_changed), the person posts anything, or PERSON_SECONDS pass."""
    person = (current_user.get_id(), person_version())
    return _remembered(("person", kind, person, key), compute, PERSON_SECONDS, scope)


def _after_post(response: Response) -> Response:
    """Raise the person's own version after a request of theirs that may change something."""
    # Only for people logged in by their session (not an API token, which decides who acts
    # even when a cookie comes along), and only when the request did something. A random
    # version, not a counter: two browsers of one person, or two logins, never share one.
    if (
        request.method not in ("GET", "HEAD", "OPTIONS")
        and response.status_code < 400
        and "_user_id" in session
        and g.get("api_token") is None
    ):
        renew_person_version()
    return response


def renew_person_version() -> None:
    """Give the session a new version of the person (a new login: whatever its request's
    method, never one another session of theirs has, whose copies carry its form token)."""
    session[_VERSION] = secrets.token_hex(4)


def register(app: Flask) -> None:
    """Give the app its memo and kept texts, and keep each person's version."""
    app.extensions["memo"] = Memo()
    app.extensions["kept_texts"] = KeptTexts(KEPT_TEXT_CHARS)
    app.extensions[BOARD] = open_board(app.config["SQLALCHEMY_DATABASE_URI"])
    session_class = db.session.session_factory.class_
    if not event.contains(session_class, "after_begin", _note_board_at_begin):
        event.listen(session_class, "after_begin", _note_board_at_begin)
        event.listen(session_class, "after_transaction_end", _forget_board_at_end)
    app.after_request(_after_post)
