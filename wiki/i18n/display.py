"""Template helpers: the page's language and direction, the language switcher, JS messages,
summaries and numbers in the reader's language, and a page's translations."""

from functools import lru_cache
from types import SimpleNamespace

from babel.units import format_unit
from flask import Flask, g, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from .. import summaries
from ..core.titles import N_
from ..models import Role
from ..pages.cache import not_page_alone
from ..safety.accounts import ROLE_NAMES
from . import editor, locales, preferences, translations

#: Messages the JavaScript shows, by the name the scripts ask for (static/js/*.js).
JS_MESSAGES = {
    "pasted-image": N_("Pasted image"),
    "video-consent": N_("Play the video (it loads from %(host)s)"),
    "network-error": N_("The server could not be reached. Your text is kept; try again."),
    "mention-list": N_("People to mention"),
    "mention-none": N_("No one matches"),
}


def html_lang() -> str:
    """Return the request's language as an HTML lang value ("it", "pt-BR")."""
    locale = get_locale()
    return str(locale).replace("_", "-") if locale else "en"


def html_dir() -> str:
    """Return the request's writing direction, for <html dir>."""
    locale = get_locale()
    return locales.direction(str(locale)) if locale else "ltr"


def language_switcher() -> list[dict]:
    """Return the footer's links: each language with this address, in that language."""
    current = str(get_locale())
    args = request.args.to_dict() if request.method == "GET" else {}
    endpoint = request.endpoint if request.method == "GET" and request.endpoint else None
    links = []
    for code in locales.available():
        args["lang"] = code
        try:
            href = url_for(endpoint, **(request.view_args or {}), **args) if endpoint else None
        except Exception:  # an endpoint that cannot be rebuilt (a static file): the home page
            href = None
        links.append(
            {
                "code": code,
                "name": locales.native_name(code),
                "href": href or url_for("pages.home", lang=code),
                "current": code == current,
            }
        )
    return links


def js_messages() -> dict[str, str]:
    """Return the JavaScript's messages in the reader's language."""
    return {name: _(message) for name, message in JS_MESSAGES.items()}


def summary_text(revision) -> str:
    """Return a revision's summary in the reader's language."""
    return summaries.of(revision)


def number(value, format: str | None = None) -> str:
    """Return a number as the reader writes it ("1.234,5" in Italian)."""
    return format_decimal(value, format=format)


def signed_number(value) -> str:
    """Return a change in size with its sign ("+1.234")."""
    text = format_decimal(abs(value))
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def page_languages(page):
    """Return a page's language facts for its view: lang, dir, and its translation group."""
    if "page_languages" not in g:
        g.page_languages = {}
    if page.id not in g.page_languages:
        lang = translations.lang_of(page)
        # Most pages are in no translation group: one remembered answer spares three queries.
        linked = translations.linked(page.id)
        if linked:  # a translation shows whether its source changed since: other pages' edits
            not_page_alone()
        g.page_languages[page.id] = {
            "lang": lang,
            "dir": locales.direction(lang.replace("-", "_")),
            "name": locales.native_name(lang.replace("-", "_")),
            "group": translations.group_of(page) if linked else None,
            "link": translations.translation_link(page) if linked else None,
        }
    return g.page_languages[page.id]


@lru_cache(maxsize=256)
def lang_attributes(lang: str) -> Markup:
    """Return ` lang="…" dir="…"` for an element holding text in a language."""
    # Kept: Markup.format escapes through a custom formatter, and a list of results asks
    # for the same few languages once per row.
    return Markup(' lang="{}" dir="{}"').format(lang, locales.direction(lang.replace("-", "_")))


def language_preference() -> SimpleNamespace:
    """Return the signed-in person's saved language and time zone (None: not chosen)."""
    locale, zone = preferences.preference_of(current_user.id)
    return SimpleNamespace(locale=locale, timezone=zone)


def role_label(user) -> str:
    """Return a person's role as the reader calls it ("Moderatore")."""
    return _(ROLE_NAMES[Role(user.role)])


def translate(message: str) -> str:
    """Return a message marked with N_ elsewhere, in the reader's language (a filter)."""
    return _(message) if message else message


#: Units of file sizes by power of 1000, as CLDR names them (Babel formats them).
_SIZE_UNITS = ("digital-byte", "digital-kilobyte", "digital-megabyte", "digital-gigabyte")


def file_size(value, binary: bool = False) -> str:
    """Return a size in bytes as the reader writes it ("1,2 MB"); replaces filesizeformat."""
    size, step = float(value), 1024 if binary else 1000
    unit = 0
    while size >= step and unit < len(_SIZE_UNITS) - 1:
        size, unit = size / step, unit + 1
    shown = round(size) if unit == 0 else round(size, 1)
    # CLDR's short English byte is "193 byte": bytes are written out ("193 bytes").
    length = "long" if unit == 0 else "short"
    return format_unit(shown, _SIZE_UNITS[unit], length=length, locale=get_locale())


def register(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.jinja_env.globals.update(
        html_lang=html_lang,
        html_dir=html_dir,
        language_switcher=language_switcher,
        js_messages=js_messages,
        page_languages=page_languages,
        lang_attributes=lang_attributes,
        language_name=lambda code: locales.native_name(code.replace("-", "_")),
        language_in_words=lambda code: locales.name_in(code, get_locale()),
        language_preference=language_preference,
        page_lang=translations.lang_of,
        reference_revision_id=translations.reference_revision_id,
        new_page_language=lambda page: editor.new_page_language(page, request.values),
        available_languages=locales.available,
        timezone_names=locales.timezones,
    )
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.filters["translate"] = translate
    app.jinja_env.filters["filesizeformat"] = file_size
    app.jinja_env.filters["summary_text"] = summary_text
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["signed_number"] = signed_number
