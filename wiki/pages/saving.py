"""Saving pages: append a revision, merging with edits made since the editor opened.

A save merges and renders outside the write lock, then appends inside one transaction and
moves the page's pointer by compare-and-set; a lost race merges again (see
docs/architecture.md, "Saving").
"""

from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from .. import events
from ..access.permissions import client_address, edit_refusal, mask_ip, raise_refusal
from ..core.merge import MergeResult, merge3
from ..core.numbers import parse_natural
from ..core.render import Rendered
from ..core.text import byte_size, clean_text, text_sha1
from ..core.titles import N_, Title, parse_title
from ..database import turn_taken, wait_turn, write_transaction
from ..extensions import db
from ..memo import content_changed
from ..models import Draft, Link, Page, Revision, RevisionKind, TextBlob, User
from ..problems import BadRequest, Conflict, NotAllowed, TooLarge
from ..summaries import SystemSummary
from . import content
from .reading import get_page

DAMAGED_BASE = N_("The form is damaged: the revision it was opened on is not valid.")
EMPTY_NEW_PAGE = N_("The page is empty. Write something before saving it.")
EMPTY_PAGE = N_(
    "A page cannot be left empty. To remove it, ask a moderator to delete it; "
    "to send readers to another page, make it a redirect."
)


class EditConflict(Conflict):
    """The page changed since the editor was opened."""

    status = 409

    def __init__(
        self,
        message: str,
        latest: Revision | None,
        *,
        merge: MergeResult | None = None,
        base_revision_id: int | None = None,
        mine: str = "",
    ) -> None:
        super().__init__(message)
        self.latest = latest
        self.merge = merge
        self.base_revision_id = base_revision_id
        self.mine = mine


@dataclass
class SaveResult:
    """What a save did: the page, and the new revision unless nothing changed."""

    page: Page
    revision: Revision | None
    created: bool = False
    #: When the edit was merged: the latest revision it was merged with.
    merged_with: Revision | None = None
    #: Whether the new revision was published at once (not waiting for a reviewer).
    published: bool = False
    #: Passages where the edit differed from the author's own saves since its base (another
    #: tab, the back button): their newer text was kept instead of a conflict with themselves.
    own_passages: int = 0


def check_text(text: str) -> str:
    """Return the text cleaned, or raise TooLarge."""
    text = clean_text(text)
    limit = current_app.config["MAX_PAGE_BYTES"]
    if byte_size(text) > limit:
        raise TooLarge(
            N_("The text is too large: a page can hold at most %(limit)s KB."),
            limit=limit // 1024,
        )
    return text


def parse_base_revision(raw: str | None) -> int | None:
    """Return the base revision id from the form, or raise BadRequest if it is malformed."""
    if raw is None or raw.strip() == "":
        return None
    number = parse_natural(raw)
    if not number:  # revision ids start at 1
        raise BadRequest(DAMAGED_BASE)
    return number


# Saves first merge and render without holding the write lock; after this many lost races
# a save takes the lock first and does the work inside it, so a busy page always progresses.
# One: on a hot page a second optimistic attempt mostly lost again, its merge and render
# wasted (make bench, 16 writers on one page: 11.7 -> 14.8 saves/s, p95 2.84 -> 2.45 s).
OPTIMISTIC_ATTEMPTS = 1
#: How long a save holding its lock waits for the render started before it, after the
#: revision is appended and revision_added's receivers have run (a 20 KB page renders in
#: ~3 ms meanwhile); longer, it rolls back (receivers included), waits unlocked, tries again.
RENDER_PATIENCE = 0.05

MAX_SAVE_ATTEMPTS = 6


@dataclass
class _Edit:
    """One save request, as checked and cleaned."""

    title: Title
    text: str
    author: User
    summary: str
    minor: bool
    base_revision_id: int | None
    kind: RevisionKind
    also: Callable[[Page, Revision], None] | None = None
    #: For an anonymous edit: the editor's masked address.
    author_ip: str | None = None
    #: The editor asked to publish the page's waiting changes together with this edit.
    publish_waiting: bool = False
    #: A summary the wiki wrote (wiki/summaries.py), kept as its key and arguments.
    system_summary: SystemSummary | None = None
    #: Blank text may be saved (see save_page).
    allow_blank: bool = False


def _masked_ip(address: str | None) -> str:
    """Return the masked address an anonymous edit is attributed to."""
    return mask_ip(address if address is not None else client_address())


