"""Live co-editing: several people type in one page's editor at once (Yjs on both ends).

The browser runs CodeMirror 6 bound to a Yjs document (static/js/live.bundle.js, built
from assets/); the server keeps each page's room in a pycrdt document, persists it in the
database and fans it out through Redis across processes. See docs/architecture.md.
"""

import secrets

from flask import Flask, g, request
from flask_login import current_user


def init_app(app: Flask) -> None:
    """Add the WebSocket view, the save hook, and the editor's template helper."""
    from .. import events
    from ..pages import service as pages_service
    from . import (
        models,  # noqa: F401 (the live tables)
        service,  # noqa: F401 (merges saves into live drafts)
        views,
    )
    from .hub import Hub

    app.extensions["live"] = Hub(app)
    # A save from the live editor takes in others' typing: review weighs them too.
    pages_service.set_coauthor_rule(service.typists_taken_in)
    # A save crediting others is not its author's alone: a later save of theirs from an
    # older base conflicts with it instead of overwriting the others' words.
    pages_service.set_shared_rule(service.coauthored_between)
    # Nobody saves the typing of someone who may no longer edit on their behalf.
    events.editing_withdrawn.connect(_set_aside_typing)
    app.register_blueprint(views.bp)
    app.add_template_global(live_room)
    app.add_template_global(service.coauthors, "revision_coauthors")
    app.after_request(_allow_editor_styles)
    _register_commands(app)


def _set_aside_typing(_sender, user, **_extra) -> None:
    """Set aside what someone who may no longer edit typed in live drafts only they changed."""
    from flask import current_app

    from .service import set_aside_typing_of

    if "live" in current_app.extensions:
        set_aside_typing_of(user)


def _register_commands(app: Flask) -> None:
    """Add `flask live-expire`."""
    from datetime import timedelta

    import click

    @app.cli.command("live-expire")
    @click.option("--days", default=14, show_default=True, help="Idle for longer than this.")
    def live_expire(days: int) -> None:
        """Turn idle live drafts into personal drafts of the people who typed in them."""
        from .expiry import expire

        click.echo(f"{expire(timedelta(days=days))} live drafts handed to their authors.")


def live_room(page, conflict=None, kind=None) -> dict | None:
    """Return what the editor needs to go live on this page, or None for the classic one."""
    from flask import current_app

    if not current_app.config["LIVE_EDITING"] or conflict or kind == "undo":
        return None
    if page is None or page.latest_revision_id is None or page.deleted:
        return None
    if not current_user.is_authenticated or request.endpoint != "pages.edit":
        return None
    if request.method == "GET" and request.args.get("draft") == "1":
        return None
    if request.method == "POST" and (
        request.form.get("live") != "1" or request.form.get("action") not in ("preview", "changes")
    ):
        return None
    if "live_style_nonce" not in g:
        g.live_style_nonce = secrets.token_urlsafe(16)
    return {"page_id": page.id, "username": current_user.username, "nonce": g.live_style_nonce}


def _allow_editor_styles(response):
    """Let the live editor's page load CodeMirror's styles (a nonce) and its colours.

    CodeMirror writes its base styles as <style> elements (allowed by the nonce), and
    remote cursors carry their colour in a style attribute (style-src-attr). Scripts stay
    'self' only, and page content never carries a style attribute (nh3 removes them).
    """
    nonce = g.get("live_style_nonce")
    policy = response.headers.get("Content-Security-Policy")
    if nonce and policy and "style-src" not in policy:
        response.headers["Content-Security-Policy"] = (
            f"{policy}; style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'"
        )
    return response
