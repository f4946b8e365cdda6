"""Searching: exact titles, ranked full-text results with snippets, title suggestions, and
"did you mean" for typing slips."""

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload

from ..core.titles import TitleError, canonical_namespace, parse_title, title_key
from ..extensions import db
from ..models import Page
from ..talk.models import Comment, Topic
from .engines import Langs, engine_for
from .text import (
    WORD,
    Query,
    clean_query,
    near_words,
    parse_query,
    respellable,
    respelled,
    snippet,
    words,
)

PER_PAGE = 20
#: Deeper result pages cost more (OFFSET) and nobody reads them.
MAX_PAGE = 50
SUGGESTIONS = 8


#: Built once (every search runs them); results need no page's latest revision.
_PAGE_BY_KEY = select(Page).where(Page.key == bindparam("key")).options(lazyload(Page.latest))
_PAGES_BY_ID = (
    select(Page)
    .where(Page.id.in_(bindparam("ids", expanding=True)), Page.deleted.is_(False))
    .options(lazyload(Page.latest))
)


@dataclass
class Hit:
    """One result: a page, or a talk comment on a page, with a snippet highlighting the terms."""

    page: Page
    snippet: Markup
    #: For a talk comment: its topic, subject and id.
    topic_id: int | None = None
    subject: str | None = None
    comment_id: int | None = None


@dataclass
class Results:
    """One page of results."""

    query: str
    page: int = 1
    talk: bool = False
    hits: list[Hit] = field(default_factory=list)
    has_next: bool = False

    @property
    def first_number(self) -> int:
        """Return the number of the first result on this page."""
        return (self.page - 1) * PER_PAGE + 1


def exact_page(raw: str) -> Page | None:
    """Return the page whose title is exactly what was typed (case aside), if readers see it."""
    try:
        title = parse_title(canonical_namespace(raw))  # "Categoria:Dolci" is Category:Dolci
    except TitleError:
        return None
    page = db.session.scalar(_PAGE_BY_KEY, {"key": title.key})
    if page is None or page.deleted or page.published_revision_id is None:
        return None
    return page


def search(raw: str, *, page: int = 1, talk: bool = False, lang: Langs = (None, None)) -> Results:
    """Return one page of results for a query, title matches first (a fixed four queries);
    lang: the reader's language and the site's (pages in the reader's come first)."""
    raw = clean_query(raw)
    page = min(max(page, 1), MAX_PAGE)
    results = Results(query=raw, page=page, talk=talk)
    query = parse_query(raw)
    if not query:
        return results
    session = db.session
    engine = engine_for(session)
    ids = engine.ranked(
        session, query, talk=talk, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE, lang=lang
    )
    results.has_next = len(ids) > PER_PAGE and page < MAX_PAGE
    ids = ids[:PER_PAGE]
    docs = engine.fetch(session, ids)
    pages = _pages({doc.page_id for doc in docs.values()})
    topics = _topics([-doc_id for doc_id in ids if doc_id < 0])
    for doc_id in ids:
        doc = docs.get(doc_id)
        if doc is None or doc.page_id not in pages:
            continue
        results.hits.append(_hit(doc, pages[doc.page_id], topics.get(-doc_id), query))
    return results


def _hit(doc, page: Page, topic: tuple[int, str] | None, query: Query) -> Hit:
    """Return the result for one document."""
    hit = Hit(page=page, snippet=snippet(doc.body, query.terms))
    if doc.id < 0 and topic is not None:
        hit.topic_id, hit.subject, hit.comment_id = topic[0], topic[1], -doc.id
    return hit


def _pages(ids: set[int]) -> dict[int, Page]:
    """Return the pages with these ids."""
    if not ids:
        return {}
    return {page.id: page for page in db.session.scalars(_PAGES_BY_ID, {"ids": list(ids)})}


def _topics(comment_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Return the topic id and subject of each comment."""
    if not comment_ids:
        return {}
    rows = db.session.execute(
        select(Comment.id, Topic.id, Topic.subject)
        .join(Topic, Topic.id == Comment.topic_id)
        .where(Comment.id.in_(comment_ids))
    )
    return {comment_id: (topic_id, subject) for comment_id, topic_id, subject in rows}


@dataclass(frozen=True)
class Respelling:
    """A query with its typing slips corrected: as it would be typed, and shown with the
    corrected words emphasised."""

    query: str
    shown: Markup


def did_you_mean(raw: str, *, talk: bool = False) -> Respelling | None:
    """Return the query with each word the index lacks (nor any word starting so) replaced
    by the word one slip away that most documents hold, if that query finds something."""
    raw = clean_query(raw)
    query = parse_query(raw)
    asked = respellable(query)
    if not asked:
        return None
    session = db.session
    engine = engine_for(session)
    present = engine.known(session, asked, prefix=True)
    fixes = {}
    for word in asked:
        if word not in present:
            near = engine.known(session, sorted(near_words(word)))
            if near:
                fixes[word] = max(sorted(near), key=near.__getitem__)  # ties: alphabetical
    if not fixes:
        return None
    corrected = respelled(raw, fixes)
    if not engine.ranked(session, parse_query(corrected), talk=talk, limit=1, offset=0):
        return None
    return Respelling(corrected, _emphasised(corrected, set(fixes.values())))


def _emphasised(text: str, chosen: set[str]) -> Markup:
    """Return text escaped, with the chosen (folded) words in <em>."""
    parts = [
        Markup("<em>%s</em>") % part
        if words(part) == [part.lower()] and part.lower() in chosen
        else escape(part)
        for part in _WORDS_AND_GAPS.split(text)
    ]
    return Markup("").join(parts)


_WORDS_AND_GAPS = re.compile(f"({WORD.pattern})")


def suggest(raw: str, limit: int = SUGGESTIONS) -> list[str]:
    """Return titles for what was typed so far: titles starting with it, then matching words."""
    raw = clean_query(raw)
    key = title_key(canonical_namespace(raw))
    if not key:
        return []
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    titles = list(
        db.session.scalars(
            select(Page.title)
            .where(Page.key.like(escaped + "%", escape="\\"), Page.deleted.is_(False))
            .where(Page.published_revision_id.is_not(None))
            .order_by(Page.key)
            .limit(limit)
        )
    )
    query = parse_query(raw)
    if len(titles) < limit and query:
        session = db.session
        ids = engine_for(session).titles(session, query, limit)
        found = _pages(set(ids))
        for page_id in ids:
            if page_id in found and found[page_id].title not in titles:
                titles.append(found[page_id].title)
    return titles[:limit]