@dataclass
class _Prepared:
    """The text to append on top of a given latest revision, merged and rendered."""

    latest: Revision | None
    #: The page's id and its latest revision's id as merged against (None, None: no page);
    #: kept apart, as the rows expire when the lock is taken.
    seen: tuple[int | None, int | None]
    text: str
    sha1: str
    merged_with: Revision | None
    #: The text's rendering, started when it was merged; None when the text equals the
    #: latest: nothing to save.
    rendering: "Future[Rendered] | None"
    #: The edit's base text, if the merge read it (a merge again under the lock reuses it).
    base_text: str | None = None
    #: Passages that conflicted with the author's own saves only, their newer text kept.
    own_passages: int = 0

    @property
    def unchanged(self) -> bool:
        """Return whether the text is the latest revision's: nothing to save."""
        return self.rendering is None

    def rendered(self, patience: float | None = None) -> Rendered:
        """Return the rendered text, waiting up to patience seconds (None: its own bound);
        raise _RenderPending if it takes longer."""
        assert self.rendering is not None
        try:
            return self.rendering.result(timeout=patience)
        except FutureTimeout:
            raise _RenderPending(self) from None


class _RenderPending(Exception):
    """The render of a save's text took longer than the save may hold its lock for."""

    def __init__(self, prepared: _Prepared) -> None:
        super().__init__("render pending")
        self.prepared = prepared


class _Unread:
    """The page was not read by the caller of save_page."""


UNREAD = _Unread()


def save_page(
    title: Title,
    text: str,
    *,
    author: User | None,
    summary: "str | SystemSummary" = "",
    minor: bool = False,
    base_revision_id: int | None,
    kind: RevisionKind = RevisionKind.EDIT,
    also: Callable[[Page, Revision], None] | None = None,
    author_ip: str | None = None,
    publish_waiting: bool = False,
    page: "Page | None | _Unread" = UNREAD,
    allow_blank: bool = False,
) -> SaveResult:
    """Save text as the page's new revision, merging with edits made since its base.

    `also` runs inside the save's transaction once the revision exists (e.g. to log it).
    `page`: the page as the caller read it in this transaction (None: there is none), so
    the first attempt need not read it again; left out, the save reads it.
    Blank text (only whitespace) is refused, for a new page or an existing one, unless
    allow_blank (a file's description page, a rejection putting back what was published).
    A person's text that is the latest but for whitespace at its end saves nothing (the
    wiki's own saves, with a system summary or an `also`, always make their revision).
    """
    if author is not None and not author.is_authenticated:
        author = None  # an anonymous visitor (the edit policy may allow it)
    raise_refusal(edit_refusal(author, title))
    system = summary if isinstance(summary, SystemSummary) else None
    summary = clean_text(system.english() if system else summary).replace("\n", " ").strip()
    edit = _Edit(
        title=title,
        text=check_text(text),
        author=author,
        summary=summary[: current_app.config["MAX_SUMMARY_LENGTH"]],
        minor=minor,
        base_revision_id=base_revision_id,
        kind=kind,
        also=also,
        author_ip=_masked_ip(author_ip) if author is None else None,
        publish_waiting=publish_waiting,
        system_summary=system,
        allow_blank=allow_blank,
    )
    prepared = None
    for attempt in range(MAX_SAVE_ATTEMPTS):
        try:
            read = page if attempt == 0 else UNREAD
            locked = attempt >= OPTIMISTIC_ATTEMPTS
            return _attempt_save(edit, locked=locked, page=read, prepared=prepared)
        except _RenderPending as pending:
            # A slow render (a long or hard text): wait for it without the lock, then save
            # it again as merged if nobody saved meanwhile (raises RenderTimeout if it fails).
            pending.prepared.rendered()
            prepared = pending.prepared
        except (_LostRace, IntegrityError):
            # Someone saved between our read and our write: merge against their text.
            db.session.rollback()
            prepared = None
    raise EditConflict(
        N_("The page is being edited very busily right now. Your text is kept; save again."),
        None,
    )


