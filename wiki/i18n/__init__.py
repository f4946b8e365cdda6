"""Languages: the site in each reader's language, time zones, and pages in several languages.

The request's language comes from locales.select_locale (wired into Flask-Babel by the app
factory); catalogues live in wiki/translations/<lang>/LC_MESSAGES/messages.po and are
compiled at start-up when stale (catalogs.py). Pages have a content language and can be
linked as translations of a source page (translations.py); views.py serves /translations.
"""

from flask import Flask, Response, appcontext_pushed
from flask_babel import Domain


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
