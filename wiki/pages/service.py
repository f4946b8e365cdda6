"""Reading and saving pages: the rules behind the page views."""

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..core.render import Heading, mark_missing, wikilink_keys
from ..core.titles import N_, Title, parse_title, title_key
from ..database import write_transaction
from ..extensions import db
from ..models import Link, Page, Revision, RevisionKind, Role, User
from . import content


class SaveError(Exception):
    """A save that was refused; the message says why, for a person."""

    status = 400

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class EditConflict(SaveError):
    """The page changed since the editor was opened."""

    status = 409

    def __init__(self, message: str, latest: Revision | None) -> None:
        super().__init__(message)
        self.latest = latest


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


def can_edit(user: User | None) -> bool:
    """Return whether this person may edit pages."""
    return user is not None and user.is_authenticated and user.has_role(Role.EDITOR)


def view_page(title: Title) -> PageView | None:
    """Return the current version of a page, rendered, with red links marked."""
    page = get_page(title)
    if page is None or page.latest is None:
        return None
    revision = page.latest
    html, headings = content.rendered_html(revision.sha1, lambda: revision.text)
    return PageView(page=page, revision=revision, html=with_red_links(html), headings=headings)


def with_red_links(html: str) -> str:
    """Mark the wikilinks in html whose target page does not exist."""
    keys = wikilink_keys(html)
    if not keys:
        return html
    existing = set(db.session.scalars(select(Page.key).where(Page.key.in_(keys))))
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


def save_page(
    title: Title,
    text: str,
    *,
    author: User | None,
    summary: str = "",
    minor: bool = False,
    base_revision_id: int | None,
    kind: RevisionKind = RevisionKind.EDIT,
) -> SaveResult:
    """Save text as the page's new revision, refusing a save based on an old revision."""
    if not can_edit(author):
        raise NotAllowed(N_("You need to log in with an editor account to edit pages."))
    text = check_text(text)
    summary = content.clean_text(summary).replace("\n", " ").strip()
    summary = summary[: current_app.config["MAX_SUMMARY_LENGTH"]]
    sha1 = content.text_sha1(text)
    # Render before taking the write lock: a slow render must not hold up other writers.
    rendered = content.render(text)
    try:
        with write_transaction() as session:
            page = session.scalar(select(Page).where(Page.key == title.key).with_for_update())
            created = page is None
            if page is None:
                if base_revision_id is not None:
                    raise EditConflict(
                        N_("This page no longer exists. Saving will create it anew."), None
                    )
                page = Page(title=title.display, key=title.key)
                session.add(page)
                session.flush()
            latest = page.latest
            if (latest.id if latest else None) != base_revision_id:
                _check_base(page, base_revision_id)
                raise EditConflict(
                    N_(
                        "Someone else saved this page after you opened the editor. Your "
                        "text is kept below; compare it with the current version and save again."
                    ),
                    latest,
                )
            if latest is not None and latest.sha1 == sha1:
                return SaveResult(page=page, revision=None)
            revision = _append_revision(
                page,
                latest,
                text,
                sha1,
                author,
                summary,
                minor,
                kind if latest else RevisionKind.CREATE,
            )
            content.cache_rendered(sha1, rendered)
            _replace_links(page, rendered.links)
    except IntegrityError as error:
        # Two people created the same page at the same moment; the other one won.
        raise EditConflict(
            N_("Someone else created this page while you were writing. Your text is kept."),
            None,
        ) from error
    return SaveResult(page=page, revision=revision, created=created)


def _check_base(page: Page, base_revision_id: int | None) -> None:
    """Refuse a base revision that does not belong to this page."""
    if base_revision_id is None:
        return
    base = db.session.get(Revision, base_revision_id)
    if base is None or base.page_id != page.id:
        raise SaveError(
            N_(
                "The form is damaged: the revision it was opened on "
                "is not a revision of this page."
            )
        )


def _append_revision(page, latest, text, sha1, author, summary, minor, kind) -> Revision:
    """Add a revision after latest and move the page's pointer to it with compare-and-set."""
    blob = content.store_text(text, sha1)
    size = content.byte_size(text)
    revision = Revision(
        page_id=page.id,
        parent_id=latest.id if latest else None,
        author_id=author.id if author else None,
        summary=summary,
        minor=minor,
        kind=str(kind),
        size=size,
        size_change=size - (latest.size if latest else 0),
        sha1=sha1,
        text_id=blob.id,
    )
    db.session.add(revision)
    db.session.flush()
    moved = db.session.execute(
        update(Page)
        .where(Page.id == page.id)
        .where(
            Page.latest_revision_id == latest.id if latest else Page.latest_revision_id.is_(None)
        )
        .values(latest_revision_id=revision.id)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise EditConflict(N_("Someone else saved this page at the same moment."), latest)
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


def titles_like(query: str, limit: int = 50) -> list[Page]:
    """Return pages whose title contains every word of the query, alphabetically."""
    statement = select(Page).where(Page.latest_revision_id.is_not(None))
    for word in title_key(query).split()[:10]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Page.key.like(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(statement.order_by(Page.key).limit(limit)))
