"""Finding pages: what links here, wanted and orphaned pages, all pages, categories, templates.

Every list is a fixed number of queries over the link, category and page tables filled at
save time. Long lists are paginated by key (`from` = the first key of the next page), in
byte order on both engines, so a page of results costs the same anywhere in the list.
"""

import secrets
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import aliased

from ..core.titles import Title, TitleError, parse_title, title_key
from ..database import built_once
from ..extensions import db
from ..models import Link, Page, Revision
from ..modlog import LogEntry
from ..site import current_site
from .facts import CATEGORY_KEY_PREFIX, CATEGORY_PREFIX, TEMPLATE_KEY_PREFIX, category_title
from .models import CategoryMember

PAGE_SIZE = 100
# Subpages sort right after their parent: "/" is put before every other character.
_SUBPAGE_MARK = "\x01"


def _postgres() -> bool:
    """Return whether the database is PostgreSQL."""
    return db.session.get_bind().dialect.name == "postgresql"


def _bytewise(expression, dialect: str | None = None):
    """Return the expression compared and sorted in code point order on both engines (the
    session's, unless dialect names one)."""
    postgres = _postgres() if dialect is None else dialect == "postgresql"
    return expression.collate("C") if postgres else expression


def _sort_key(column):
    """Return the key ordering of all pages: alphabetical, subpages grouped under parents."""
    return _bytewise(func.replace(column, "/", _SUBPAGE_MARK))


def from_key(raw: str | None) -> str | None:
    """Return the key a `from` argument names (a title as typed or in URL form)."""
    if not raw:
        return None
    raw = raw.replace("_", " ")[:300]
    try:
        return parse_title(raw).key
    except TitleError:
        return title_key(raw)


def _existing(entity=Page):
    """Return the condition for pages that readers can see."""
    return and_(entity.deleted.is_(False), entity.published_revision_id.is_not(None))


def _written(entity=Page):
    """Return the condition for pages that are written, published or waiting for review: not
    wanted, as nobody may create them again (visitors are told one waits)."""
    return and_(entity.deleted.is_(False), entity.latest_revision_id.is_not(None))


#: Pages under these keys are not articles (sent to at random, or missing in a language).
ARTICLE_EXCLUDED_PREFIXES = (CATEGORY_KEY_PREFIX, TEMPLATE_KEY_PREFIX, "file:")


def is_article():
    """Return the condition "this page is an article": no category, template or file page."""
    return and_(*[~Page.key.startswith(prefix) for prefix in ARTICLE_EXCLUDED_PREFIXES])


@dataclass
class Listing:
    """One page of a list, and the `from` of the next page (None on the last)."""

    items: list
    next_from: str | None = None


def _page_of(rows: list, limit: int, title_of=lambda page: page.title) -> Listing:
    """Cut a query's limit + 1 rows into a page of results and the next page's start."""
    if len(rows) > limit:
        return Listing(rows[:limit], title_of(rows[limit]))
    return Listing(rows)


# --- All pages ----------------------------------------------------------------------------


@dataclass
class IndexNode:
    """A page, or a path segment above subpages, in the all-pages index."""

    label: str
    page: Page | None
    path: str
    children: list["IndexNode"] = field(default_factory=list)


#: Random ids /special/random looks up at once: a wiki where one id in three is an article
#: misses with all of them once in 650 visits.
RANDOM_TRIES = 16


def random_page() -> Page | None:
    """Return a page readers can see, picked at random among articles (no redirects,
    categories, templates or files), or None when there is none."""
    articles = select(Page).where(
        _existing(),
        Page.redirect_key.is_(None),
        is_article(),
    )
    highest = db.session.scalar(select(func.max(Page.id)))
    if highest is None:
        return None
    # Random ids, the first that is an article's wins: every article equally likely,
    # whatever lies between them (deleted pages, redirects, files), in one index read.
    # A wiki of sparse articles (1 id in 10: 16 ids miss 18% of the time) gets a second,
    # larger draw before the scan below.
    for count in (RANDOM_TRIES, RANDOM_TRIES * 16):
        tries = [secrets.randbelow(highest) + 1 for _ in range(count)]
        statement = articles.where(Page.id.in_(tries))
        found = {page.id: page for page in db.session.scalars(statement)}
        hit = next((found[page_id] for page_id in tries if page_id in found), None)
        if hit is not None:
            return hit
    # Mostly gaps (a wiki of files and redirects, rarely reached): count the articles and
    # take one at a random place, alike for all however the ids fall, at the cost of a scan.
    count = db.session.scalar(select(func.count()).select_from(articles.subquery()))
    if not count:
        return None
    pick = articles.order_by(Page.id).offset(secrets.randbelow(count)).limit(1)
    return db.session.scalar(pick)


