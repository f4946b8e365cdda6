"""Bottega: a wiki where a company and its community co-write marketing pages."""

from pathlib import Path
from types import FunctionType

from flask import Flask

from . import assets, renderer, templating
from .config import load_config
from .database import tune_engine
from .extensions import babel, csrf, db, login_manager, migrate
from .request import WikiRequest
from .search.engines import include_name

ROOT = Path(__file__).resolve().parent.parent
#: At most this many functions' answers kept by Wiki.ensure_sync (the app has ~200 hooks
#: and views; a function made per request would otherwise fill it).
SYNC_KNOWN = 2000


class Wiki(Flask):
    """Flask, whose absolute links start with SITE_URL when it is set.

    Otherwise a link in an email, a feed or an API answer would be built from the Host
    header of whichever request made it: a password reset asked for with a forged Host
    would mail the real person a link to the forger's site, with a valid token.
    """

    request_class = WikiRequest  # forms decoded faster (wiki.core.formdata)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict = {}

    def url_for(self, endpoint: str, *, _external: bool | None = None, **values) -> str:
        site = self.config.get("SITE_URL")
        if not site or not _external:
            return super().url_for(endpoint, _external=_external, **values)
        values.pop("_scheme", None)  # the site's address says its scheme
        return site.rstrip("/") + super().url_for(endpoint, _external=False, **values)

    def ensure_sync(self, func):
        """Return func, or its wrapper if it is a coroutine, deciding once per function:
        inspect.iscoroutinefunction for each of twenty hooks in every request was 2% of an
        uncached page view's time."""
        if type(func) is not FunctionType:  # a bound method is made anew at each call
            return super().ensure_sync(func)
        known = self._sync.get(func)
        if known is None:
            known = super().ensure_sync(func)
            if len(self._sync) < SYNC_KNOWN:  # hooks and views: a bounded set
                self._sync[func] = known
        return known


def create_app(config: dict | None = None) -> Flask:
    """Build the application: defaults, then instance/config.py, WIKI_* variables, config."""
    app = Wiki(
        __name__,
        instance_path=(config or {}).get("INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.jinja_environment = templating.Environment  # before anything reads app.jinja_env
    load_config(app, config)
    from .i18n import locales

    locales.check_default_locale(app.config)  # before any connection is opened
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default is None: no limit
        app.config["MAX_CONTENT_LENGTH"] = 4 * app.config["MAX_PAGE_BYTES"] + 65536

    db.init_app(app)
    # The full-text index differs per engine, so it is not in the metadata `db check` compares.
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), include_name=include_name)
    login_manager.init_app(app)
    csrf.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(locales.translations_path(app.config))
    babel.init_app(
        app, locale_selector=locales.select_locale, timezone_selector=locales.select_timezone
    )
    with app.app_context():
        tune_engine(db.engine)
    renderer.configure(
        workers=app.config["RENDER_WORKERS"], wait=float(app.config["RENDER_QUEUE_SECONDS"])
    )

    from . import cli, errors, memo, modlog  # noqa: F401 (modlog: its table)
    from .access import models as _access_models  # noqa: F401 (the access tables)
    from .history.views import bp as history_bp
    from .organise import facts as _organise_facts  # noqa: F401 (redirects, categories on save)
    from .organise.views import bp as organise_bp
    from .pages import cache as page_cache
    from .pages.creating import bp as creating_bp
    from .pages.views import bp as pages_bp
    from .people.views import bp as people_bp
    from .search import index as _search_index  # noqa: F401 (indexes pages and talk on save)
    from .search.views import bp as search_bp
    from .talk import models as _talk_models  # noqa: F401 (the talk tables)
    from .talk.views import bp as talk_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(creating_bp)
    app.register_blueprint(history_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(talk_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(organise_bp)
    errors.register(app)
    page_cache.register(app)
    memo.register(app)
    templating.register(app)
    assets.register(app)
    cli.register(app)
    from . import community, files

    community.init_app(app)
    from . import signin

    signin.init_app(app)
    from . import api, followups, jobs, share

    jobs.register(app)
    followups.register(app)
    share.init_app(app)
    api.init_app(app)
    files.init_app(app)
    from . import review

    review.init_app(app)
    from . import i18n

    i18n.init_app(app)
    from . import anchors

    anchors.init_app(app)
    from . import live

    live.init_app(app)
    from . import safety

    safety.init_app(app)  # last: its rate limits wrap the views registered above
    return app
