"""Trust and safety: policy, roles, blocks, protection, rate limits, hardening, backups."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Install trust and safety; call last in create_app, once every blueprint is registered
    (rate limits wrap the views that exist by then)."""
    from . import admin_views, backup, hardening, limits, views
    from . import models as _models  # noqa: F401 (the tables)
    from . import protection as _protection  # noqa: F401 (protection follows moved pages)

    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    hardening.register(app)
    backup.register(app)
    limits.init_app(app)