def all_pages(start: str | None, limit: int = PAGE_SIZE * 2) -> Listing:
    """Return pages alphabetically from a key on, as a tree of subpages (in Listing.items)."""
    statement = select(Page).where(_existing()).order_by(_sort_key(Page.key)).limit(limit + 1)
    if start:
        statement = statement.where(_sort_key(Page.key) >= start.replace("/", _SUBPAGE_MARK))
    listing = _page_of(list(db.session.scalars(statement)), limit)
    return Listing(index_tree(listing.items), listing.next_from)


def index_tree(pages: list[Page]) -> list[IndexNode]:
    """Nest pages sorted by key under their parents; missing parents become plain labels."""
    roots: list[IndexNode] = []
    stack: list[IndexNode] = []
    for page in pages:
        segments = page.title.split("/")
        while stack and (
            len(stack) >= len(segments)
            or title_key(stack[-1].path) != title_key("/".join(segments[: len(stack)]))
        ):
            stack.pop()
        for depth in range(len(stack), len(segments)):
            last = depth == len(segments) - 1
            node = IndexNode(
                label=segments[depth],
                page=page if last else None,
                path="/".join(segments[: depth + 1]),
            )
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
    return roots


# --- Links ----------------------------------------------------------------------------------


@dataclass
class Backlinks:
    """What links to a title: pages linking directly, and redirects with the pages via them."""

    direct: Listing
    redirects: list[tuple[Page, list[Page]]]


def backlinks(key: str, start: str | None, limit: int = PAGE_SIZE) -> Backlinks:
    """Return the pages that link to a key and the redirects to it (three queries)."""
    source = aliased(Page)
    direct = (
        select(source)
        .join(Link, Link.page_id == source.id)
        .where(Link.target_key == key, _existing(source), source.key != key)
        .where((source.redirect_key.is_(None)) | (source.redirect_key != key))
        .order_by(_bytewise(source.key))
        .limit(limit + 1)
    )
    if start:
        direct = direct.where(_bytewise(source.key) >= start)
    listing = _page_of(list(db.session.scalars(direct)), limit)
    redirects = list(
        db.session.scalars(
            select(Page)
            .where(Page.redirect_key == key, _existing(), Page.key != key)
            .order_by(_bytewise(Page.key))
            .limit(limit)
        )
    )
    via: dict[str, list[Page]] = {page.key: [] for page in redirects}
    if redirects:
        rows = db.session.execute(
            select(Link.target_key, source)
            .join(source, source.id == Link.page_id)
            .where(Link.target_key.in_(list(via)), _existing(source), source.key != key)
            .order_by(_bytewise(source.key))
            .limit(limit * 2)
        )
        for target_key, page in rows:
            if page.redirect_key != target_key:
                via[target_key].append(page)
    return Backlinks(listing, [(page, via[page.key]) for page in redirects])


@dataclass
class Wanted:
    """A missing page and how many pages link to it."""

    title: str
    key: str
    count: int


def wanted(page_number: int = 1, limit: int = PAGE_SIZE) -> tuple[list[Wanted], bool]:
    """Return missing (or deleted) pages, most linked first, and whether more follow."""
    source, target = aliased(Page), aliased(Page)
    count = func.count(Link.page_id)
    rows = db.session.execute(
        select(Link.target_key, func.min(Link.target_title), count)
        .join(source, source.id == Link.page_id)
        .outerjoin(target, and_(target.key == Link.target_key, _written(target)))
        .where(source.deleted.is_(False), target.id.is_(None))
        .group_by(Link.target_key)
        .order_by(count.desc(), _bytewise(Link.target_key))
        .limit(limit + 1)
        .offset((page_number - 1) * limit)
    ).all()
    found = [Wanted(title=title, key=key, count=n) for key, title, n in rows[:limit]]
    return found, len(rows) > limit


def orphaned(start: str | None, limit: int = PAGE_SIZE) -> Listing:
    """Return pages no other page links to (but not redirects, categories, templates, Home)."""
    source = aliased(Page)
    linked = (
        select(Link.id)
        .join(source, source.id == Link.page_id)
        .where(Link.target_key == Page.key, source.id != Page.id, source.deleted.is_(False))
        .exists()
    )
    main = parse_title(current_site().main_page).key
    statement = (
        select(Page)
        .where(_existing(), Page.redirect_key.is_(None), Page.key != main, ~linked)
        .where(~Page.key.startswith(CATEGORY_KEY_PREFIX))
        .where(~Page.key.startswith(TEMPLATE_KEY_PREFIX))
        .order_by(_bytewise(Page.key))
        .limit(limit + 1)
    )
    if start:
        statement = statement.where(_bytewise(Page.key) >= start)
    return _page_of(list(db.session.scalars(statement)), limit)


