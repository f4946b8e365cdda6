"""Pending changes: edits by newcomers wait for a reviewer before the public sees them.

Each page has a published revision besides its latest one (`Page.published_revision_id`);
readers who may not see waiting changes are shown the published one everywhere.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Decide publication on save, add the views and the template helpers."""
    from . import helpers, publishing, scheduling, settings, views

    publishing.install()
    scheduling.register(app)
    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(
        pending_review=helpers.pending_review,
        edits_wait_for_review=helpers.edits_wait,
        review_count=helpers.review_count,
        waiting_summary=helpers.waiting_summary,
        scheduled_publication=scheduling.scheduled,
        wiki_timezone=lambda: str(scheduling.get_timezone()),
        waiting_shown=lambda: settings.current_settings().waiting_shown,
        review_policy_of=settings.policy_for,
        may_review=helpers.may_review,
    )
