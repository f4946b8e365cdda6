"""Word authorship kept per revision: computed by a job after each save, read by views."""

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from .. import followups
from ..core.authorship import (
    EMPTY,
    Attribution,
    Edit,
    Memory,
    attribute,
    attribute_edit,
    counts_in_stored_form,
    from_stored_form,
    stored_form,
    word_counts,
)
from ..database import wait_turn, write_transaction
from ..extensions import db
from ..models import Page, Revision, TextBlob, User, keep, kept, kept_or_made
from .models import PageAuthorship, RevisionAuthorship

#: As for texts (wiki.pages.content): a whole form at least every this many revisions, and
#: a delta only if it is smaller than this share of the whole form compressed.
MAX_DELTA_DEPTH = 40
DELTA_WORTH = 0.5
#: What a parsed record or memory weighs in the kept texts, per character of its text:
#: tuples of ints take about 15 times the memory of the text they were read from.
PARSED = 16


def catch_up(page_id: int) -> PageAuthorship | None:
    """Attribute the page's revisions not attributed yet, each from the one before it,
    starting after the last one attributed; return the page's memory.

    Saves leave this to a background job (a save's answer does not wait for it), and views
    that show authorship call it first: whoever comes first does the work, under the page's
    turn, and the other finds it done.
    """
    wait_turn(f"authorship {page_id}")
    state = db.session.get(PageAuthorship, page_id)
    if state is None:
        return backfill_page(page_id)
    query = (
        select(Revision)
        .where(Revision.page_id == page_id, Revision.id > state.revision_id)
        .order_by(Revision.id)
    )
    revisions = list(db.session.scalars(query))
    if not revisions:
        return state
    base = db.session.get(RevisionAuthorship, state.revision_id)
    if base is None:  # a memory ahead of the records (never written so): start again
        return backfill_page(page_id)
    current, counts = stored_with_counts(state.revision_id)
    before_memory = memory = _memory(state)
    for revision in revisions:
        restored = _restored(page_id, revision.sha1)
        edit = attribute_edit(current, counts, _text(revision), revision.id, memory, restored)
        current, memory, counts = edit.attribution, edit.memory, edit.counts
        base = _store(page_id, revision, current, counts, base, new=True, edit=edit)
    if memory is before_memory:  # nothing deleted: the same memory, not written again
        state.revision_id = base.revision_id
        _keep_parsed_memory(page_id, base.revision_id, state.memory, memory)
        return state
    return _keep_memory(page_id, base.revision_id, memory, state)


@followups.work("authorship")
def _follow_save(page_id: int) -> None:
    """Attribute a page's new revisions (what a save leaves for after its answer)."""
    catch_up(page_id)


def stored(revision_id: int) -> Attribution | None:
    """Return the stored attribution of a revision, if it was computed."""
    return stored_with_counts(revision_id)[0]


def stored_with_counts(revision_id: int) -> tuple[Attribution | None, dict[int, int]]:
    """Return the stored attribution of a revision and its word counts per revision."""
    row = db.session.get(RevisionAuthorship, revision_id)
    if row is None:
        return None, {}
    revision = db.session.get(Revision, revision_id)
    runs, counts = _parsed(row)
    return Attribution(_text(revision), runs), counts


def _text(revision: Revision) -> str:
    """Return a revision's text, without reading its row if this process keeps it (the
    process that saved it does)."""
    kept_text = TextBlob.kept_text(revision.sha1)
    return kept_text if kept_text is not None else revision.text


def _parsed(row: RevisionAuthorship) -> tuple[tuple, dict[int, int]]:
    """Return a record's runs and word counts, parsed once per app (a long history's record
    holds thousands of runs)."""

    def parse() -> tuple[tuple[tuple, dict[int, int]], int]:
        form = row.form
        return from_stored_form(form), PARSED * len(form)

    runs, counts = kept_or_made(("parsed", *row.content_key()), parse)
    return runs, dict(counts)  # the caller's own counts


def backfill_page(page_id: int) -> PageAuthorship | None:
    """Attribute every revision of a page from its first; return the memory."""
    query = select(Revision).where(Revision.page_id == page_id).order_by(Revision.id)
    current, memory, seen, row, counts = None, EMPTY, {}, None, None
    for revision in db.session.scalars(query):
        text, restored, edit = revision.text, seen.get(revision.sha1), None
        if current is None:
            current, memory = attribute(None, text, revision.id, memory, restored)
            counts = word_counts(current)
        else:
            edit = attribute_edit(current, counts, text, revision.id, memory, restored)
            current, memory, counts = edit.attribution, edit.memory, edit.counts
        seen.setdefault(revision.sha1, current)
        row = _store(page_id, revision, current, counts, row, edit=edit)
    if row is None:
        return None
    state = db.session.get(PageAuthorship, page_id)
    return _keep_memory(page_id, row.revision_id, memory, state)


