"""Pages in several languages: each page's language, and pages linked as translations.

A translation row links a page to its source page and records the source revision it was
last brought up to date with; the translation is outdated while the source has moved on.
Pages that translate one source are translations of each other (one group per source).
"""

from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from sqlalchemy import func, or_, select

from ..core.titles import N_
from ..database import write_transaction
from ..extensions import db
from ..memo import RULES, until_changed
from ..models import Page, Revision, User, utcnow
from ..organise.service import is_article
from ..pages import service as pages
from ..pages.cache import content_changed
from ..problems import BadRequest, NotAllowed
from . import locales
from .models import PageTranslation

#: How many pages a language's "missing" list shows on /translations.
MISSING_LIMIT = 200


#: The longest language tag a page keeps (Page.lang's column).
LANG_LENGTH = 16
NOT_A_LANGUAGE = N_(
    "That is neither a language nor a language code (for example Italiano, en or pt-BR)."
)


def normalise_lang(code: str) -> str | None:
    """Return a language code in BCP 47 form ("pt-BR"), or None if it is no language.

    A language's name is understood too, as the language itself, English or the reader's
    language writes it ("Italiano", "Italian", "italiano"): the lists offering languages
    show names, and people type what they see.
    """
    code = (code or "").strip()
    if not code or len(code) > 40:
        return None
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        # The names the wiki's own lists show (each language's name for itself) come first.
        shown = {locales.name_key(name): lang for lang, name in language_choices()}
        found = shown.get(locales.name_key(code)) or locales.code_named(code)
        return found.replace("_", "-") if found else None
    lang = str(locale).replace("_", "-")
    # A page's language is a plain tag as a page column holds it (no "@modifier").
    return lang if len(lang) <= LANG_LENGTH and "@" not in lang else None


def lang_of(page: Page) -> str:
    """Return the language a page is written in (the site's when it names none)."""
    return page.lang or locales.default_locale()


def language_choices() -> list[tuple[str, str]]:
    """Return the languages a page can be given: the site's, then every page's (code, name)."""
    used = db.session.scalars(select(Page.lang).where(Page.lang.is_not(None)).distinct())
    codes = dict.fromkeys([*locales.available(), *sorted(used)])
    return [(code, locales.native_name(code.replace("-", "_"))) for code in codes]


def set_language(page: Page, code: str, user: User) -> None:
    """Set the language a page is written in."""
    _require_editor(user, page)
    lang = normalise_lang(code)
    if lang is None:
        raise BadRequest(NOT_A_LANGUAGE)
    if lang != lang_of(page):
        clash = _group_language_clash(page, lang)
        if clash is not None:
            raise BadRequest(
                N_("%(title)s is already the translation in that language."), title=clash.title
            )
    page_id, unset = page.id, page.lang is None
    with write_transaction() as session:
        row = session.get(Page, page_id)
        # A page left to the site's language stays so (it follows WIKI_DEFAULT_LOCALE).
        row.lang = None if unset and lang == locales.default_locale() else lang
        content_changed()


def _require_editor(user: User, page: Page) -> None:
    if not pages.can_edit(user, page):
        raise NotAllowed(N_("You cannot change the languages of this page."), needs_login=True)


@dataclass
class Member:
    """One page of a translation group as the page view lists it."""

    page: Page
    lang: str
    name: str
    is_source: bool
    #: For a translation: whether the source moved on since it was brought up to date.
    outdated: bool = False
    synced_revision_id: int | None = None


@dataclass
class Group:
    """A source page and its translations."""

    source: Page
    members: list[Member]

    def member(self, page: Page) -> Member | None:
        """Return the group's entry for a page."""
        return next((m for m in self.members if m.page.id == page.id), None)

    def in_language(self, lang: str) -> Member | None:
        """Return the group's page in a language, if any."""
        return next((m for m in self.members if m.lang == lang), None)


