"""Storing revision texts and their rendered HTML."""

import json
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from flask import current_app
from sqlalchemy import bindparam, delete, select

from .. import events
from ..core.render import RENDERER_VERSION, Heading, Rendered
from ..database import built_once, insert_for, write_transaction
from ..extensions import db
from ..models import Page, RenderedText, Revision, TextBlob
from ..renderer import render_bounded

#: At most this many deltas between a stored text and a whole one: reading any revision
#: then applies a bounded number of small deltas (a whole text is stored again past it).
MAX_DELTA_DEPTH = 40
#: A delta is kept only if it is smaller than this share of the whole text compressed.
DELTA_WORTH = 0.5
#: Threads a process keeps to wait for renders, made as needed: one per save under way,
#: whatever the server's threads (a render queued here would wait unbounded).
RENDER_WAITERS = 256


#: Built once (the hash bound when run): every save asks it.
_BLOB_BY_SHA1 = select(TextBlob).where(TextBlob.sha1 == bindparam("sha1"))


def store_text(text: str, sha1: str, base: TextBlob | None = None) -> TextBlob:
    """Return the blob holding this text, adding it if no revision has used it yet: as a
    delta against base (the previous revision's text) when that is worth it. A new blob is
    written with the revision that uses it (one flush for both)."""
    blob = db.session.scalar(_BLOB_BY_SHA1, {"sha1": sha1})
    added = blob is None
    if added:
        blob = TextBlob(sha1=sha1, **encoded(text, base))
        db.session.add(blob)
    blob.note_added(added)
    # The save's receivers (search, categories) and its authorship job read the new
    # revision's text: keep it rather than rebuild it from the delta being written (by SHA-1).
    blob.keep_text(text)
    return blob


def encoded(text: str, base: TextBlob | None) -> dict:
    """Return the columns storing text: a delta against base, or the whole text."""
    return TextBlob.columns_for(text, base, MAX_DELTA_DEPTH, DELTA_WORTH)


def render(text: str, timeout: float | None = None, readable: bool = False) -> Rendered:
    """Render text within the configured time bound (raises RenderTimeout); readable: with
    its plain text too (Rendered.plain)."""
    limit = timeout or current_app.config["RENDER_TIMEOUT"]
    return render_bounded(text, timeout=limit, readable=readable)


def render_soon(text: str) -> "Future[Rendered]":
    """Start rendering text (a revision about to be saved: with its plain text for the
    search index) in a worker process and return its future result.

    A thread waits for the worker (the app's own thread goes on: a save appends its
    revision meanwhile, and the render and the plain text are made on another core).
    """
    timeout = current_app.config["RENDER_TIMEOUT"]
    return _waiters().submit(render, text, timeout, readable=True)


_waiting: tuple[int, ThreadPoolExecutor] | None = None
_waiting_lock = threading.Lock()


def _waiters() -> ThreadPoolExecutor:
    """Return this process's threads that wait for renders (made after a fork, not before).

    Kept rather than started per save: starting a thread waits until it runs, half a
    millisecond of a save when the worker's other threads hold the interpreter.
    """
    global _waiting
    with _waiting_lock:
        if _waiting is None or _waiting[0] != os.getpid():
            pool = ThreadPoolExecutor(RENDER_WAITERS, thread_name_prefix="bottega-render-wait")
            _waiting = (os.getpid(), pool)
        return _waiting[1]


def keep_rendered(sha1: str, rendered: Rendered) -> None:
    """Keep the rendered HTML of a text just saved, unless it is already kept: written at
    once, not left pending (it would be flushed by the next query of whichever receiver of
    the save came first, in a flush of its own)."""
    db.session.execute(_keep_rendered(db.session), _rendered_columns(sha1, rendered))


@built_once
def _keep_rendered(dialect: str):
    """Return the insert of a text's HTML, unless it is kept already (values bound)."""
    table = RenderedText.__table__
    columns = ("sha1", "renderer_version", "html", "headings")
    values = {name: bindparam(name, type_=table.c[name].type) for name in columns}
    return insert_for(dialect, table).values(**values).on_conflict_do_nothing()