def backfill_all(progress: Callable[[str], None] = lambda line: None) -> int:
    """Attribute the revisions of every page not yet attributed (a page's whole history, or
    those after its last one attributed), one page per transaction."""
    done = 0
    pages = db.session.execute(select(Page.id, Page.latest_revision_id).order_by(Page.id)).all()
    for page_id, latest_id in pages:
        if latest_id is None or db.session.get(RevisionAuthorship, latest_id) is not None:
            continue
        with write_transaction():
            catch_up(page_id)
        done += 1
        if done % 100 == 0:
            progress(f"{done} pages attributed")
    return done


def compact_forms(progress: Callable[[str], None] = lambda line: None) -> tuple[int, int]:
    """Store whole authorship forms as deltas on their page's previous revision's form, one
    page per transaction; return (forms, bytes saved). Rows are rewritten oldest first and
    each against one already met, so no chain can loop."""
    changed = saved = 0
    page_ids = list(db.session.scalars(select(RevisionAuthorship.page_id).distinct()))
    for number, page_id in enumerate(sorted(page_ids), 1):
        with write_transaction():
            # The page's turn, as catch_up takes: on PostgreSQL a job attributing the page
            # meanwhile would store a record on one rewritten here (its depth then wrong) or
            # a backfill replace the rows being rewritten.
            wait_turn(f"authorship {page_id}")
            query = (
                select(RevisionAuthorship)
                .where(RevisionAuthorship.page_id == page_id)
                .order_by(RevisionAuthorship.revision_id)
            )
            previous = None
            for row in db.session.scalars(query):
                if row.base_id is None and previous is not None:
                    before = len(row.data)
                    _set_columns(row, row.form, _encoded(row.form, previous))
                    if row.base_id is not None:
                        changed, saved = changed + 1, saved + before - len(row.data)
                previous = row
        if number % 100 == 0:
            progress(f"{number} of {len(page_ids)} pages' authorship")
    return changed, saved


def _restored(page_id: int, sha1: str) -> Attribution | None:
    """Return the attribution of the latest earlier revision of the page with this text."""
    found = db.session.scalar(_LATEST_WITH_TEXT, {"page_id": page_id, "sha1": sha1})
    return stored(found) if found is not None else None


#: Built once (its values bound when run): every revision attributed asks it.
_LATEST_WITH_TEXT = (
    select(RevisionAuthorship.revision_id)
    .where(
        RevisionAuthorship.page_id == bindparam("page_id"),
        RevisionAuthorship.sha1 == bindparam("sha1"),
    )
    .order_by(RevisionAuthorship.revision_id.desc())
    .limit(1)
)


def _store(
    page_id: int,
    revision: Revision,
    attribution: Attribution,
    counts: dict[int, int] | None,
    base: RevisionAuthorship | None,
    new: bool = False,
    edit: Edit | None = None,
) -> RevisionAuthorship:
    """Keep (or replace) the attribution of a revision, with its word counts (counted here
    if not given), as a delta on base (the page's previous revision's) when worth it;
    new: the revision was just saved, so nothing is kept for it yet; edit: the Edit that
    made it from base's, whose untouched lines of base's form are copied (Edit.kept,
    Edit.touched)."""
    kept, touched = (edit.kept, edit.touched) if edit is not None else ((0, 0), None)
    if counts is None:
        counts = word_counts(attribution)
    usable = base is not None and (kept != (0, 0) or touched is not None)
    previous = base.form if usable else None
    form = stored_form(attribution.runs, counts, previous, kept, touched)
    row = None if new else db.session.get(RevisionAuthorship, revision.id)
    # A record rewritten (backfill) is stored whole: its bytes then change with its content,
    # which kept records rely on (Chained.content_key). Encoded before a new row joins the
    # session: reading base's chain would flush it unfilled.
    columns = _encoded(form, base if row is None else None)
    if row is None:
        row = RevisionAuthorship(revision_id=revision.id, page_id=page_id, sha1=revision.sha1)
        db.session.add(row)
    _set_columns(row, form, columns)
    # The next save of the page starts from these runs and counts.
    keep(("parsed", *row.content_key()), (attribution.runs, dict(counts)), PARSED * len(form))
    return row


def _encoded(form: str, base: RevisionAuthorship | None) -> dict:
    """Return the columns storing form, as a delta on base's form when worth it."""
    return RevisionAuthorship.columns_for(form, base, MAX_DELTA_DEPTH, DELTA_WORTH)


def _set_columns(row: RevisionAuthorship, form: str, columns: dict) -> None:
    """Store form in a row with the given columns, keeping it read."""
    row.data, row.depth, row.base_id = columns["data"], columns["depth"], columns["base_id"]
    row.keep_text(form)


def _memory(state: PageAuthorship | None) -> Memory:
    """Return the memory stored for a page (parsed once per app while it stays the same)."""
    if state is None:
        return EMPTY
    key = ("page_authorship", state.page_id, state.revision_id)
    found = kept(key)
    if found is not None and found[0] == state.memory:
        return found[1]
    fragments = json.loads(state.memory)
    memory = Memory(tuple(Attribution(text, tuple(map(tuple, runs))) for text, runs in fragments))
    keep(key, (state.memory, memory), PARSED * len(state.memory))
    return memory