def _attempt_save(
    edit: _Edit,
    *,
    locked: bool,
    page: "Page | None | _Unread" = UNREAD,
    prepared: _Prepared | None = None,
) -> SaveResult:
    """Merge, render and append once; raise _LostRace if the page went meanwhile.

    Unless locked, or another save of the page holds its turn (and will have moved it by the
    time this one gets the turn), the merge and render are first done against the latest
    revision read without the lock; under the lock they are done again only if someone
    saved meanwhile.
    """
    if prepared is None and not locked and not turn_taken(_turn(edit.title)):
        if isinstance(page, _Unread):
            page = get_page(edit.title)
        if page is not None and page.deleted:
            raise NotAllowed(PAGE_DELETED)
        # Rendered in a worker while this thread takes the lock and appends the revision.
        prepared = _prepare(edit, page, page.latest if page else None)
        if prepared.unchanged:
            return _unchanged(edit, page, prepared)
    # The revisions the optimistic attempt read stay loaded (they never change); the page,
    # texts (their depth may change: compact-texts) and people (roles) are read again.
    # A render started before the lock may be waited for only so long under it (see
    # save_page); one started under the lock is waited for whole, as the lock's own work.
    patience: float | None = RENDER_PATIENCE
    with write_transaction(keep=(Revision,) if prepared is not None else ()):
        seen = prepared.seen if prepared else (None, None)
        page, created = _lock_page(edit.title, seen[0])
        if prepared is None or (not created and (page.id, page.latest_revision_id) != seen):
            # Someone saved since (or this is the locked attempt): merge with their text now.
            # Read the latest revision in its own statement: on PostgreSQL a row joined in
            # the locking statement comes from before the lock wait and may be stale.
            latest_id = page.latest_revision_id
            latest = db.session.get(Revision, latest_id) if latest_id else None
            base_text = prepared.base_text if seen[0] == page.id else None
            onward = None
            if prepared is not None and seen[0] == page.id:
                onward = _prepare_onward(edit, page, latest, prepared)
            # Rendered in a worker while the revision is appended (the lock is held anyway).
            prepared, patience = onward or _prepare(edit, page, latest, base_text), None
            if prepared.unchanged:
                _discard_draft(edit.author, edit.title)
                return SaveResult(page=page, revision=None, merged_with=prepared.merged_with)
        kind = edit.kind
        if prepared.latest is None:
            kind = RevisionKind.CREATE
        elif prepared.merged_with is not None and kind == RevisionKind.EDIT:
            kind = RevisionKind.MERGE
        revision = _append_revision(page, prepared, edit, kind)
        if edit.also is not None:
            edit.also(page, revision)
        published = _publish_if_allowed(page, revision, prepared.latest, edit)
        _discard_draft(edit.author, edit.title)
        _announce(page, revision, prepared, edit.author, published, patience)
    return SaveResult(
        page=page,
        revision=revision,
        created=created,
        merged_with=prepared.merged_with,
        published=published,
        own_passages=prepared.own_passages,
    )


def _prepare(
    edit: _Edit,
    page: Page | None,
    latest: Revision | None,
    base_text: str | None = None,
) -> _Prepared:
    """Merge the edit with the latest revision and start rendering the result in a worker.

    base_text: the base revision's text, if an earlier attempt read it already.
    """
    text, merged_with, base_text, own_passages = _merge_with_latest(
        page, latest, edit.text, edit.base_revision_id, base_text, edit.author
    )
    return _prepared(edit, page, latest, text, merged_with, base_text, own_passages)


def _prepare_onward(
    edit: _Edit, page: Page, latest: Revision | None, earlier: _Prepared
) -> _Prepared | None:
    """Return the text an earlier attempt prepared (on this page) merged with what was saved
    since it read the page, or None if that conflicts (the edit is merged from its base
    again).

    One merge of what the others' new revisions changed: under the lock of a busy page,
    merging from the base again redid the earlier attempt's work (and its passage by
    passage merge along the history, after the author's own saves).
    """
    if earlier.latest is None or latest is None:
        return None
    step = merge3(earlier.latest.text, earlier.text, latest.text)
    if not step.clean:
        return None
    return _prepared(
        edit, page, latest, step.text, latest, earlier.base_text, earlier.own_passages
    )


