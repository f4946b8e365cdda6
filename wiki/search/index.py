"""Keeping the search index current.

A page saved or published by a review is indexed just after the answer (a follow-up,
wiki.followups: FTS5's rewrite of a 20 KB page's terms was a seventh of a save): the index
follows the published text within a moment. Talk comments are indexed when a flush writes a
Comment (so every way of posting, editing, hiding or deleting one is covered without the
talk code knowing about search); deletes and undeletes index in their own transactions.
Every change to a page's entry takes the page's turn, so a late job never puts back an
older text. `rebuild` redoes everything (`flask reindex`).
"""

import threading
from collections.abc import Callable
from itertools import chain

from cachetools import LRUCache
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, joinedload

from .. import events, followups
from ..core.readable import plain_text
from ..core.redirects import parse_redirect
from ..core.render import RENDERER_VERSION
from ..database import wait_turn, write_transaction
from ..extensions import db
from ..models import Page, RenderedText, Revision
from ..pages import content
from ..talk.models import Comment, Topic
from .engines import Doc, engine_for
from .text import MAX_INDEXED_CHARS

BATCH = 200


def page_doc(page: Page, text: str, html: str, plain: str | None = None) -> Doc | None:
    """Return the document for a page's current text, or None if it is not searchable
    (plain: the readable text of html, if the renderer made it already)."""
    if page.deleted or parse_redirect(text) is not None:
        return None
    body = (plain_text(html) if plain is None else plain)[:MAX_INDEXED_CHARS]
    return Doc(id=page.id, page_id=page.id, title=page.title, body=body)


def index_page(
    session: Session, page: Page, text: str, html: str, plain: str | None = None
) -> None:
    """Index a page's current text (or take the page out, if it is deleted or a redirect)."""
    _take_turn(page.id)
    doc = page_doc(page, text, html, plain)
    engine = engine_for(session)
    if doc is None:
        engine.remove(session, [page.id])
    else:
        engine.upsert(session, [doc])


def remove_page(session: Session, page: Page) -> None:
    """Take a page and its talk out of the index (when it is deleted)."""
    _take_turn(page.id)
    engine_for(session).remove_page(session, page.id)


def _take_turn(page_id: int) -> None:
    """Wait for the turn to change the page's entry (PostgreSQL): two jobs, or a job and a
    deletion, would otherwise each write what they read, the older text perhaps last."""
    wait_turn(f"search {page_id}")


def index_published(session: Session, page: Page) -> None:
    """Index the page's published text as it is (or take the page out, if it has none)."""
    revision = page.published
    if revision is None:
        _take_turn(page.id)
        engine_for(session).remove(session, [page.id])
        return
    with _MADE_PLAIN_LOCK:
        plain = _MADE_PLAIN.pop(revision.sha1, None)
    cached = session.get(RenderedText, (revision.sha1, RENDERER_VERSION))
    html = cached.html if cached is not None else content.render(revision.text).html
    index_page(session, page, revision.text, html, plain)


def reindex_page(session: Session, page: Page) -> None:
    """Index a page and its talk again from their current text (when it is undeleted)."""
    index_published(session, page)
    rows = session.execute(_visible_comments().where(Topic.page_id == page.id)).all()
    engine_for(session).upsert(session, [_row_doc(row) for row in rows])


@events.page_deleted.connect
def _on_page_deleted(sender, page: Page, **_extra) -> None:
    """Take a deleted page out of the index, in the deletion's transaction."""
    remove_page(db.session(), page)


@events.page_undeleted.connect
def _on_page_undeleted(sender, page: Page, **_extra) -> None:
    """Put an undeleted page back in the index, in the undeletion's transaction."""
    db.session.flush()
    reindex_page(db.session(), page)


#: The readable texts the renderer made for saves, by hash, kept for their follow-up: the
#: job of this process takes it from here, another process's makes it again from the HTML.
_MADE_PLAIN: LRUCache = LRUCache(maxsize=64)
_MADE_PLAIN_LOCK = threading.Lock()


@events.page_saved.connect
def _on_page_saved(
    sender, page: Page, revision: Revision, rendered, published: bool = True, **_extra
) -> None:
    """Index the page just after the save's answer, if the save published it: the index
    holds what the public may read (waiting changes are indexed once a reviewer accepts)."""
    if published:
        _note(page, revision, rendered)


@events.page_published.connect
def _on_page_published(sender, page: Page, revision: Revision, rendered, **_extra) -> None:
    """Index the text a reviewer published, just after the review's answer."""
    _note(page, revision, rendered)


def _note(page: Page, revision: Revision, rendered) -> None:
    """Leave the page's indexing for after the transaction, with the readable text made."""
    if rendered.plain is not None:
        with _MADE_PLAIN_LOCK:
            _MADE_PLAIN[revision.sha1] = rendered.plain
    followups.note("search", page.id)


@followups.work("search")
def _follow_save(page_id: int) -> None:
    """Index the page's published text as it is now, under the page's turn."""
    _take_turn(page_id)
    # Read after the turn is taken, afresh: a change committed meanwhile is what to index.
    page = db.session.scalar(
        select(Page).where(Page.id == page_id).execution_options(populate_existing=True)
    )
    if page is not None:
        index_published(db.session(), page)


