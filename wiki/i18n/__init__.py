"""Languages: the site in each reader's language, time zones, and pages in several languages.

The request's language comes from locales.select_locale (wired into Flask-Babel by the app
factory); catalogues live in wiki/translations/<lang>/LC_MESSAGES/messages.po and are
compiled at start-up when stale (catalogs.py). Pages have a content language and can be
linked as translations of a source page (translations.py); views.py serves /translations.
"""

from flask import Flask, Response, appcontext_pushed
from flask_babel import Domain, get_locale
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup


def init_app(app: Flask) -> None:
    """Compile the catalogues, register the views and the template helpers."""
    from . import catalogs, display, locales, views
    from . import models as _models  # noqa: F401 (the language tables)

    folder = locales.translations_path(app.config)
    catalogs.compile_stale(folder)
    _use_own_catalogues(app, str(folder))
    app.register_blueprint(views.bp)
    app.after_request(locales.remember_choice)

    @app.after_request
    def _vary(response: Response) -> Response:
        response.vary.add("Accept-Language")
        return response

    display.register(app)


def _use_own_catalogues(app: Flask, folder: str) -> None:
    """Give the app a message domain of its own, in every app context it pushes.

    Flask-Babel's default domain belongs to the one Babel object all apps of a process share,
    and caches catalogues by language alone: two apps with different catalogues (tests, or
    two wikis in one process) would read whichever was loaded first.
    """
    domain = Domain(translation_directories=[folder])
    app.extensions["i18n_domain"] = domain

    def use(_sender, **_extra) -> None:
        from flask_babel import _get_current_context

        context = _get_current_context()
        if context is not None:
            context.babel_domain = domain

    appcontext_pushed.connect(use, app, weak=False)
    _quick_template_messages(app, domain)


def _quick_template_messages(app: Flask, domain: Domain) -> None:
    """Let templates look up each message with one locale check, not Flask-Babel's five.

    A page view translates some forty messages; Flask-Babel finds the request, the domain,
    the locale and its name again for each (about half of a message's cost). The catalogue
    of each locale is looked up once per process here; the locale is still read at every
    call, so messages drawn under force_locale (an email in its reader's language) follow.
    """
    by_locale: dict = {}

    def translations():
        locale = get_locale()
        if locale is None:  # outside a request: whatever Flask-Babel gives
            return domain.get_translations()
        found = by_locale.get(locale)
        if found is None:
            found = by_locale[locale] = domain.get_translations()
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )

    # What Jinja's newstyle gettext does, less its two indirections (`_` resolves `gettext`,
    # which calls the function above through the context) and the formatting of a message
    # that has no % in it (a no-op that cost as much as the lookup).
    @pass_context
    def gettext(context: Context, string: str, /, **variables) -> str:
        text = translations().ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables or "%" in text else text

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, /, **variables) -> str:
        variables.setdefault("num", num)
        text = translations().ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