def source_of(page: Page) -> Page:
    """Return the source page of page's group (the page itself when it translates nothing)."""
    row = db.session.get(PageTranslation, page.id)
    if row is None:
        return page
    return db.session.get(Page, row.source_id) or page


def group_of(page: Page) -> Group | None:
    """Return the translation group a page belongs to, or None if it is alone."""
    source = source_of(page)
    rows = db.session.execute(
        select(PageTranslation, Page)
        .join(Page, Page.id == PageTranslation.page_id)
        .where(PageTranslation.source_id == source.id, Page.deleted.is_(False))
    ).all()
    if not rows:
        return None
    members = [_member(source, None)]
    members += [_member(other, link, source) for link, other in rows]
    members.sort(key=lambda m: (not m.is_source, m.lang))
    return Group(source, members)


def reference_revision_id(source: Page) -> int | None:
    """Return the source revision translations follow: its published one (a translation
    must not carry on text no reviewer has accepted), or its latest if none is."""
    return source.published_revision_id or source.latest_revision_id


def moved_on(pairs: list[tuple[int | None, Page]]) -> list[bool]:
    """Return, for each (synced revision id, source), whether the source's text changed
    since that revision: its reference revision has other text (one query for them all;
    a rejection publishes a new revision with the same text, which changes nothing)."""
    wanted = {
        revision_id
        for synced, source in pairs
        if synced != reference_revision_id(source)
        for revision_id in (synced, reference_revision_id(source))
        if revision_id is not None
    }
    rows = select(Revision.id, Revision.sha1).where(Revision.id.in_(wanted))
    sha1 = {row.id: row.sha1 for row in db.session.execute(rows)} if wanted else {}
    return [
        synced != reference_revision_id(source)
        and (synced is None or sha1.get(synced) != sha1.get(reference_revision_id(source)))
        for synced, source in pairs
    ]


def _member(page: Page, link: PageTranslation | None, source: Page | None = None) -> Member:
    lang = lang_of(page)
    outdated = (
        link is not None
        and source is not None
        and moved_on([(link.synced_revision_id, source)])[0]
    )
    return Member(
        page=page,
        lang=lang,
        name=locales.native_name(lang.replace("-", "_")),
        is_source=link is None,
        outdated=outdated,
        synced_revision_id=link.synced_revision_id if link else None,
    )


def _group_language_clash(page: Page, lang: str) -> Page | None:
    """Return another page of page's group already in lang, or None."""
    group = group_of(page)
    if group is None:
        return None
    other = group.in_language(lang)
    return other.page if other is not None and other.page.id != page.id else None


def link(
    translation: Page, source: Page, user: User, *, synced_revision_id: int | None = None
) -> None:
    """Link a page as a translation of source (of source's own source, if it has one).

    synced_revision_id: the source revision it was translated from (None: unknown, which
    counts as outdated until someone brings it up to date).
    """
    _require_editor(user, translation)
    source = source_of(source)
    if source.id == translation.id:
        raise BadRequest(N_("A page cannot be a translation of itself."))
    if db.session.scalar(select(func.count()).where(PageTranslation.source_id == translation.id)):
        raise BadRequest(
            N_("This page has translations of its own: it is a source, not a translation.")
        )
    if lang_of(translation) == lang_of(source):
        raise BadRequest(
            N_("Both pages are in the same language: set this page's language first.")
        )
    group = group_of(source)
    existing = group.in_language(lang_of(translation)) if group else None
    if existing is not None and existing.page.id != translation.id:
        raise BadRequest(
            N_("%(title)s is already the translation in that language."),
            title=existing.page.title,
        )
    translation_id, source_id = translation.id, source.id
    with write_transaction() as session:
        row = session.get(PageTranslation, translation_id)
        if row is None:
            row = PageTranslation(page_id=translation_id, source_id=source_id)
            session.add(row)
        row.source_id, row.synced_revision_id = source_id, synced_revision_id
        row.updated_at = utcnow()
        content_changed()