def comment_doc(comment_id: int, page_id: int, subject: str, html: str) -> Doc:
    """Return the document of a talk comment (the subject only on a topic's first comment)."""
    body = plain_text(html)[:MAX_INDEXED_CHARS]
    return Doc(id=-comment_id, page_id=page_id, title=subject, body=body)


def _on_flush(session: Session, _context) -> None:
    """Index the talk comments this flush wrote, in the same transaction."""
    changed = [o for o in chain(session.new, session.dirty) if isinstance(o, Comment)]
    gone = [o.id for o in session.deleted if isinstance(o, Comment)]
    if not changed and not gone:
        return
    connection = session.connection()
    engine = engine_for(connection)
    hidden = gone + [c.id for c in changed if not c.visible]
    engine.remove(connection, [-comment_id for comment_id in hidden])
    shown = [c for c in changed if c.visible]
    if not shown:
        return
    topics = {
        row.id: row
        for row in connection.execute(
            select(
                Topic.id,
                Topic.page_id,
                Topic.subject,
                Page.deleted,
                select(func.min(Comment.id))
                .where(Comment.topic_id == Topic.id)
                .scalar_subquery()
                .label("first"),
            )
            .join(Page, Page.id == Topic.page_id)
            .where(Topic.id.in_({c.topic_id for c in shown}))
        )
    }
    docs = []
    for comment in shown:
        topic = topics[comment.topic_id]
        if not topic.deleted:  # the talk of a deleted page is indexed again on undelete
            subject = topic.subject if topic.first == comment.id else ""
            docs.append(comment_doc(comment.id, topic.page_id, subject, comment.html))
    engine.upsert(connection, docs)


event.listen(db.session, "after_flush", _on_flush)


# --- Rebuilding ---------------------------------------------------------------------------


def rebuild(progress: Callable[[str], None] = lambda _: None) -> tuple[int, int]:
    """Index every page and talk comment afresh; return how many of each were indexed."""
    with write_transaction() as session:
        engine_for(session).clear(session)
        engine_for(session).start_bulk(session)
    try:
        pages = _rebuild_pages(progress)
        comments = _rebuild_comments(progress)
    finally:
        # Merged first, then switched off in a short transaction of its own (see end_bulk).
        # A reindex killed before this leaves PostgreSQL's indexes collecting in bulk until
        # the next reindex ends.
        with write_transaction() as session:
            engine_for(session).merge_bulk(session)
        with write_transaction() as session:
            engine_for(session).end_bulk(session)
    return pages, comments


def _rebuild_pages(progress: Callable[[str], None]) -> int:
    """Index the pages in batches of BATCH, each batch in its own transaction."""
    done, last = 0, 0
    while True:
        with write_transaction() as session:
            # The text through its blob: stored whole or as a delta on another text.
            rows = session.execute(
                select(Page, Revision)
                .join(Revision, Revision.id == Page.published_revision_id)
                .options(joinedload(Revision.blob))
                .where(Page.id > last, Page.deleted.is_(False))
                .order_by(Page.id)
                .limit(BATCH)
            ).all()
            if not rows:
                return done
            cached = dict(
                session.execute(
                    select(RenderedText.sha1, RenderedText.html).where(
                        RenderedText.sha1.in_({revision.sha1 for _page, revision in rows}),
                        RenderedText.renderer_version == RENDERER_VERSION,
                    )
                ).all()
            )
            docs = []
            for page, revision in rows:
                text = revision.text
                html = cached.get(revision.sha1)
                if html is None:
                    html = content.render(text).html
                doc = page_doc(page, text, html)
                if doc is not None:
                    docs.append(doc)
            engine_for(session).upsert(session, docs)
            done += len(docs)
            last = rows[-1][0].id
        progress(f"{done} pages indexed")


def _visible_comments():
    """Return the query for visible comments of pages not deleted, with their topic's facts."""
    first = (
        select(Comment.topic_id, func.min(Comment.id).label("first_id"))
        .group_by(Comment.topic_id)
        .subquery()
    )
    return (
        select(Comment.id, Comment.html, Topic.page_id, Topic.subject, first.c.first_id)
        .join(Topic, Topic.id == Comment.topic_id)
        .join(first, first.c.topic_id == Comment.topic_id)
        .join(Page, Page.id == Topic.page_id)
        .where(Comment.deleted_at.is_(None), Comment.hidden_at.is_(None), Page.deleted.is_(False))
        .order_by(Comment.id)
    )


def _row_doc(row) -> Doc:
    """Return the document of a row of _visible_comments()."""
    return comment_doc(row.id, row.page_id, row.subject * (row.id == row.first_id), row.html)


def _rebuild_comments(progress: Callable[[str], None]) -> int:
    """Index the visible talk comments in batches."""
    done, last = 0, 0
    while True:
        with write_transaction() as session:
            rows = session.execute(_visible_comments().where(Comment.id > last).limit(BATCH)).all()
            if not rows:
                return done
            docs = [_row_doc(row) for row in rows]
            engine_for(session).upsert(session, docs)
            done += len(docs)
            last = rows[-1].id
        progress(f"{done} comments indexed")