def _prepared(
    edit: _Edit,
    page: Page | None,
    latest: Revision | None,
    text: str,
    merged_with: Revision | None,
    base_text: str | None,
    own_passages: int,
) -> _Prepared:
    """Return the text to append on top of latest, its render started (no render: the
    text is the latest's, nothing to save)."""
    sha1 = text_sha1(text)
    seen = (page.id if page else None, latest.id if latest else None)
    persons = edit.system_summary is None and edit.also is None
    if latest is not None and (
        latest.sha1 == sha1 or (persons and _same_but_trailing_space(text, latest))
    ):
        return _Prepared(latest, seen, text, sha1, merged_with, None, base_text, own_passages)
    if not edit.allow_blank and not text.strip():
        raise BadRequest(EMPTY_NEW_PAGE if latest is None else EMPTY_PAGE, field="text")
    rendering = content.render_soon(text)
    return _Prepared(latest, seen, text, sha1, merged_with, rendering, base_text, own_passages)


def _same_but_trailing_space(text: str, latest: Revision) -> bool:
    """Return whether text is the latest revision's but for whitespace at its end (which
    renders alike): saving it would add a revision nobody could see."""
    stripped = text.rstrip()
    if len(stripped) > latest.size:
        return False
    # Kept by the process that saved or showed it: reading the blob row cost a statement.
    previous = TextBlob.kept_text(latest.sha1)
    return (previous if previous is not None else latest.text).rstrip() == stripped


def _unchanged(edit: _Edit, page: Page, prepared: _Prepared) -> SaveResult:
    """Answer a save that changes nothing: no revision, and the draft is no longer needed."""
    with write_transaction():
        _discard_draft(edit.author, edit.title)
    return SaveResult(page=page, revision=None, merged_with=prepared.merged_with)


class _LostRace(Exception):
    """The page's latest revision moved after we read it."""


def _locking(condition):
    """Return the statement reading and locking the page that matches condition (its row
    read again, not taken from the session)."""
    return (
        select(Page)
        .where(condition)
        .options(lazyload(Page.latest))
        .with_for_update(of=Page)
        .execution_options(populate_existing=True)
    )


#: Built once (values bound when run), as every save locks its page.
_LOCK_PAGE_BY_KEY = _locking(Page.key == bindparam("key"))
_LOCK_PAGE_BY_ID = _locking(Page.id == bindparam("page_id"))


def _lock_page(title: Title, seen: int | None) -> tuple[Page, bool]:
    """Lock the page row, creating the page if new; raise _LostRace if the page seen (its id)
    is no longer at this title."""
    wait_turn(_turn(title))
    page = db.session.scalar(_LOCK_PAGE_BY_KEY, {"key": title.key})
    if page is None:
        if seen is not None:
            raise _LostRace()
        page = Page(title=title.display, key=title.key)
        db.session.add(page)
        db.session.flush()
        return page, True
    if page.deleted:
        raise NotAllowed(PAGE_DELETED)
    return page, False


def _turn(title: Title) -> str:
    """Return the name of the turn that saves of a page wait for."""
    return f"page:{title.key}"


PAGE_DELETED = N_(
    "This page was deleted. A moderator can undelete it; until then it cannot be edited."
)


def append_revision(
    page: Page,
    text: str,
    *,
    author: User | None,
    summary: "str | SystemSummary",
    kind: RevisionKind,
) -> Revision:
    """Append text as the next revision of a page locked in the caller's write transaction.

    For changes that must be one transaction with more than a save (a move and the redirect
    it leaves): links are replaced and revision_added and page_saved are sent as for a save.
    """
    latest = db.session.get(Revision, page.latest_revision_id) if page.latest_revision_id else None
    text = check_text(text)
    sha1 = text_sha1(text)
    seen = (page.id, page.latest_revision_id)
    prepared = _Prepared(latest, seen, text, sha1, None, content.render_soon(text))
    system = summary if isinstance(summary, SystemSummary) else None
    summary = system.english() if system else summary
    edit = _Edit(
        title=Title(page.title, page.key),
        text=text,
        author=author,
        summary=summary[: current_app.config["MAX_SUMMARY_LENGTH"]],
        system_summary=system,
        minor=False,
        base_revision_id=latest.id if latest else None,
        kind=kind,
    )
    revision = _append_revision(page, prepared, edit, kind)
    published = _publish_if_allowed(page, revision, latest, edit)
    _announce(page, revision, prepared, author, published)
    return revision


