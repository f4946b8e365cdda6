"""Comments anchored to passages, and who wrote each word (issue 20)."""

import click
from flask import Flask
from flask_login import current_user

from .. import events, followups
from ..talk.permissions import can_post
from . import authorship, display, threads, views
from . import models as _models  # noqa: F401 (the authorship and anchor tables)


def init_app(app: Flask) -> None:
    """Register the views, the save hook, the template helpers and the backfill command."""
    app.register_blueprint(views.bp)
    events.revision_added.connect(_on_revision_added)
    app.jinja_env.globals.update(
        page_annotated=display.page_annotated,
        revision_annotated=display.revision_annotated,
        authorship_credits=display.credits,
        topic_anchor=threads.anchor_of,
        topic_passage=lambda anchor: threads.shown_passage(anchor, current_user),
        topic_anchors=threads.anchors_of,
        can_comment_passages=can_post,
        can_reanchor=lambda topic: threads.can_reanchor(current_user, topic),
        anchor_moves=threads.moves_of,
        diff_threads=threads.diff_threads,
    )

    @app.cli.command("backfill-authorship")
    def backfill_authorship() -> None:
        """Attribute the words of every page's history (pages saved before authorship was kept)."""
        done = authorship.backfill_all(click.echo)
        click.echo(f"Attributed {done} pages.")


def _on_revision_added(_app, *, page, revision, previous, **_extra) -> None:
    """Move the page's anchors into the new revision; its words are attributed after the
    save (a job), so that the save's answer does not wait for it."""
    followups.note("authorship", page.id)
    threads.follow_edit(page, revision, previous)
