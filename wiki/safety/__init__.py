"""Trust and safety: policy, roles, blocks, protection, rate limits, hardening, backups."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Install trust and safety; call last in create_app, once every blueprint is registered
    (rate limits wrap the views that exist by then)."""
    from . import admin as _admin  # noqa: F401 (its routes join the safety blueprint)
    from . import audit, backup, hardening, limits, views
    from . import models as _models  # noqa: F401 (the tables)

    app.register_blueprint(views.bp)
    hardening.register(app)
    backup.register(app)
    audit.install()
    limits.init_app(app)
