"""Live drafts nobody has touched for a while become personal drafts of who typed in them.

A live draft is never dropped silently: its text goes to each person who typed in it
since the last save, with the edit summary kept beside it, as the ordinary draft the
editor offers them ("Restore draft"), and saving that merges it with the page as any
draft does.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from ..core.merge import merge3
from ..core.text import clean_text
from ..database import write_transaction
from ..extensions import db
from ..models import Draft, Page, Revision, utcnow
from . import store
from .hub import hub
from .models import LiveAuthor, LiveDraft, LiveUpdate

#: A draft an app process said it had open (store.mark_open, every minute or so) less than
#: this long ago is open still, however long nobody typed in it.
OPEN_GRACE = timedelta(minutes=5)


def expire(older_than: timedelta) -> int:
    """Turn live drafts idle for longer than older_than into personal drafts; return how many."""
    cutoff = utcnow() - older_than
    ids = list(db.session.scalars(select(LiveDraft.id).where(LiveDraft.updated_at < cutoff)))
    return sum(_expire(draft_id, cutoff) for draft_id in ids)


def _idle(draft: LiveDraft | None, cutoff: datetime) -> bool:
    """Return whether a draft is unchanged since cutoff and open in no process."""
    if draft is None or draft.updated_at >= cutoff or hub().room(draft.page_id) is not None:
        return False
    # This command runs in a process of its own: rooms open elsewhere say so in the row.
    return draft.open_at is None or draft.open_at < utcnow() - OPEN_GRACE


def _expire(draft_id: int, cutoff: datetime) -> bool:
    """Hand one live draft to its typists and delete it; False if it must stay."""
    draft = db.session.get(LiveDraft, draft_id)
    if not _idle(draft, cutoff):
        return False
    doc = store.load_doc(draft.id)
    text = store.text_of(doc)
    summary = store.summary_of(doc)
    base = db.session.get(Revision, draft.base_revision_id)
    page = db.session.get(Page, draft.page_id)
    typists = store.typists(draft.id)
    unsaved = base is None or text != base.text
    base_id, touched, page_key, title = (
        draft.base_revision_id,
        draft.updated_at,
        page.key,
        page.title,
    )
    if unsaved and not typists:
        return False  # unsaved text with nobody to give it to: keep it live
    with write_transaction():
        # Read again under the write lock: someone may have opened it since.
        if not _idle(db.session.get(LiveDraft, draft_id, with_for_update=True), cutoff):
            return False
        if unsaved:
            hand_over(typists, page_key, title, Copy(text, summary, base_id, touched))
        for table in (LiveUpdate, LiveAuthor):
            db.session.execute(delete(table).where(table.draft_id == draft_id))
        db.session.execute(delete(LiveDraft).where(LiveDraft.id == draft_id))
    return True


@dataclass(frozen=True)
class Copy:
    """What a live draft held, to hand to the people who typed in it."""

    text: str
    summary: str
    base_revision_id: int | None
    #: When the live draft was last changed (a personal draft newer than this is kept).
    touched: datetime


def hand_over(
    user_ids, page_key: str, title: str, copy: Copy, combining: frozenset[int] = frozenset()
) -> list[int]:
    """Make the copy each person's personal draft of the page, unless theirs is newer;
    return who got it (call inside a write transaction).

    combining: people whose draft of the same base is merged with the copy instead (someone
    blocked while typing has their typing set aside twice: at the block, and when their
    editor closes after typing on into the draft the first set-aside emptied).
    """
    given = []
    for user_id in sorted(user_ids):
        mine = db.session.scalar(
            select(Draft).where(Draft.user_id == user_id, Draft.page_key == page_key)
        )
        text, summary = copy.text, _one_line(copy.summary)
        if mine is not None and user_id in combining:
            text, summary = _combined(mine, copy), summary or mine.summary
        elif mine is not None and mine.updated_at > copy.touched:
            continue  # a newer draft of their own: keep it
        if mine is None:
            mine = Draft(user_id=user_id, page_key=page_key, title=title, text=text)
            db.session.add(mine)
        mine.text, mine.summary = text, summary
        mine.base_revision_id = copy.base_revision_id
        given.append(user_id)
    return given


def _combined(mine: Draft, copy: Copy) -> str:
    """Return a personal draft and a copy of the same base merged (both sides kept where
    they changed the same passage), or the copy if their bases differ."""
    if mine.base_revision_id != copy.base_revision_id or mine.text == copy.text:
        return copy.text
    base = db.session.get(Revision, copy.base_revision_id) if copy.base_revision_id else None
    merged = merge3(base.text if base else "", mine.text, copy.text)
    return merged.resolve(["both"] * len(merged.conflicts))


def _one_line(summary: str) -> str:
    """Return a summary typed by anyone's client as the editor's one-line field keeps it."""
    summary = clean_text(summary).replace("\n", " ").strip()
    return summary[: current_app.config["MAX_SUMMARY_LENGTH"]]
