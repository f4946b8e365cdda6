"""Reading and saving pages: the rules behind the page views."""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from .. import events
from ..core.merge import MergeResult, merge3
from ..core.render import Heading, Rendered, mark_missing, wikilink_keys
from ..core.titles import N_, Title, parse_title
from ..database import write_transaction
from ..extensions import db
from ..models import Draft, Link, Page, Revision, RevisionKind, User
from ..problems import UserError
from . import content


class SaveError(UserError):
    """A save that was refused; the message says why, for a person."""


class EditConflict(SaveError):
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


class TextTooLarge(SaveError):
    """The text is over the configured size limit."""

    status = 413


class NotAllowed(SaveError):
    """The person may not edit this page."""

    status = 403


@dataclass
class SaveResult:
    """What a save did: the page, and the new revision unless nothing changed."""

    page: Page
    revision: Revision | None
    created: bool = False
    #: When the edit was merged: the latest revision it was merged with.
    merged_with: Revision | None = None


@dataclass
class PageView:
    """Everything a page view shows."""

    page: Page
    revision: Revision
    html: str
    headings: list[Heading] = field(default_factory=list)


def get_page(title: Title) -> Page | None:
    """Return the page with this title, or None."""
    return db.session.scalar(select(Page).where(Page.key == title.key))


def can_edit(user: User | None, page: Page | Title | None = None) -> bool:
    """Return whether this person may edit pages (this page, if given): policy, role,
    approval, blocks and the page's protection decide."""
    return edit_refusal(user, page) is None


def edit_refusal(user: User | None, page: Page | Title | None = None):
    """Return why this person may not edit the page (a safety.permissions.Refusal), or None."""
    from ..safety.permissions import edit_refusal as refusal

    return refusal(user, page)


def view_page(title: Title) -> PageView | None:
    """Return the current version of a page, rendered, with red links marked."""
    page = get_page(title)
    if page is None or page.latest is None or page.deleted:
        return None
    return render_page(page)


def render_page(page: Page) -> PageView:
    """Return the current version of an existing page, rendered, with red links marked."""
    revision = page.latest
    html, headings = content.rendered_html(revision.sha1, lambda: revision.text)
    return PageView(page=page, revision=revision, html=with_red_links(html), headings=headings)


def with_red_links(html: str) -> str:
    """Mark the wikilinks in html whose target page does not exist."""
    keys = wikilink_keys(html)
    if not keys:
        return html
    existing = set(
        db.session.scalars(select(Page.key).where(Page.key.in_(keys), Page.deleted.is_(False)))
    )
    return mark_missing(html, keys - existing)


def check_text(text: str) -> str:
    """Return the text cleaned, or raise TextTooLarge."""
    text = content.clean_text(text)
    limit = current_app.config["MAX_PAGE_BYTES"]
    if content.byte_size(text) > limit:
        raise TextTooLarge(
            N_("The text is too large: a page can hold at most %(limit)s KB."),
            limit=limit // 1024,
        )
    return text


def parse_base_revision(raw: str | None) -> int | None:
    """Return the base revision id from the form, or raise SaveError if it is malformed."""
    if raw is None or raw.strip() == "":
        return None
    if not raw.strip().isdigit() or len(raw.strip()) > 18:
        raise SaveError(N_("The form is damaged: the revision it was opened on is not valid."))
    return int(raw)


# Saves first merge and render without holding the write lock; after this many lost races
# a save takes the lock first and does the work inside it, so a busy page always progresses.
OPTIMISTIC_ATTEMPTS = 2
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


def _masked_ip(address: str | None) -> str:
    """Return the masked address an anonymous edit is attributed to."""
    from ..safety.permissions import client_address, mask_ip

    return mask_ip(address if address is not None else client_address())


@dataclass
class _Prepared:
    """The text to append on top of a given latest revision, merged and rendered."""

    latest: Revision | None
    text: str
    sha1: str
    merged_with: Revision | None
    rendered: Rendered | None  # None when the text equals the latest: nothing to save


def save_page(
    title: Title,
    text: str,
    *,
    author: User | None,
    summary: str = "",
    minor: bool = False,
    base_revision_id: int | None,
    kind: RevisionKind = RevisionKind.EDIT,
    also: Callable[[Page, Revision], None] | None = None,
    author_ip: str | None = None,
) -> SaveResult:
    """Save text as the page's new revision, merging with edits made since its base.

    `also` runs inside the save's transaction once the revision exists (e.g. to log it).
    """
    if author is not None and not author.is_authenticated:
        author = None  # an anonymous visitor (the edit policy may allow it)
    refusal = edit_refusal(author, title)
    if refusal is not None:
        raise NotAllowed(refusal.message, **refusal.params)
    summary = content.clean_text(summary).replace("\n", " ").strip()
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
    )
    for attempt in range(MAX_SAVE_ATTEMPTS):
        try:
            return _attempt_save(edit, locked=attempt >= OPTIMISTIC_ATTEMPTS)
        except (_LostRace, IntegrityError):
            # Someone saved between our read and our write: merge against their text.
            db.session.rollback()
    raise EditConflict(
        N_("The page is being edited very busily right now. Your text is kept; save again."),
        None,
    )


