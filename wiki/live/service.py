"""Live editing rules: who may join a room, what a save does to the live draft, and
discarding the live draft's unsaved changes.

Every save of a page with a live draft (from the live editor or not: the no-JavaScript
form, undo, restore, a move, the API) is merged into the draft with the wiki's three-way
merge, so nobody's typing is lost; a save from the live editor also credits everyone who
typed since the last save as co-authors of the new revision, and clears the edit summary
kept in the draft (it belongs to the revision just saved).

Discarding puts the saved text back into the live draft for everyone editing (an update
like a save's merge, so it reaches every process), clears the summary and who typed; each
other person who typed keeps the discarded text as their personal draft of the page.
"""

from dataclasses import dataclass

from flask import current_app, g, has_request_context, request
from flask_babel import gettext as _
from pycrdt import merge_updates
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from .. import events, memo
from ..access.permissions import Refusal, active_block, edit_refusal, raise_refusal
from ..core.merge import merge3
from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..models import Page, Revision, User, utcnow
from ..moments import Clock
from ..problems import Conflict, NotAllowed, NotFound
from . import expiry, store
from .hub import hub
from .models import LiveAuthor, LiveDraft, LiveUpdate, RevisionCoauthor
from .rooms import Room

PAGE_GONE = N_("This page no longer exists, so it cannot be edited.")
LOG_IN = N_("Log in to edit together with others.")
ONLY_EDITORS = N_("Only people who may edit this page can discard its unsaved changes. %(reason)s")
NOT_ONLY_YOURS = N_(
    "Someone else has changed this page's draft too, so nothing was discarded. "
    "Open the editor to see the changes."
)

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


def draft_news(room: Room, *, show_blocked: bool = False) -> dict:
    """Return what someone joining the room is told of the draft: whether it holds unsaved
    changes, who made them (since the last save), who of them is blocked (show_blocked: for
    those who may read the moderation log, where blocks are) and how long ago it last
    changed."""
    try:
        draft = db.session.get(LiveDraft, room.draft_id)
        page = db.session.get(Page, room.page_id)
        latest = db.session.get(Revision, page.latest_revision_id) if page else None
        with room.lock:
            text, ids, names = store.text_of(room.doc), set(room.typists), set(room.announced)
        names |= store.typist_names(ids | set(store.typists(room.draft_id)))
        when = draft.updated_at if draft is not None else utcnow()
        return {
            "type": "draft",
            "unsaved": latest is not None and text != latest.text,
            "by": sorted(names),
            "blocked": _blocked_among(names) if show_blocked else [],
            "ago": Clock().ago_text(when),
        }
    finally:
        db.session.rollback()  # give the connection back to the pool


def _blocked_among(names: set[str]) -> list[str]:
    """Return which of these typists are blocked now, by name."""
    if not names:
        return []
    people = db.session.scalars(select(User).where(User.username.in_(sorted(names))))
    return sorted(person.username for person in people if active_block(person) is not None)


@dataclass(frozen=True)
class Discarded:
    """What discarding a live draft did."""

    #: The page's title (for the way back to it).
    title: str
    #: Whether the draft held anything to discard.
    changed: bool
    #: Who else typed in it and got the discarded text as their personal draft.
    copies_for: list[str]


def discard(user: User, page_id: int, *, only_mine: bool = False) -> Discarded:
    """Put the page's saved text back into its live draft, for everyone editing it.

    only_mine: refuse (Conflict) if anyone else typed in the draft since the last save
    (the editor's Cancel offers to discard a person's own changes).
    """
    page = db.session.get(Page, page_id)
    if page is None or page.deleted or page.latest_revision_id is None:
        raise NotFound(PAGE_GONE)
    refusal = edit_refusal(user, page)
    if refusal is not None:
        if refusal.needs_login:
            raise_refusal(refusal)
        raise NotAllowed(ONLY_EDITORS, reason=_(refusal.message, **refusal.params))
    title = page.title
    if store.draft_for(page_id) is None:
        return Discarded(title, False, [])
    with write_transaction():
        outcome = _reset(user, page_id, only_mine)
    if outcome is None:
        return Discarded(title, False, [])
    notice, update, copies_for = outcome
    hub().announce(page_id, notice, update)
    return Discarded(title, update is not None, copies_for)


