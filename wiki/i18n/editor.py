"""The editor of a translation: the source text beside it, and linking when it is saved."""

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import get_locale

from ..core.numbers import MAX_ID, parse_natural
from ..core.titles import Title, TitleError, parse_title
from ..database import write_transaction
from ..extensions import db
from ..models import Page, Revision, User
from ..pages import service as pages
from . import locales, translations


@dataclass
class TranslationEdit:
    """What the editor shows beside a translation, and what it posts back."""

    source: Page
    #: The source revision shown (the one the translation is brought up to date with).
    source_revision: Revision
    lang: str
    #: True when this save creates the translation (from ?translate_from=).
    new: bool
    outdated: bool


def context(title: Title, page: Page | None, values: Mapping[str, str]) -> TranslationEdit | None:
    """Return the translation being edited (new from ?translate_from=&to=, or existing)."""
    if values.get("translate_from") and (page is None or page.latest is None):
        return _new(values)
    if page is None or page.latest is None:
        return None
    link = translations.translation_link(page)
    if link is None:
        return None
    source = db.session.get(Page, link.source_id)
    if source is None or source.latest is None or source.deleted:
        return None
    revision = _shown_revision(source, values)
    return TranslationEdit(
        source=source,
        source_revision=revision,
        lang=translations.lang_of(page),
        new=False,
        outdated=translations.moved_on([(link.synced_revision_id, source)])[0],
    )


def _new(values: Mapping[str, str]) -> TranslationEdit | None:
    try:
        source = pages.get_page(parse_title(values.get("translate_from", "")))
    except TitleError:
        return None
    lang = translations.normalise_lang(values.get("to", ""))
    if source is None or source.latest is None or source.deleted or lang is None:
        return None
    source = translations.source_of(source)
    return TranslationEdit(source, _shown_revision(source, values), lang, new=True, outdated=False)


def _shown_revision(source: Page, values: Mapping[str, str]) -> Revision:
    """Return the source revision the editor showed (posted back), else the one
    translations follow (its published one: changes waiting for review are not
    translated before a reviewer accepts them)."""
    shown_id = parse_natural(values.get("source_revision", ""), MAX_ID)
    shown = db.session.get(Revision, shown_id) if shown_id else None
    if shown is not None and shown.page_id == source.id:
        return shown
    return db.session.get(Revision, translations.reference_revision_id(source))


def after_save(page: Page, user: User, edit: TranslationEdit | None, synced: bool) -> None:
    """Link a new translation to its source, or mark an updated one as up to date."""
    if edit is None:
        return
    if edit.new:
        page_id = page.id
        with write_transaction() as session:
            session.get(Page, page_id).lang = edit.lang
        db.session.refresh(page)
        translations.link(page, edit.source, user, synced_revision_id=edit.source_revision.id)
    elif synced:
        translations.mark_up_to_date(page, edit.source_revision.id)


@dataclass
class NewPageLanguage:
    """The languages a page not yet written may be given, and the one chosen."""

    choices: list[tuple[str, str]]
    chosen: str


def new_page_language(page: Page | None, values: Mapping[str, str]) -> NewPageLanguage | None:
    """Return the language choice the editor offers for a new page (not a translation,
    whose language is given), or None on a wiki of one language or an existing page.
    The writer's own language comes first: someone reading the wiki in Italian most likely
    writes a new page in Italian."""
    if (page is not None and page.latest is not None) or values.get("translate_from"):
        return None
    choices = translations.language_choices()
    if len(choices) < 2:
        return None
    codes = [code for code, _name in choices]
    asked = translations.normalise_lang(values.get("page_lang", ""))
    mine = translations.normalise_lang(str(get_locale()))
    chosen = next((code for code in (asked, mine) if code in codes), locales.default_locale())
    return NewPageLanguage(choices, chosen)


def after_create(result, user: User, values: Mapping[str, str]) -> None:
    """Give a page just created the language its writer chose in the editor."""
    if not result.created or result.revision is None or values.get("translate_from"):
        return
    lang = translations.normalise_lang(values.get("page_lang", ""))
    if lang is not None and lang != translations.lang_of(result.page):
        translations.set_language(result.page, lang, user)