# --- Categories -------------------------------------------------------------------------------


def is_category(key: str) -> bool:
    """Return whether a page key names a category's page."""
    return key.startswith(CATEGORY_KEY_PREFIX) and len(key) > len(CATEGORY_KEY_PREFIX)


def category_members(key: str, start: str | None, limit: int = PAGE_SIZE * 2) -> Listing:
    """Return the pages in a category (its page's key), alphabetically from a key on."""
    statement = (
        select(Page)
        .join(CategoryMember, CategoryMember.page_id == Page.id)
        .where(CategoryMember.category_key == key, _existing())
        .order_by(_bytewise(Page.key))
        .limit(limit + 1)
    )
    if start:
        statement = statement.where(_bytewise(Page.key) >= start)
    return _page_of(list(db.session.scalars(statement)), limit)


@dataclass
class CategoryLink:
    """A category a page is in, and whether the category has a page of its own yet."""

    name: str
    title: str
    exists: bool


def page_categories(page: Page) -> list[CategoryLink]:
    """Return the categories of a page, alphabetically, in one query."""
    rows = db.session.execute(_categories_of(db.session), {"page": page.id})
    return [
        CategoryLink(name=name, title=CATEGORY_PREFIX + name, exists=page_id is not None)
        for name, page_id in rows
    ]


@built_once
def _categories_of(dialect: str):
    """Return the query of a page's categories (the page's id bound when run): built anew,
    it cost a fifth of the page view that follows a save (its categories' memo forgotten)."""
    category = aliased(Page)
    return (
        select(CategoryMember.category_title, category.id)
        .outerjoin(
            category,
            and_(category.key == CategoryMember.category_key, _existing(category)),
        )
        .where(CategoryMember.page_id == bindparam("page"))
        .order_by(_bytewise(CategoryMember.category_key, dialect))
    )


def category_name(key_or_title: Title) -> str:
    """Return a category's name from its page title ("Category:Campaigns" → "Campaigns")."""
    return key_or_title.display.split(":", 1)[1].strip()


def category_page_title(name: str) -> Title | None:
    """Return the title of a category's page from its name, or None if the name is invalid."""
    try:
        return category_title(name.replace("_", " "))
    except TitleError:
        return None


# --- Templates for new pages --------------------------------------------------------------------


def page_templates(limit: int = 50) -> list[Page]:
    """Return the pages under Template: that new pages can start from."""
    return list(
        db.session.scalars(
            select(Page)
            .where(_existing(), Page.redirect_key.is_(None))
            .where(Page.key.startswith(TEMPLATE_KEY_PREFIX))
            .order_by(_bytewise(Page.key))
            .limit(limit)
        )
    )


def template_text(raw: str | None) -> str | None:
    """Return the current text of the template a `template` argument names, or None."""
    if not raw:
        return None
    try:
        title = parse_title(raw.replace("_", " ")[:300])
    except TitleError:
        return None
    if not title.key.startswith(TEMPLATE_KEY_PREFIX):
        return None
    page = db.session.scalar(select(Page).where(Page.key == title.key, _existing()))
    return page.published.text if page is not None else None


# --- Deleted pages ----------------------------------------------------------------------------


def last_deletion(page: Page | None) -> LogEntry | None:
    """Return the log entry of a deleted page's deletion (who, when, why)."""
    if page is None or not page.deleted:
        return None
    return db.session.scalar(
        select(LogEntry)
        .where(LogEntry.page_id == page.id, LogEntry.action == "delete")
        .order_by(LogEntry.id.desc())
        .limit(1)
    )


def is_deleted(key: str) -> bool:
    """Return whether the page with this key exists and is deleted."""
    return bool(db.session.scalar(select(Page.deleted).where(Page.key == key)))


def revision_is_deleted(revision_id: int) -> bool:
    """Return whether a revision belongs to a deleted page."""
    return bool(
        db.session.scalar(
            select(Page.deleted)
            .join(Revision, Revision.page_id == Page.id)
            .where(Revision.id == revision_id)
        )
    )


def revision_count(page: Page) -> int:
    """Return how many revisions a page has."""
    return db.session.scalar(select(func.count(Revision.id)).where(Revision.page_id == page.id))