def set_aside_typing_of(user: User, also: int | None = None) -> list[int]:
    """Discard the unsaved typing of someone who may no longer edit (blocked, made a reader,
    approval withdrawn) from live drafts where nobody else typed since the last save, so
    that nobody saves it on their behalf; they keep it as a personal draft. Return the ids
    of the pages whose drafts were reset.

    Drafts where others typed too keep it (it cannot be told apart from theirs): whoever
    opens them is told whose changes they hold and who of them is blocked. also: the page of
    a room the person typed in, whatever its record of typists says (another process's reset
    can have cleared it while their last keystrokes were on their way).
    """
    page_ids = list(
        db.session.scalars(
            select(LiveDraft.page_id)
            .join(LiveAuthor, LiveAuthor.draft_id == LiveDraft.id)
            .where(LiveAuthor.user_id == user.id)
        )
    )
    if also is not None:
        page_ids.append(also)
    for page_id, room in list(hub().rooms.items()):  # typed here, not written yet
        with room.lock:
            if user.id in room.typists:
                page_ids.append(page_id)
    reset = []
    for page_id in sorted(set(page_ids)):
        try:
            with write_transaction():
                outcome = _reset(user, page_id, only_mine=True, set_aside=True)
        except Conflict:
            continue
        if outcome is not None:
            notice, update, _copies = outcome
            hub().announce(page_id, notice, update)
            reset.append(page_id)
    return reset


def _reset(user: User, page_id: int, only_mine: bool, set_aside: bool = False):
    """Reset the draft to the latest text (inside the write transaction); return the notice,
    the update and who got a copy, or None if there was nothing to reset.

    set_aside: the typing of someone blocked, who keeps a copy (the notice says so)."""
    # Saves lock the page's row for as long as they merge into the draft: wait for them.
    page = db.session.scalar(select(Page).where(Page.id == page_id).with_for_update(of=Page))
    draft = store.draft_for(page_id)
    if page is None or draft is None:
        return None
    latest = db.session.get(Revision, page.latest_revision_id)
    doc = store.read_doc(draft.id)
    ids, names = set(store.typists(draft.id)), set()
    room = hub().room(page_id)
    if room is not None:
        with room.lock:  # what this process holds but has not written yet
            doc.apply_update(room.doc.get_update())
            ids |= room.typists
            names |= room.announced
    names |= store.typist_names(ids)
    if only_mine and names - {user.username}:
        raise Conflict(NOT_ONLY_YOURS)
    text, summary = store.text_of(doc), store.summary_of(doc)
    changes = [store.replace_text(doc, latest.text)] if text != latest.text else []
    if (cleared := store.clear_summary(doc)) is not None:
        changes.append(cleared)
    if not changes and not names:
        return None
    given = []
    if text != latest.text:
        copy = expiry.Copy(text, summary, draft.base_revision_id, draft.updated_at)
        # A blocked person keeps what they typed, even when only the room that refused
        # them knew they had (their record of typists cleared by another process's reset).
        keeping = ids | {user.id} if set_aside else ids - {user.id}
        combining = frozenset({user.id}) if set_aside else frozenset()
        given = expiry.hand_over(keeping, page.key, page.title, copy, combining)
    update = None
    if changes:
        update = merge_updates(*changes)
        db.session.add(LiveUpdate(draft_id=draft.id, data=update))
    db.session.execute(delete(LiveAuthor).where(LiveAuthor.draft_id == draft.id))
    draft.base_revision_id, draft.updated_at = latest.id, utcnow()
    notice = {"type": "discarded", "by": user.username, "revision": latest.id}
    if set_aside:
        notice["blocked"] = True
    return notice, update, sorted(store.typist_names(set(given)))


def typists_taken_in(page: Page) -> set[int]:
    """Return who typed in the live draft a save being made takes in (a save from the live
    editor: everyone who typed since the last save; any other save: nobody)."""
    if not _from_live_editor():
        return set()
    draft_id = store.draft_id_for(page.id)
    return _typists(draft_id, hub().room(page.id)) if draft_id is not None else set()


def _typists(draft_id: int, room: Room | None) -> set[int]:
    """Return who typed in a draft since its last save: as written, and in this process."""
    typed = set(store.typists(draft_id))
    if room is not None:
        with room.lock:
            typed |= room.typists
    return typed


def coauthored_between(page_id: int, after_id: int, upto_id: int) -> bool:
    """Return whether a revision of the page after one, up to another, has co-authors."""
    shared = (
        select(RevisionCoauthor.revision_id)
        .join(Revision, Revision.id == RevisionCoauthor.revision_id)
        .where(Revision.page_id == page_id, Revision.id > after_id, Revision.id <= upto_id)
    )
    return bool(db.session.scalar(select(shared.exists())))


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
    draft_id = store.draft_id_for(page.id)
    if draft_id is None:
        return
    draft = db.session.get(LiveDraft, draft_id)
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
        credited = sorted(_typists(draft.id, room) - {revision.author_id})
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
