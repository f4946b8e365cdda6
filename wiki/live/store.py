"""Live drafts in the database: load one as a Yjs document, append updates, compact."""

from pycrdt import Doc, Map, Text, merge_updates
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from ..core.textedits import replacements, utf8_offset
from ..database import read_afresh, write_transaction
from ..extensions import db
from ..models import Page, Revision, User, utcnow
from .models import LiveAuthor, LiveDraft, LiveUpdate

#: The name of the shared text in every live document (the browser uses the same).
TEXT = "content"

#: The shared map of one-line fields beside the text, and the edit summary's key in it
#: (the browser uses the same names; a map key is last-writer-wins, right for one line).
META = "meta"
SUMMARY = "summary"

#: Past this many stored updates, loading a draft merges them into one.
COMPACT_AFTER = 200


def new_doc() -> Doc:
    """Return an empty document usable from the several threads of a room."""
    return Doc(allow_multithreading=True)


def text_of(doc: Doc) -> str:
    """Return the document's shared text."""
    return str(doc.get(TEXT, type=Text))


def summary_of(doc: Doc) -> str:
    """Return the edit summary kept in the document ("" if none, or not a string)."""
    value = doc.get(META, type=Map).get(SUMMARY)
    return value if isinstance(value, str) else ""


def clear_summary(doc: Doc) -> bytes | None:
    """Remove the document's edit summary; return the update, or None if it had none."""
    meta = doc.get(META, type=Map)
    if SUMMARY not in meta:
        return None
    before = doc.get_state()
    del meta[SUMMARY]
    return doc.get_update(before)


def replace_text(doc: Doc, new: str) -> bytes:
    """Change the document's text into new by replacing changed runs; return the update."""
    ytext = doc.get(TEXT, type=Text)
    old = str(ytext)
    before = doc.get_state()
    with doc.transaction():
        for start, end, inserted in replacements(old, new):
            at, stop = utf8_offset(old, start), utf8_offset(old, end)
            if stop > at:
                del ytext[at:stop]
            if inserted:
                ytext.insert(at, inserted)
    return doc.get_update(before)


def draft_for(page_id: int) -> LiveDraft | None:
    """Return the page's live draft, or None."""
    return db.session.scalar(_DRAFT_OF_PAGE, {"page_id": page_id})


#: Built once (the page bound when run).
_DRAFT_OF_PAGE = select(LiveDraft).where(LiveDraft.page_id == bindparam("page_id"))
#: Built once: every save asks it (for the draft's id alone: no row to load, and a save
#: made while a migration is under way reads no column a later one adds).
_DRAFT_ID_OF_PAGE = select(LiveDraft.id).where(LiveDraft.page_id == bindparam("page_id"))


def draft_id_for(page_id: int) -> int | None:
    """Return the id of the page's live draft, or None."""
    return db.session.scalar(_DRAFT_ID_OF_PAGE, {"page_id": page_id})


def open_draft(page: Page) -> tuple[LiveDraft, Doc]:
    """Return the page's live draft and its document, starting one from the latest revision."""
    # As the database holds it now: the last room may have written its typing while this
    # request waited to open the next one (wiki/live/hub.py, Hub.leave).
    page_id = page.id
    read_afresh()
    draft = draft_for(page_id)
    if draft is None:
        draft = _start_draft(page)
    return draft, load_doc(draft.id)


def _start_draft(page: Page) -> LiveDraft:
    """Create the page's live draft holding its latest text (one creator wins a race)."""
    latest = db.session.get(Revision, page.latest_revision_id)
    doc = new_doc()
    update = replace_text(doc, latest.text)
    try:
        with write_transaction():
            draft = LiveDraft(page_id=page.id, base_revision_id=latest.id)
            db.session.add(draft)
            db.session.flush()
            db.session.add(LiveUpdate(draft_id=draft.id, data=update))
    except IntegrityError:  # another process started it first: use theirs
        db.session.rollback()
        draft = draft_for(page.id)
    return draft


def load_doc(draft_id: int) -> Doc:
    """Return a document holding every stored update of the draft (compacting a long log)."""
    doc, ids = _read(draft_id)
    if len(ids) > COMPACT_AFTER:
        compact(draft_id, ids, doc.get_update())
    return doc


def read_doc(draft_id: int) -> Doc:
    """Return a document holding every stored update of the draft, writing nothing (for use
    inside a write transaction)."""
    return _read(draft_id)[0]


def _read(draft_id: int) -> tuple[Doc, list[int]]:
    rows = db.session.execute(
        select(LiveUpdate.id, LiveUpdate.data)
        .where(LiveUpdate.draft_id == draft_id)
        .order_by(LiveUpdate.id)
    ).all()
    doc = new_doc()
    if rows:
        doc.apply_update(merge_updates(*[row.data for row in rows]))
    return doc, [row.id for row in rows]


def append(draft_id: int, updates: list[bytes], typists: set[int]) -> None:
    """Store updates typed in a room (merged into one row) and who typed them."""
    if not updates and not typists:
        return
    with write_transaction():
        if updates:
            data = merge_updates(*updates) if len(updates) > 1 else updates[0]
            db.session.add(LiveUpdate(draft_id=draft_id, data=data))
        known = set(
            db.session.scalars(select(LiveAuthor.user_id).where(LiveAuthor.draft_id == draft_id))
        )
        for user_id in typists - known:
            db.session.add(LiveAuthor(draft_id=draft_id, user_id=user_id))
        draft = db.session.get(LiveDraft, draft_id)
        if draft is not None:
            draft.updated_at = utcnow()


def add_typist(draft_id: int, user_id: int) -> None:
    """Write that someone typed in the draft since its last save (if not written yet)."""
    try:
        with write_transaction():
            if db.session.get(LiveAuthor, (draft_id, user_id)) is None:
                db.session.add(LiveAuthor(draft_id=draft_id, user_id=user_id))
    except IntegrityError:
        pass  # another process wrote it meanwhile (or the draft is gone: nothing to credit)


def mark_open(draft_id: int) -> bool:
    """Note that an app process has the draft's room open now (live-expire leaves it);
    return False if the draft is gone."""
    with write_transaction():
        marked = db.session.execute(
            update(LiveDraft).where(LiveDraft.id == draft_id).values(open_at=utcnow())
        )
    return marked.rowcount == 1


def compact(draft_id: int, ids: list[int], state: bytes) -> None:
    """Replace the given update rows by one holding state (rows added meanwhile stay)."""
    with write_transaction():
        db.session.execute(delete(LiveUpdate).where(LiveUpdate.id.in_(ids)))
        db.session.add(LiveUpdate(draft_id=draft_id, data=state))


def typists(draft_id: int) -> list[int]:
    """Return the ids of everyone who typed in the draft since its last save."""
    return list(
        db.session.scalars(select(LiveAuthor.user_id).where(LiveAuthor.draft_id == draft_id))
    )


def typist_names(user_ids: set[int]) -> set[str]:
    """Return the account names of these people."""
    if not user_ids:
        return set()
    return set(db.session.scalars(select(User.username).where(User.id.in_(user_ids))))


def tidy(draft_id: int) -> None:
    """Merge a closed room's stored updates into one row."""
    rows = db.session.execute(
        select(LiveUpdate.id, LiveUpdate.data).where(LiveUpdate.draft_id == draft_id)
    ).all()
    if len(rows) > 1:
        compact(draft_id, [row.id for row in rows], merge_updates(*[row.data for row in rows]))
