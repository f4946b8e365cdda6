"""The JSON API (/api/v1), personal access tokens, and webhooks."""

import click
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the API, the token and webhook screens, and the webhook outbox."""
    from . import admin_views, auth, delivery, expiry, token_views, tokens, views
    from . import events as _events  # noqa: F401 (connects the webhook event receivers)
    from . import models as _models  # noqa: F401 (the tables)

    auth.register()
    expiry.register(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(token_views.bp)
    app.register_blueprint(admin_views.bp)
    app.jinja_env.globals.update(
        api_tokens=tokens.active_tokens,
        token_lifetimes=tokens.LIFETIMES,
        default_token_lifetime=tokens.DEFAULT_LIFETIME,
    )

    @app.cli.command("deliver-webhooks")
    def deliver_webhooks() -> None:
        """Send the webhook deliveries that are due now (the worker does this by itself)."""
        click.echo(f"Sent {delivery.dispatch()} webhook deliveries.")
