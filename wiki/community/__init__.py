"""Community: watchlists, notifications, recent changes, feeds, profiles and credits."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the community views, commands, template helpers and event receivers."""
    from . import cli, helpers
    from .recent.feed_views import bp as feeds_bp
    from .views import bp as community_bp
    from .watch import display, mail, notify
    from .watch.preference_views import bp as preferences_bp

    notify.connect()
    app.register_blueprint(community_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(preferences_bp)
    app.after_request(mail.deliver_due_after_request)
    app.jinja_env.globals.update(
        unread_notifications=helpers.unread_notifications,
        watching_page=helpers.watching_page,
        page_contributors=helpers.page_contributors,
        sentence=display.sentence,
        target_url=display.target_url,
        email_enabled=mail.enabled,
    )
    cli.register(app)