def _announce(
    page: Page,
    revision: Revision,
    prepared: _Prepared,
    author: User | None,
    published: bool,
    patience: float | None = None,
) -> None:
    """Tell the receivers of revision_added, then, with the render (waited for at most
    patience seconds: _RenderPending), keep the HTML, replace the links and send
    page_saved. The first receivers' work (anchors, credits: milliseconds on a long page)
    overlaps the render running in a worker; word authorship is a job after the commit."""
    app = current_app._get_current_object()
    saved = {
        "page": page,
        "revision": revision,
        "previous": prepared.latest,
        "author": author,
        "published": published,
    }
    events.revision_added.send(app, **saved)
    rendered = prepared.rendered(patience)
    content.keep_rendered(prepared.sha1, rendered)
    if published:
        _replace_links(page, rendered.links)
    events.page_saved.send(app, rendered=rendered, **saved)


#: Decides inside a save's transaction whether its new revision is published at once:
#: rule(page, revision, previous, author, publish_waiting, coauthors) -> bool (wiki/review
#: sets one; without one, every revision is published).
_publication_rule: list[Callable[..., bool]] = []
#: Who else wrote text a save takes in: rule(page) -> user ids (wiki/live sets one: a save
#: from the live editor takes what others typed in the shared draft). Their edits must be
#: as trusted as the author's for the revision to be published at once.
_coauthor_rule: list[Callable[[Page], set[int]]] = []
#: Whether a revision of a page after one, up to another, credits someone beside its
#: author: rule(page_id, after_id, upto_id) -> bool (wiki/live sets one: a save from the
#: live editor holds what others typed, so it is not its author's alone).
_shared_rule: list[Callable[[int, int, int], bool]] = []


def set_publication_rule(rule: Callable[..., bool]) -> None:
    """Let rule decide whether each new revision is published at once."""
    _publication_rule[:] = [rule]


def set_coauthor_rule(rule: Callable[[Page], set[int]]) -> None:
    """Let rule say who else wrote the text of each save (besides its author)."""
    _coauthor_rule[:] = [rule]


def set_shared_rule(rule: Callable[[int, int, int], bool]) -> None:
    """Let rule say whether revisions in a span hold others' writing besides their authors'."""
    _shared_rule[:] = [rule]


def _publish_if_allowed(
    page: Page, revision: Revision, previous: Revision | None, edit: _Edit
) -> bool:
    """Publish the new revision if the publication rule allows it; return whether it did."""
    rule = _publication_rule[0] if _publication_rule else None
    if rule is not None:
        others = _coauthor_rule[0](page) if _coauthor_rule else set()
        others.discard(revision.author_id)
        if not rule(page, revision, previous, edit.author, edit.publish_waiting, others):
            return False
    # A page readers could not see until now appears: what other pages show of it (a
    # category's link, blue once its page is published) is a change of the base.
    first = previous is not None and page.published_revision_id is None
    if not move_published(page, revision.id, locked=True):
        raise _LostRace()
    if first:
        content_changed()
    return True


def move_published(page: Page, revision_id: int, *, locked: bool = False) -> bool:
    """Move the page's published pointer forward to revision_id (compare-and-set, in the
    caller's transaction); return False if it already points there or at a newer one.

    The pointer never moves backwards: two reviewers accepting at once cannot publish an
    older revision over a newer one, whatever order their transactions commit in.
    locked: the caller read page with its row locked (lock_page), so nothing else changed it.
    """
    moved = db.session.execute(_MOVE_PUBLISHED, {"page_id": page.id, "revision_id": revision_id})
    if moved.rowcount != 1:
        return False
    if locked:
        set_committed_value(page, "published_revision_id", revision_id)
        db.session.expire(page, ["published"])  # loaded again if someone reads it
    else:
        db.session.refresh(page)
    return True


def lock_page(page_id: int) -> Page:
    """Return the page, its row locked for the caller's write transaction."""
    return db.session.scalar(_LOCK_PAGE_BY_ID, {"page_id": page_id})


def replace_links(page: Page, targets: tuple[str, ...]) -> None:
    """Record the wikilinks of the page's published text (when a reviewer publishes it)."""
    _replace_links(page, targets)


