"""Live editing rules: who may join a room, and what a save does to the live draft.

Every save of a page with a live draft (from the live editor or not: the no-JavaScript
form, undo, restore, a move, the API) is merged into the draft with the wiki's three-way
merge, so nobody's typing is lost; a save from the live editor also credits everyone who
typed since the last save as co-authors of the new revision, and clears the edit summary
kept in the draft (it belongs to the revision just saved).
"""

from flask import current_app, g, has_request_context, request
from pycrdt import merge_updates
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from .. import events, memo
from ..access.permissions import Refusal, edit_refusal
from ..core.merge import merge3
from ..core.titles import N_
from ..extensions import db
from ..models import Page, Revision, User
from ..problems import NotAllowed, NotFound
from . import store
from .hub import hub
from .models import LiveAuthor, LiveUpdate, RevisionCoauthor

PAGE_GONE = N_("This page no longer exists, so it cannot be edited.")
LOG_IN = N_("Log in to edit together with others.")

_AFTER_COMMIT = "live_after_commit"


def page_to_join(user: User, page_id: int) -> Page:
    """Return the page someone may join the live editor of, or raise NotAllowed/NotFound."""
    if not user.is_authenticated:
        raise NotAllowed(LOG_IN, needs_login=True)
    page = db.session.get(Page, page_id)
    if page is None or page.deleted or page.latest_revision_id is None:
        raise NotFound(PAGE_GONE)
    refusal = current_refusal(user.id, page_id)
    if refusal is not None:
        raise NotAllowed(refusal.message, **refusal.params)
    return page


def current_refusal(user_id: int, page_id: int) -> Refusal | None:
    """Return why this person may no longer edit the page, as the database says now."""
    # A room lives for hours inside one request: forget what the request cached.
    for name in ("safety_cache", "site_policy"):
        g.pop(name, None)
    memo.forget_generation()  # else the memos answer as of the handshake (a block missed)
    db.session.expire_all()
    user = db.session.get(User, user_id)
    page = db.session.get(Page, page_id)
    try:
        if page is None or page.deleted:
            return Refusal(PAGE_GONE)
        return edit_refusal(user, page)
    finally:
        db.session.rollback()  # give the connection back to the pool between checks


def coauthors(revision: Revision) -> list[User]:
    """Return the people credited beside a revision's author."""
    return list(
        db.session.scalars(
            select(User)
            .join(RevisionCoauthor, RevisionCoauthor.user_id == User.id)
            .where(RevisionCoauthor.revision_id == revision.id)
            .order_by(User.username)
        )
    )


def _from_live_editor() -> bool:
    """Return whether the save being made was sent by the live editor."""
    return (
        has_request_context()
        and request.endpoint == "pages.edit"
        and request.method == "POST"
        and request.form.get("live") == "1"
    )


@events.revision_added.connect
def _take_in_save(sender, page: Page, revision: Revision, author: User | None, **extra) -> None:
    """Merge a new revision into the page's live draft; credit the live draft's typists."""
    draft = store.draft_for(page.id)
    if draft is None or draft.base_revision_id == revision.id:
        return
    doc = store.load_doc(draft.id)
    room = hub().room(page.id)
    if room is not None:
        with room.lock:  # what this process holds but has not written yet
            doc.apply_update(room.doc.get_update())
    live_text = store.text_of(doc)
    base = db.session.get(Revision, draft.base_revision_id)
    merged = merge3(base.text if base else "", live_text, revision.text)
    # Where both changed one passage, keep both: nobody's typing is lost.
    text = merged.resolve(["both"] * len(merged.conflicts))
    from_live = _from_live_editor()
    changes = [store.replace_text(doc, text)] if text != live_text else []
    # The summary went with this revision: the next edit starts without one.
    if from_live and (cleared := store.clear_summary(doc)) is not None:
        changes.append(cleared)
    update = merge_updates(*changes) if changes else None
    if update is not None:
        db.session.add(LiveUpdate(draft_id=draft.id, data=update))
    if from_live:
        typed = set(store.typists(draft.id)) | (room.typists if room else set())
        credited = sorted(typed - {revision.author_id})
        for user_id in credited:
            db.session.add(RevisionCoauthor(revision_id=revision.id, user_id=user_id))
        if credited:
            db.session.flush()
            events.revision_coauthored.send(
                current_app._get_current_object(), page=page, revision=revision, user_ids=credited
            )
        db.session.execute(delete(LiveAuthor).where(LiveAuthor.draft_id == draft.id))
    draft.base_revision_id = revision.id
    name = author.username if author is not None and author.is_authenticated else ""
    notice = {"type": "saved", "revision": revision.id, "by": name, "merged": not from_live}
    db.session.info.setdefault(_AFTER_COMMIT, []).append((page.id, notice, update, from_live))


@event.listens_for(Session, "after_commit")
def _tell_rooms(session: Session) -> None:
    """After a save commits, tell the page's editors and send them the merged text."""
    for page_id, notice, update, from_live in session.info.pop(_AFTER_COMMIT, []):
        live = current_app.extensions.get("live")
        if live is None:
            continue
        room = live.room(page_id)
        if from_live and room is not None:
            with room.lock:
                room.typists.clear()  # credited in this revision
        live.announce(page_id, notice, update)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    """A save rolled back tells nobody anything."""
    session.info.pop(_AFTER_COMMIT, None)
