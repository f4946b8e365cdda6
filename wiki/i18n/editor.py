"""The editor of a translation: the source text beside it, and linking when it is saved."""

from collections.abc import Mapping
from dataclasses import dataclass

from ..core.numbers import MAX_ID, parse_natural
from ..core.titles import Title, TitleError, parse_title
from ..database import write_transaction
from ..extensions import db
from ..models import Page, Revision, User
from ..pages import service as pages
from . import translations


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
        outdated=link.synced_revision_id != source.latest_revision_id,
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
    """Return the source revision the editor showed (posted back), else the latest."""
    shown_id = parse_natural(values.get("source_revision", ""), MAX_ID)
    shown = db.session.get(Revision, shown_id) if shown_id else None
    return shown if shown is not None and shown.page_id == source.id else source.latest


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