def _attempt_save(edit: _Edit, *, locked: bool) -> SaveResult:
    """Merge, render and append once; raise _LostRace if the page moved meanwhile."""
    prepared = None
    if not locked:
        page = get_page(edit.title)
        if page is not None and page.deleted:
            raise NotAllowed(PAGE_DELETED)
        prepared = _prepare(edit, page, page.latest if page else None)
        if prepared.rendered is None:
            return _unchanged(edit, page, prepared)
    with write_transaction():
        page, created = _lock_page(edit.title, prepared.latest if prepared else None, locked)
        if prepared is None:
            # Read the latest revision in its own statement: on PostgreSQL a row joined in
            # the locking statement comes from before the lock wait and may be stale.
            latest_id = page.latest_revision_id
            prepared = _prepare(
                edit, page, db.session.get(Revision, latest_id) if latest_id else None
            )
            if prepared.rendered is None:
                _discard_draft(edit.author, edit.title)
                return SaveResult(page=page, revision=None, merged_with=prepared.merged_with)
        kind = edit.kind
        if prepared.latest is None:
            kind = RevisionKind.CREATE
        elif prepared.merged_with is not None and kind == RevisionKind.EDIT:
            kind = RevisionKind.MERGE
        revision = _append_revision(page, prepared, edit, kind)
        content.cache_rendered(prepared.sha1, prepared.rendered)
        _replace_links(page, prepared.rendered.links)
        _discard_draft(edit.author, edit.title)
        if edit.also is not None:
            edit.also(page, revision)
        events.page_saved.send(
            current_app._get_current_object(),
            page=page,
            revision=revision,
            previous=prepared.latest,
            rendered=prepared.rendered,
            author=edit.author,
        )
    return SaveResult(
        page=page, revision=revision, created=created, merged_with=prepared.merged_with
    )


def _prepare(edit: _Edit, page: Page | None, latest: Revision | None) -> _Prepared:
    """Merge the edit with the latest revision and render the result."""
    text, merged_with = _merge_with_latest(page, latest, edit.text, edit.base_revision_id)
    sha1 = content.text_sha1(text)
    if latest is not None and latest.sha1 == sha1:
        return _Prepared(latest, text, sha1, merged_with, None)
    return _Prepared(latest, text, sha1, merged_with, content.render(text))


def _unchanged(edit: _Edit, page: Page, prepared: _Prepared) -> SaveResult:
    """Answer a save that changes nothing: no revision, and the draft is no longer needed."""
    with write_transaction():
        _discard_draft(edit.author, edit.title)
    return SaveResult(page=page, revision=None, merged_with=prepared.merged_with)


class _LostRace(Exception):
    """The page's latest revision moved after we read it."""


def _lock_page(title: Title, seen: Revision | None, locked: bool) -> tuple[Page, bool]:
    """Lock the page row (creating the page if new); unless locked, check its latest is seen."""
    page = db.session.scalar(
        select(Page)
        .where(Page.key == title.key)
        .options(lazyload(Page.latest))
        .with_for_update(of=Page)
        .execution_options(populate_existing=True)
    )
    if page is None:
        if seen is not None:
            raise _LostRace()
        page = Page(title=title.display, key=title.key)
        db.session.add(page)
        db.session.flush()
        return page, True
    if page.deleted:
        raise NotAllowed(PAGE_DELETED)
    if not locked and page.latest_revision_id != (seen.id if seen else None):
        raise _LostRace()
    return page, False


PAGE_DELETED = N_(
    "This page was deleted. A moderator can undelete it; until then it cannot be edited."
)


def append_revision(
    page: Page, text: str, *, author: User | None, summary: str, kind: RevisionKind
) -> Revision:
    """Append text as the next revision of a page locked in the caller's write transaction.

    For changes that must be one transaction with more than a save (a move and the redirect
    it leaves): links are replaced and page_saved is sent exactly as for a save.
    """
    latest = db.session.get(Revision, page.latest_revision_id) if page.latest_revision_id else None
    text = check_text(text)
    sha1 = content.text_sha1(text)
    prepared = _Prepared(latest, text, sha1, None, content.render(text))
    edit = _Edit(
        title=Title(page.title, page.key),
        text=text,
        author=author,
        summary=summary[: current_app.config["MAX_SUMMARY_LENGTH"]],
        minor=False,
        base_revision_id=latest.id if latest else None,
        kind=kind,
    )
    revision = _append_revision(page, prepared, edit, kind)
    content.cache_rendered(sha1, prepared.rendered)
    _replace_links(page, prepared.rendered.links)
    events.page_saved.send(
        current_app._get_current_object(),
        page=page,
        revision=revision,
        previous=latest,
        rendered=prepared.rendered,
        author=author,
    )
    return revision


