"""Facts derived from a page's text when it is saved: where it redirects, its categories."""

from collections.abc import Callable, Iterable

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from .. import events
from ..core.redirects import parse_redirect
from ..core.titles import TitleError, parse_title
from ..database import write_transaction
from ..extensions import db
from ..memo import content_changed
from ..models import Page, Revision
from ..pages import content
from .models import CategoryMember

CATEGORY_PREFIX = "Category:"
TEMPLATE_PREFIX = "Template:"
CATEGORY_KEY_PREFIX = "category:"
TEMPLATE_KEY_PREFIX = "template:"
BATCH = 200


def category_title(name: str):
    """Return the title of a category's own page ("Campaigns" → "Category:Campaigns")."""
    return parse_title(CATEGORY_PREFIX + name)


def is_template(key: str) -> bool:
    """Return whether a page key names a template for new pages."""
    return key.startswith(TEMPLATE_KEY_PREFIX)


#: Built once (the page bound when run): building it anew cost more than running it.
_FORGET_MEMBERSHIPS = delete(CategoryMember.__table__).where(
    CategoryMember.__table__.c.page_id == bindparam("page_id")
)


def record(session: Session, page: Page, text: str, categories: Iterable[str]) -> None:
    """Record where the page redirects and which categories it is in, replacing old facts.

    Templates are in no category: the [[Category:…]] in a template is meant for the pages
    made from it.
    """
    target = parse_redirect(text)
    redirect_key = target.key if target is not None else None
    if page.redirect_key != redirect_key:
        # Other pages follow a redirect too (an embedded file through it, files.reading).
        content_changed()
        page.redirect_key = redirect_key  # (the same value set again would cost a flush)
    session.execute(_FORGET_MEMBERSHIPS, {"page_id": page.id})
    if is_template(page.key):
        return
    members: dict[str, dict] = {}
    for name in categories:
        try:
            title = category_title(name)
        except TitleError:
            continue
        members.setdefault(
            title.key,
            {
                "page_id": page.id,
                "category_key": title.key,
                "category_title": title.display.removeprefix(CATEGORY_PREFIX),
            },
        )
    if members:  # written at once: rows left pending would cost a save a flush of their own
        session.execute(insert(CategoryMember), list(members.values()))


@events.page_saved.connect
def _on_page_saved(
    sender, page: Page, revision: Revision, rendered, published: bool = True, **_extra
) -> None:
    """Record the facts of the new revision in the save's transaction, if it is published
    (categories and redirects follow what the public reads)."""
    if published:
        record(db.session, page, revision.text, rendered.categories)


@events.page_published.connect
def _on_page_published(sender, page: Page, revision: Revision, rendered, **_extra) -> None:
    """Record the facts of the text a reviewer published, in the review's transaction."""
    record(db.session, page, revision.text, rendered.categories)


def rebuild(progress: Callable[[str], None] = lambda _: None) -> int:
    """Record redirects and categories of every page again; return how many pages."""
    done, last = 0, 0
    while True:
        with write_transaction() as session:
            pages = list(
                session.scalars(
                    select(Page)
                    .where(Page.id > last, Page.latest_revision_id.is_not(None))
                    .order_by(Page.id)
                    .limit(BATCH)
                )
            )
            if not pages:
                return done
            content_changed()  # page views remember categories: every process reads them again
            for page in pages:
                text = (page.published or page.latest).text
                # Only a text that mentions a category needs rendering to find it.
                lower = text.lower()
                mentions = "category" in lower or "categoria" in lower
                categories = content.render(text).categories if mentions else ()
                record(session, page, text, categories)
            done += len(pages)
            last = pages[-1].id
        progress(f"{done} pages: redirects and categories recorded")