def _merge_with_latest(
    page: Page | None,
    latest: Revision | None,
    text: str,
    base_revision_id: int | None,
    base_text: str | None = None,
    author: User | None = None,
) -> tuple[str, Revision | None, str | None, int]:
    """Return the text to save, the latest revision it was merged with (if it was), the
    base text if it was read, and how many passages took the author's newer text over
    their own saves since the base."""
    if latest is None:
        if base_revision_id is not None and page is None:
            raise BadRequest(
                N_("The form is damaged: the revision it was opened on does not exist.")
            )
        return text, None, base_text, 0
    if base_revision_id == latest.id:
        return text, None, base_text, 0
    if base_text is None:
        base_text = base_revision(page, base_revision_id).text if base_revision_id else ""
    result = merge3(base_text, text, latest.text)
    if result.clean:
        return result.text, latest, base_text, 0
    if base_revision_id is not None and _only_saved_by(page, base_revision_id, latest, author):
        # Nobody else saved since the form was opened: a person does not conflict with
        # themselves (two tabs, the back button); their newest text wins where they differ.
        conflicts = len(result.conflicts)
        return result.resolve(["mine"] * conflicts), latest, base_text, conflicts
    if base_revision_id is not None and author is not None:
        # Others saved too: the conflicts may still be only with the person's own saves.
        rebased = _rebased_over_own_saves(page, base_revision_id, base_text, text, latest, author)
        if rebased is not None:
            merged, own_passages = rebased
            return merged, latest, base_text, own_passages
    raise EditConflict(
        N_(
            "Someone else changed the same words while you were editing. Your text is "
            "kept: choose which version to keep for each passage below, then save."
        ),
        latest,
        merge=result,
        base_revision_id=base_revision_id,
        mine=text,
    )


def _only_saved_by(page: Page, after_id: int, latest: Revision, author: User | None) -> bool:
    """Return whether every revision of the page after one, up to latest, is the author's
    own writing (an account's: anonymous editors sharing an address are not one person),
    written by them alone (a live save credits those who typed with them: their words are
    not the author's to overwrite), and typed (a rejection, rollback, undo or restore of
    theirs took out or put back someone's text, which an older tab must not silently undo)."""
    if author is None:
        return False
    if _shared_rule and _shared_rule[0](page.id, after_id, latest.id):
        return False
    others = select(Revision.id).where(
        Revision.page_id == page.id,
        Revision.id > after_id,
        Revision.id <= latest.id,
        or_(
            Revision.author_id.is_(None),
            Revision.author_id != author.id,
            Revision.kind.not_in([str(kind) for kind in _TYPED]),
        ),
    )
    return db.session.scalar(select(others.exists())) is False


#: A save conflicting with its author's own saves while others saved too is merged again
#: along the page's history only when that history since its base is this short, in at
#: most this many runs of revisions by the author or by others (a merge each).
MAX_REBASED_REVISIONS = 60
MAX_REBASED_RUNS = 8
#: The kinds of revision that are their author's own writing.
_TYPED = (RevisionKind.CREATE, RevisionKind.EDIT, RevisionKind.MERGE)


def _rebased_over_own_saves(
    page: Page, base_id: int, base_text: str, text: str, latest: Revision, author: User
) -> tuple[str, int] | None:
    """Return the text merged run by run along the revisions since its base (as a rebase
    does) and how many passages took the author's newer text over their own saves; None if
    some passage conflicts with someone else's change (or the history is too long).

    Each run of the author's own revisions (theirs alone: not crediting co-authors) may
    conflict with the text only where they changed the same passage twice: their newer
    text is kept there. A run of others' revisions must merge cleanly: what another person
    changed is never overwritten unasked.
    """
    rows = db.session.execute(
        select(Revision.id, Revision.author_id, Revision.kind)
        .where(Revision.page_id == page.id, Revision.id > base_id, Revision.id <= latest.id)
        .order_by(Revision.id)
        .limit(MAX_REBASED_REVISIONS + 1)
    ).all()
    if not rows or len(rows) > MAX_REBASED_REVISIONS or rows[-1].id != latest.id:
        return None
    runs: list[tuple[bool, int]] = []  # (the author's own, the run's last revision id)
    for row in rows:
        # Their typing only: a rejection, rollback, undo or restore of theirs took out or
        # put back someone's text, which an older tab's text must not silently undo.
        own = row.author_id == author.id and row.kind in _TYPED
        if runs and runs[-1][0] == own:
            runs[-1] = (own, row.id)
        else:
            runs.append((own, row.id))
    if len(runs) > MAX_REBASED_RUNS or not any(own for own, _ in runs):
        return None
    before_id, before, mine, kept = base_id, base_text, text, 0
    for own, last_id in runs:
        after = latest.text if last_id == latest.id else db.session.get(Revision, last_id).text
        step = merge3(before, mine, after)
        if step.clean:
            mine = step.text
        elif own and not (_shared_rule and _shared_rule[0](page.id, before_id, last_id)):
            kept += len(step.conflicts)
            mine = step.resolve(["mine"] * len(step.conflicts))
        else:
            return None
        before_id, before = last_id, after
    return mine, kept