def _keep_memory(
    page_id: int, revision_id: int, memory: Memory, state: PageAuthorship | None
) -> PageAuthorship:
    """Store the page's memory as of revision_id."""
    if state is None:
        state = PageAuthorship(page_id=page_id)
        db.session.add(state)
    state.revision_id = revision_id
    state.memory = "[" + ",".join(_fragment_json(f) for f in memory.fragments) + "]"
    _keep_parsed_memory(page_id, revision_id, state.memory, memory)
    return state


def _keep_parsed_memory(page_id: int, revision_id: int, stored: str, memory: Memory) -> None:
    """Keep a page's memory parsed, with the JSON it was read from (see _memory)."""
    keep(("page_authorship", page_id, revision_id), (stored, memory), PARSED * len(stored))


#: The JSON of memory fragments by id, with the fragment (so the id is not reused): a save
#: adds a fragment or two to a memory of hundreds, which need not be written out again.
_fragments_json: dict[int, tuple[Attribution, str]] = {}
#: Characters of fragments and JSON held at most; past it everything is let go (memories
#: in use are made again once).
MAX_FRAGMENTS_CHARS = 4_000_000
_held = [0]


def _fragment_json(fragment: Attribution) -> str:
    """Return a memory fragment as JSON ([text, runs]), made once per fragment."""
    found = _fragments_json.get(id(fragment))
    if found is not None and found[0] is fragment:
        return found[1]
    made = json.dumps([fragment.text, fragment.runs], ensure_ascii=False, separators=(",", ":"))
    weight = len(fragment.text) + len(made)
    if _held[0] + weight > MAX_FRAGMENTS_CHARS:
        _fragments_json.clear()
        _held[0] = 0
    _fragments_json[id(fragment)] = (fragment, made)
    _held[0] += weight
    return made


@dataclass(frozen=True)
class Writer:
    """Who made a revision: a person, or an address for anonymous edits."""

    revision_id: int
    name: str
    user: User | None


@dataclass(frozen=True)
class Share:
    """One person's part of the current text."""

    name: str
    user: User | None
    words: int
    percent: int


@dataclass(frozen=True)
class Authorship:
    """The current text in runs, each with its writer, and everyone's share of the words."""

    revision: Revision
    runs: list[tuple[str, Writer]]
    shares: list[Share]
    words: int


def page_authorship(page: Page, revision: Revision | None = None) -> Authorship:
    """Return who wrote the text of one of the page's revisions (the latest unless given),
    attributing its history once if needed."""
    revision = revision or page.latest
    runs, counts = from_stored_form(_attributed(page.id, revision.id).form)
    writers = _writers({r for *_, r in runs} | set(counts))
    text = revision.text
    shown = [(text[s:e], writers[r]) for s, e, r in runs]
    return Authorship(revision, shown, shares_of(counts, writers), sum(counts.values()))


def shares(page: Page, revision_id: int | None = None) -> list[Share]:
    """Return each person's share of the words of a revision (the latest unless given),
    largest first."""
    revision_id = revision_id or page.latest_revision_id
    if revision_id is None:
        return []
    if db.session.get(RevisionAuthorship, revision_id) is None and (
        db.session.get(PageAuthorship, page.id) is None
    ):
        # Never attributed (saved before authorship was kept): the whole history is left to
        # the authorship view or `flask backfill-authorship`, not to whoever opens /info.
        return []
    counts = counts_in_stored_form(_attributed(page.id, revision_id).form)
    return shares_of(counts, _writers(set(counts)))


def _attributed(page_id: int, revision_id: int) -> RevisionAuthorship:
    """Return the authorship record of a revision, attributing the page's revisions not
    attributed yet first (the save's job may not have run)."""
    row = db.session.get(RevisionAuthorship, revision_id)
    if row is None:
        with write_transaction():
            catch_up(page_id)
        row = db.session.get(RevisionAuthorship, revision_id)
    if row is None:  # the memory says attributed past it, the record is gone: start again
        with write_transaction():
            backfill_page(page_id)
        row = db.session.get(RevisionAuthorship, revision_id)
    return row


def shares_of(counts: dict[int, int], writers: dict[int, Writer]) -> list[Share]:
    """Return the shares of the words of a stored attribution (words per revision), per
    person."""
    per_name: dict[str, list] = {}
    for revision_id, count in counts.items():
        writer = writers[revision_id]
        entry = per_name.setdefault(writer.name, [writer.user, 0])
        entry[1] += count
    total = sum(count for _, count in per_name.values()) or 1
    found = [
        Share(name, user, count, round(100 * count / total))
        for name, (user, count) in per_name.items()
    ]
    return sorted(found, key=lambda share: (-share.words, share.name))


def _writers(revision_ids: set[int]) -> dict[int, Writer]:
    """Return who made each revision, in one query."""
    rows = db.session.execute(
        select(Revision.id, Revision.author_ip, User)
        .outerjoin(User, User.id == Revision.author_id)
        .where(Revision.id.in_(revision_ids))
    ).all()
    return {
        rid: Writer(rid, user.username if user else (ip or "?"), user) for rid, ip, user in rows
    }