def unlink(translation: Page, user: User) -> None:
    """Make a page no longer a translation."""
    _require_editor(user, translation)
    translation_id = translation.id
    with write_transaction() as session:
        row = session.get(PageTranslation, translation_id)
        if row is not None:
            session.delete(row)
            content_changed()


def mark_up_to_date(translation: Page, source_revision_id: int) -> None:
    """Record that a translation now follows its source up to this revision."""
    translation_id = translation.id
    with write_transaction() as session:
        row = session.get(PageTranslation, translation_id)
        if row is not None:
            row.synced_revision_id, row.updated_at = source_revision_id, utcnow()
            content_changed()


def is_linked(page_id: int) -> bool:
    """Return whether a page translates another or is translated (one indexed query)."""
    linked = select(PageTranslation.page_id).where(
        or_(PageTranslation.page_id == page_id, PageTranslation.source_id == page_id)
    )
    return db.session.scalar(linked.limit(1)) is not None


def linked(page_id: int) -> bool:
    """Return is_linked(page_id), remembered until a change of the base (linking and
    unlinking are; an edit of a page is not)."""
    return until_changed("translated", page_id, lambda: is_linked(page_id), RULES)


def translation_link(page: Page) -> PageTranslation | None:
    """Return the row linking page to its source, if page is a translation."""
    if not linked(page.id):  # most pages are in no translation group
        return None
    return db.session.get(PageTranslation, page.id)


@dataclass
class LanguageWork:
    """What translators of one language have to do."""

    lang: str
    name: str
    outdated: list[tuple[Page, Page, int | None]]  # (translation, source, synced revision)
    missing: list[Page]
    missing_count: int


def work(langs: list[str]) -> list[LanguageWork]:
    """Return, per language, the outdated translations and the pages missing in it."""
    default = locales.default_locale()
    links = db.session.execute(
        select(PageTranslation, Page)
        .join(Page, Page.id == PageTranslation.page_id)
        .where(Page.deleted.is_(False))
    ).all()
    sources = {
        p.id: p
        for p in db.session.scalars(
            select(Page).where(Page.id.in_({link.source_id for link, _ in links}))
        )
    }
    translated: dict[str, set[int]] = {}
    outdated: dict[str, list] = {}
    followed = [
        (row, page, sources[row.source_id])
        for row, page in links
        if row.source_id in sources and not sources[row.source_id].deleted
    ]
    changed = moved_on([(row.synced_revision_id, src) for row, _page, src in followed])
    for (row, page, src), is_outdated in zip(followed, changed, strict=True):
        if is_outdated:
            outdated.setdefault(page.lang or default, []).append(
                (page, src, row.synced_revision_id)
            )
    for row, page in links:
        translated.setdefault(page.lang or default, set()).add(row.source_id)
    translations = {page.id for _, page in links}
    result = []
    for lang in langs:
        # An article is missing in lang when it is in another language, is no translation
        # itself, and no translation of it is in lang. (A file's description, a template
        # or a category is not offered: readers do not read them as pages.)
        done = translated.get(lang, set()) | translations
        conditions = [
            Page.deleted.is_(False),
            Page.redirect_key.is_(None),
            Page.latest_revision_id.is_not(None),
            is_article(),
            func.coalesce(Page.lang, default) != lang,
        ]
        if done:
            conditions.append(Page.id.not_in(done))
        missing = db.session.scalars(
            select(Page).where(*conditions).order_by(Page.title).limit(MISSING_LIMIT)
        ).all()
        count = db.session.scalar(select(func.count()).select_from(Page).where(*conditions))
        result.append(
            LanguageWork(
                lang=lang,
                name=locales.native_name(lang.replace("-", "_")),
                outdated=sorted(outdated.get(lang, []), key=lambda t: t[0].title),
                missing=list(missing),
                missing_count=count or 0,
            )
        )
    return result