def _rendered_columns(sha1: str, rendered: Rendered) -> dict:
    """Return the columns of the rendered HTML of a text."""
    headings = [[h.level, h.anchor, h.text] for h in rendered.headings]
    return {
        "sha1": sha1,
        "renderer_version": RENDERER_VERSION,
        "html": rendered.html,
        "headings": json.dumps(headings, ensure_ascii=False),
    }


def rendered_html(sha1: str, text_loader, keep: bool = True) -> tuple[str, list[Heading]]:
    """Return the cached HTML and headings of a text, rendering on a miss (cached if keep)."""
    row = db.session.get(RenderedText, (sha1, RENDERER_VERSION))
    if row is None:
        rendered = render(text_loader())
        if not keep:
            return rendered.html, list(rendered.headings)
        # A transaction of its own: the read one this view began cannot write on SQLite
        # once another process has committed since ("database is locked" at once). Another
        # request caching the same text at the same moment: theirs is as good.
        with write_transaction(keep=(Revision,)):
            keep_rendered(sha1, rendered)
        return rendered.html, list(rendered.headings)
    return row.html, [Heading(*h) for h in json.loads(row.headings)]


@events.revision_added.connect
def _forget_superseded_rendering(_app, previous: Revision | None = None, **_extra) -> None:
    """Drop the cached HTML of the text a save replaced, unless a page still shows it
    (as its latest or its published version).

    Only current texts keep their HTML: an old revision is rendered when someone opens it.
    Caching every revision would store ~1.4x the text size again for each small edit.
    """
    if previous is not None:
        values = {"sha1": previous.sha1, "text_id": previous.text_id}
        db.session.execute(_FORGET_RENDERED, values)


#: Built once, of tables' columns (the text's hash and stored text bound when run): building
#: it anew cost more than running it. The revisions holding the text are found by its stored
#: text (one row per content, indexed: ix_revision_text_id), each with its own page: looked
#: up by hash, the check read every revision (97 ms a save on a wiki of 1,000,000).
_revisions, _pages = Revision.__table__, Page.__table__
_FORGET_RENDERED = delete(RenderedText.__table__).where(
    RenderedText.__table__.c.sha1 == bindparam("sha1"),
    ~select(_revisions.c.id)
    .join(_pages, _pages.c.id == _revisions.c.page_id)
    .where(
        _revisions.c.text_id == bindparam("text_id"),
        (_pages.c.latest_revision_id == _revisions.c.id)
        | (_pages.c.published_revision_id == _revisions.c.id),
    )
    .exists(),
)


def compact_texts(progress=lambda line: None) -> tuple[int, int]:
    """Store existing whole texts as deltas against their page's previous text, one page
    per transaction, each checked to rebuild its text exactly; return (texts, bytes saved).

    A text is rewritten only the first time it is met (texts are shared by restores and by
    identical pages), against one met before it, so no chain can loop.
    """
    seen: set[int] = set()
    changed = saved = 0
    page_ids = list(db.session.scalars(select(Page.id).order_by(Page.id)))
    for number, page_id in enumerate(page_ids, 1):
        with write_transaction():
            previous = None
            revisions = select(Revision).where(Revision.page_id == page_id).order_by(Revision.id)
            for revision in db.session.scalars(revisions):
                blob = revision.blob
                if blob.id not in seen and blob.base_id is None and previous is not None:
                    before = len(blob.data)
                    columns = encoded(blob.text, previous)
                    if columns["base_id"] is not None:
                        blob.data, blob.base_id = columns["data"], columns["base_id"]
                        blob.depth = columns["depth"]
                        changed, saved = changed + 1, saved + before - len(blob.data)
                seen.add(blob.id)
                previous = blob
        if number % 100 == 0:
            progress(f"{number} of {len(page_ids)} pages")
    return changed, saved
