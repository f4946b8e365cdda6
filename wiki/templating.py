"""Helpers every template uses: page URLs and moments as people read them."""

from flask import Flask
from flask.templating import Environment as FlaskEnvironment
from flask_babel import gettext as _

from . import fragments
from .core.text import box_digest, unquoted
from .moments import exact_time, full_date, reader_zone, reltime, short_time
from .site import shown_site
from .urls import page_url, profile_url, return_path


class TemplateGlobals(dict):
    """A template's globals over the app's, copied into one dict (as Jinja did before 3.0).

    Jinja copies a template's globals into the context of every template it renders and
    includes, and each {% from … import %} subtracts their keys: over its ChainMap both ran
    in Python, key by key, for the eighty globals (7% of an uncached page view's time in
    py-spy). The app sets its globals before any template loads (create_app); a global
    added later reaches only templates loaded after it.
    """


class Environment(FlaskEnvironment):
    """Flask's template environment, with TemplateGlobals."""

    def make_globals(self, d):
        return TemplateGlobals(self.globals if d is None else {**self.globals, **d})


def register(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.jinja_env.globals.update(
        return_path=return_path,
        page_url=page_url,
        profile_url=profile_url,
        reltime=reltime,
        reader_zone=reader_zone,
        revision_kind_words=revision_kind_words,
        site=shown_site,
    )
    app.jinja_env.filters["datetime"] = exact_time
    app.jinja_env.filters["unquoted"] = unquoted
    app.jinja_env.filters["box_digest"] = box_digest
    app.jinja_env.filters["short_time"] = short_time
    app.jinja_env.filters["full_date"] = full_date
    fragments.register(app)


def revision_kind_words() -> dict:
    """Return the translated words of revision kind badges (templates/macros.html)."""
    return {
        "kinds": {
            "create": _("new"),
            "merge": _("merged"),
            "restore": _("restore"),
            "undo": _("undo"),
            "reject": _("review"),
            "rollback": _("rollback"),
            "move": _("move"),
            "upload": _("upload"),
        },
        "created_title": _("This edit created the page"),
        "minor_title": _("Minor edit"),
    }
