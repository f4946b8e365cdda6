"""Sign-in: providers (OpenID Connect and OAuth 2), email addresses, password resets by
email, and two-factor authentication."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Read the providers, register the views, and put two-factor into every login."""
    from ..people.service import LOGIN_STEPS
    from . import models as _models  # noqa: F401 (the tables)
    from . import preference_views, providers, views

    providers.register(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(preference_views.bp)
    app.extensions.setdefault(LOGIN_STEPS, []).append(views.login_step)
    app.jinja_env.globals.update(
        signin_providers=providers.all_providers,
        signin_overview=preference_views.overview,
    )