def base_revision(page: Page, base_revision_id: int) -> Revision:
    """Return the base revision, refusing one that does not belong to this page."""
    base = db.session.get(Revision, base_revision_id)
    if base is None or base.page_id != page.id:
        raise BadRequest(
            N_(
                "The form is damaged: the revision it was opened on "
                "is not a revision of this page."
            )
        )
    return base


def _append_revision(page: Page, prepared: _Prepared, edit: _Edit, kind) -> Revision:
    """Add a revision after the latest and move the page's pointer to it (compare-and-set)."""
    latest = prepared.latest
    # Read first: the author's row, read again in this transaction, would flush a new blob.
    author_id = edit.author.id if edit.author else None
    blob = content.store_text(prepared.text, prepared.sha1, latest.blob if latest else None)
    size = byte_size(prepared.text)
    revision = Revision(
        page_id=page.id,
        parent_id=latest.id if latest else None,
        author_id=author_id,
        author_ip=edit.author_ip,
        summary=edit.summary,
        summary_key=edit.system_summary.key if edit.system_summary else None,
        summary_args=edit.system_summary.encoded_args() if edit.system_summary else None,
        minor=edit.minor,
        kind=str(kind),
        size=size,
        size_change=size - (latest.size if latest else 0),
        sha1=prepared.sha1,
        blob=blob,  # held, with its text, for the receivers of revision_added
    )
    db.session.add(revision)
    db.session.flush()  # the revision and, if new, its blob
    values = {"page_id": page.id, "revision_id": revision.id}
    if latest is None:
        moved = db.session.execute(_MOVE_LATEST_FIRST, values)
    else:
        moved = db.session.execute(_MOVE_LATEST, values | {"seen": latest.id})
    if moved.rowcount != 1:
        raise _LostRace()
    # The row is locked by this transaction: only this UPDATE changed it since it was read.
    set_committed_value(page, "latest_revision_id", revision.id)
    set_committed_value(page, "latest", revision)
    return revision


def _replace_links(page: Page, targets: tuple[str, ...]) -> None:
    """Record the wikilinks of the page's current text, writing only what changed (most
    saves change no link: one read, no write)."""
    wanted: dict[str, str] = {}
    for target in targets:
        title = parse_title(target)
        wanted.setdefault(title.key, title.display)
    stored = dict(db.session.execute(_LINKS_OF_PAGE, {"page_id": page.id}).all())
    gone = [key for key, title in stored.items() if wanted.get(key) != title]
    if gone:
        db.session.execute(delete(Link).where(Link.page_id == page.id, Link.target_key.in_(gone)))
    new = [
        {"page_id": page.id, "target_key": key, "target_title": title}
        for key, title in wanted.items()
        if stored.get(key) != title
    ]
    if new:
        db.session.execute(insert(Link), new)


#: Built once, of tables' columns (values bound when run): building statements anew was
#: a tenth of a save, and a statement of ORM attributes gets its cache key made each time.
_links, _drafts, _pages = Link.__table__.c, Draft.__table__.c, Page.__table__.c
_LINKS_OF_PAGE = select(_links.target_key, _links.target_title).where(
    _links.page_id == bindparam("page_id")
)
_DISCARD_DRAFT = delete(Draft.__table__).where(
    _drafts.user_id == bindparam("user_id"), _drafts.page_key == bindparam("page_key")
)
_MOVE_LATEST, _MOVE_LATEST_FIRST = (
    update(Page.__table__)
    .where(_pages.id == bindparam("page_id"), seen)
    .values(latest_revision_id=bindparam("revision_id"))
    for seen in (
        _pages.latest_revision_id == bindparam("seen"),
        _pages.latest_revision_id.is_(None),
    )
)
_MOVE_PUBLISHED = (
    update(Page.__table__)
    .where(
        _pages.id == bindparam("page_id"),
        _pages.published_revision_id.is_(None)
        | (_pages.published_revision_id < bindparam("revision_id")),
    )
    .values(published_revision_id=bindparam("revision_id"))
)


def _discard_draft(author: User | None, title: Title) -> None:
    """Forget the author's draft of this page once their text is saved."""
    if author is not None:
        db.session.execute(_DISCARD_DRAFT, {"user_id": author.id, "page_key": title.key})