def _merge_with_latest(
    page: Page | None, latest: Revision | None, text: str, base_revision_id: int | None
) -> tuple[str, Revision | None]:
    """Return the text to save and, if it was merged, the latest revision it was merged with."""
    if latest is None:
        if base_revision_id is not None and page is None:
            raise SaveError(
                N_("The form is damaged: the revision it was opened on does not exist.")
            )
        return text, None
    if base_revision_id == latest.id:
        return text, None
    base_text = _base_revision(page, base_revision_id).text if base_revision_id else ""
    result = merge3(base_text, text, latest.text)
    if not result.clean:
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
    return result.text, latest


def _base_revision(page: Page, base_revision_id: int) -> Revision:
    """Return the base revision, refusing one that does not belong to this page."""
    base = db.session.get(Revision, base_revision_id)
    if base is None or base.page_id != page.id:
        raise SaveError(
            N_(
                "The form is damaged: the revision it was opened on "
                "is not a revision of this page."
            )
        )
    return base


def _append_revision(page: Page, prepared: _Prepared, edit: _Edit, kind) -> Revision:
    """Add a revision after the latest and move the page's pointer to it (compare-and-set)."""
    latest = prepared.latest
    blob = content.store_text(prepared.text, prepared.sha1)
    size = content.byte_size(prepared.text)
    revision = Revision(
        page_id=page.id,
        parent_id=latest.id if latest else None,
        author_id=edit.author.id if edit.author else None,
        author_ip=edit.author_ip,
        summary=edit.summary,
        minor=edit.minor,
        kind=str(kind),
        size=size,
        size_change=size - (latest.size if latest else 0),
        sha1=prepared.sha1,
        text_id=blob.id,
    )
    db.session.add(revision)
    db.session.flush()
    seen = Page.latest_revision_id == latest.id if latest else Page.latest_revision_id.is_(None)
    moved = db.session.execute(
        update(Page)
        .where(Page.id == page.id, seen)
        .values(latest_revision_id=revision.id)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise _LostRace()
    db.session.refresh(page)
    return revision


def _replace_links(page: Page, targets: tuple[str, ...]) -> None:
    """Record the wikilinks of the page's current text."""
    db.session.execute(delete(Link).where(Link.page_id == page.id))
    seen: set[str] = set()
    for target in targets:
        title = parse_title(target)
        if title.key not in seen:
            seen.add(title.key)
            db.session.add(Link(page_id=page.id, target_key=title.key, target_title=title.display))


def preview(text: str) -> dict:
    """Render unsaved text as the page would show it, red links included."""
    rendered = content.render(content.clean_text(text))
    return {"html": with_red_links(rendered.html), "headings": rendered.headings}


def _discard_draft(author: User | None, title: Title) -> None:
    """Forget the author's draft of this page once their text is saved."""
    if author is not None:
        db.session.execute(
            delete(Draft).where(Draft.user_id == author.id, Draft.page_key == title.key)
        )


@dataclass
class Passage:
    """One conflicting passage with a little of the merged text around it."""

    number: int
    base: str
    mine: str
    theirs: str
    before: str
    after: str


def conflict_passages(merge: MergeResult, context: int = 80) -> list[Passage]:
    """Return the conflicts of a merge with up to `context` characters on each side."""
    passages = []
    chunks = merge.chunks
    for index, chunk in enumerate(chunks):
        if chunk.conflict is None:
            continue
        before = chunks[index - 1].text if index > 0 else ""
        after = chunks[index + 1].text if index + 1 < len(chunks) else ""
        passages.append(
            Passage(
                number=len(passages),
                base=chunk.conflict.base,
                mine=chunk.conflict.mine,
                theirs=chunk.conflict.theirs,
                before=("…" if len(before) > context else "") + before[-context:],
                after=after[:context] + ("…" if len(after) > context else ""),
            )
        )
    return passages


CHOICES = ("mine", "theirs", "both")


def resolve_conflict(
    page: Page, merge_base_id: int | None, theirs_id: int, mine: str, choices: list[str]
) -> str:
    """Redo a conflicted merge and return the text with one choice per conflicting passage."""
    theirs = _base_revision(page, theirs_id)
    base_text = _base_revision(page, merge_base_id).text if merge_base_id else ""
    merge = merge3(base_text, content.clean_text(mine), theirs.text)
    picked = [choice if choice in CHOICES else "mine" for choice in choices]
    picked += ["mine"] * (len(merge.conflicts) - len(picked))
    return merge.resolve(picked[: len(merge.conflicts)])


def authors_between(page: Page, after_id: int | None, upto_id: int) -> list[User | None]:
    """Return the distinct authors of the page's revisions after one revision, up to another."""
    query = select(Revision).where(Revision.page_id == page.id, Revision.id <= upto_id)
    if after_id is not None:
        query = query.where(Revision.id > after_id)
    authors: dict[int | None, User | None] = {}
    for revision in db.session.scalars(query.order_by(Revision.id.desc()).limit(200)):
        authors.setdefault(revision.author_id, revision.author)
    return list(authors.values())
