"""Which language and time zone a request is served in, and which languages exist."""

import unicodedata
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytz
from babel import Locale, UnknownLocaleError
from flask import Response, current_app, g, has_request_context, request
from flask_babel import _get_current_context, force_locale, get_locale
from flask_login import current_user

from ..config import ConfigError
from ..extensions import db
from ..fragments import REQUEST_BASE
from ..memo import RULES, until_changed
from .models import LanguagePreference

#: The cookie that remembers a language chosen with ?lang=. A cookie of its own, not the
#: session: logging in or out starts a fresh session, and the language must survive it.
COOKIE = "lang"
COOKIE_DAYS = 365
#: The language the templates and code are written in: it needs no catalogue.
SOURCE_LOCALE = "en"
#: Where the catalogues are: wiki/translations/<lang>/LC_MESSAGES/messages.po.
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def translations_path(config) -> Path:
    """Return the folder of the catalogues (TRANSLATIONS_PATH, else the package's)."""
    return Path(config.get("TRANSLATIONS_PATH") or TRANSLATIONS)


@cache
def _catalogued(folder: str) -> tuple[str, ...]:
    root = Path(folder)
    if not root.is_dir():
        return ()
    return tuple(
        sorted(p.name for p in root.iterdir() if (p / "LC_MESSAGES" / "messages.po").exists())
    )


def available(config=None) -> tuple[str, ...]:
    """Return the site's languages: the source language, then each with a catalogue."""
    return _languages(
        (config if config is not None else current_app.config).get("TRANSLATIONS_PATH")
    )


@cache
def _languages(setting: str | None) -> tuple[str, ...]:
    """Return the languages of a TRANSLATIONS_PATH setting (asked a few times a request)."""
    folder = translations_path({"TRANSLATIONS_PATH": setting})
    return tuple(dict.fromkeys([SOURCE_LOCALE, *_catalogued(str(folder))]))


def check_default_locale(config) -> None:
    """Raise ConfigError unless the site's language (DEFAULT_LOCALE) has a catalogue."""
    code = config["DEFAULT_LOCALE"]
    langs = available(config)
    if code not in langs and code.replace("-", "_").split("_")[0].lower() not in langs:
        raise ConfigError(
            f"DEFAULT_LOCALE={code!r}: this wiki has no catalogue for it; available: "
            + ", ".join(available(config))
        )
    zone = config["DEFAULT_TIMEZONE"]
    if valid_timezone(zone) is None:
        raise ConfigError(f"DEFAULT_TIMEZONE={zone!r}: not a time zone (e.g. Europe/Rome, UTC).")


def supported(code: str | None) -> str | None:
    """Return the available language a code names ("it", "it-CH", "IT_it"), or None."""
    if not code:
        return None
    code = code.strip().replace("-", "_")
    langs = available()
    if code in langs:
        return code
    base = code.split("_")[0].lower()
    return base if base in langs else None


def default_locale() -> str:
    """Return the site's language (WIKI_DEFAULT_LOCALE)."""
    return supported(current_app.config["DEFAULT_LOCALE"]) or SOURCE_LOCALE


@cache
def native_name(code: str) -> str:
    """Return a language's name in itself, capitalised: "Italiano", "English"."""
    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def name_in(code: str, reader: str) -> str:
    """Return a language's name as the reader's language writes it in a sentence ("inglese"
    for an Italian reader): lists of languages to choose from use native_name instead."""
    return _name_in(code.replace("-", "_"), str(reader))


@cache
def _name_in(code: str, reader: str) -> str:
    try:
        return Locale.parse(code).get_display_name(reader) or code
    except (UnknownLocaleError, ValueError):
        return code


def code_named(name: str) -> str | None:
    """Return the code of the language with this name (in itself, English or the reader's
    language; case and accents aside), or None."""
    reader = str(get_locale()) if has_request_context() else SOURCE_LOCALE
    key = name_key(name)
    return _codes_by_name(reader).get(key) or _codes_by_name(SOURCE_LOCALE).get(key)


def name_key(name: str) -> str:
    """Return a language's name as compared: case and accents aside."""
    folded = unicodedata.normalize("NFKD", name.strip().casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


@cache
def _codes_by_name(reader: str) -> dict[str, str]:
    """Return language codes by the names the reader's language gives them."""
    try:
        names = Locale.parse(reader).languages
    except (UnknownLocaleError, ValueError):
        return {}
    # Only languages Babel knows how to write about (a page's language is shown, dated and
    # given to link previews through it), and none of the codes for "no language".
    known = _known_languages()
    return {name_key(name): code for code, name in names.items() if code in known}


#: Codes that name no language a page is written in.
_NOT_LANGUAGES = {"und", "mul", "zxx", "mis"}


@cache
def _known_languages() -> frozenset[str]:
    """Return the language codes (with script or territory) Babel has data for."""
    from babel.localedata import locale_identifiers

    return frozenset(locale_identifiers()) - _NOT_LANGUAGES


@cache
def direction(code: str) -> str:
    """Return "rtl" or "ltr", the way the language is written."""
    try:
        return "rtl" if Locale.parse(code).text_direction == "rtl" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


def _stored(user_id: int) -> tuple[str | None, str | None]:
    row = db.session.get(LanguagePreference, user_id)
    return (row.locale, row.timezone) if row is not None else (None, None)


def _preference() -> tuple[str | None, str | None]:
    """Return the signed-in person's (language, time zone) preference, cached per request."""
    if "language_preference" not in g:
        found: tuple[str | None, str | None] = (None, None)
        # g.bare_page: an error page drawn without the database (it may be down).
        if not g.get("bare_page") and current_user and current_user.is_authenticated:
            # Kept until the rules change (saving a preference changes them), not renewed at
            # each of the person's posts: a save's notice is the first text it translates.
            user_id = int(current_user.get_id())
            found = until_changed("language", user_id, lambda: _stored(user_id), RULES)
        g.language_preference = found
    return g.language_preference


def select_locale() -> str | None:
    """Return the request's language.

    A ?lang= in the address wins for that request (a shared link shows what it names) and is
    remembered (a cookie); then the person's preference, the remembered choice, the
    browser's Accept-Language, and the site default. Outside a request (a background job,
    a command): None, which is the site default.
    """
    if not has_request_context():
        return None
    asked = supported(request.args.get("lang"))
    if asked:
        return asked
    preferred = supported(_preference()[0])
    if preferred:
        return preferred
    remembered = supported(request.cookies.get(COOKIE))
    if remembered:
        return remembered
    accepted = request.accept_languages.best_match(available())
    return accepted or default_locale()


def remember_choice(response: Response) -> Response:
    """Remember a ?lang= choice in a cookie, for the pages that follow."""
    asked = supported(request.args.get("lang"))
    if asked and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE,
            asked,
            max_age=COOKIE_DAYS * 24 * 3600,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
    return response


@cache
def timezones() -> tuple[str, ...]:
    """Return the time zone names a person can choose, sorted."""
    return ("UTC", *sorted(n for n in pytz.common_timezones if n != "UTC"))


def valid_timezone(name: str | None) -> str | None:
    """Return the time zone name if it exists, else None."""
    if not name:
        return None
    return name if name in pytz.all_timezones_set else None


def select_timezone() -> str | None:
    """Return the request's time zone: the person's preference, else the site's."""
    if not has_request_context():
        return None
    return valid_timezone(_preference()[1]) or current_app.config["DEFAULT_TIMEZONE"]


#: g keys of what a request makes once for its locale.
_LOCALE_STATE = ("clock", REQUEST_BASE)


@contextmanager
def language_of(user_id: int | None):
    """Run the block in a person's language and time zone (an email made in a job)."""
    locale, zone = (None, None)
    if user_id is not None:
        row = db.session.get(LanguagePreference, user_id)
        locale, zone = (row.locale, row.timezone) if row is not None else (None, None)
    chosen = supported(locale) or default_locale()
    # What a request keeps for its own locale (moments.Clock, the fragments' key prefix) is
    # put aside for the block and made again in its language.
    previous = {name: g.pop(name) for name in _LOCALE_STATE if name in g}
    with force_locale(chosen):
        context = _get_current_context()
        saved_zone = getattr(context, "babel_tzinfo", None) if context is not None else None
        if context is not None:
            context.babel_tzinfo = pytz.timezone(
                valid_timezone(zone) or current_app.config["DEFAULT_TIMEZONE"]
            )
        try:
            yield chosen
        finally:
            for name in _LOCALE_STATE:
                g.pop(name, None)
            if context is not None:
                context.babel_tzinfo = saved_zone
    for name, value in previous.items():
        setattr(g, name, value)
