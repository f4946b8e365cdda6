"""Anchored threads and the authorship view."""

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..core.anchors import Quote
from ..core.numbers import MAX_ID
from ..pages import service as pages
from ..problems import BadRequest, NotFound, UserError
from ..urls import page_url
from ..web import title_or_400
from . import authorship, display, threads

bp = Blueprint("anchors", __name__)


def existing_page(title: str):
    """Return the page with this title, or answer 404."""
    page = pages.get_page(title_or_400(title))
    if page is None or page.latest is None or page.deleted:
        raise NotFound(_("There is no page with this title."))
    return page


def quote_from_form() -> Quote:
    """Return the selected passage the form sends: its words and the text around them."""
    form = request.form
    return Quote(form.get("exact", ""), form.get("prefix", "")[-64:], form.get("suffix", "")[:64])


@bp.post("/anchor/<path:title>")
def start(title: str):
    """Start a thread about the selected passage of a page."""
    page = existing_page(title)
    quote, body = quote_from_form(), request.form.get("body", "")
    try:
        comment = threads.start_thread(page, quote, body, author=current_user)
    except UserError as error:
        status = error.status
        message = _(error.message, **error.params)
        return render_template(
            "anchors/new.html", page=page, quote=quote, body=body, error=message
        ), status
    return redirect(page_url(page.title) + f"#thread-{comment.topic_id}")


@bp.get(f"/reanchor/<int(max={MAX_ID}):topic_id>")
def choose(topic_id: int):
    """Show the page's text to select the words a thread should be about from now on."""
    return reanchor_page(topic_id)


@bp.post(f"/reanchor/<int(max={MAX_ID}):topic_id>")
def reanchor(topic_id: int):
    """Anchor a thread to a passage of the current text again: the words selected in the
    page (exact, prefix, suffix) or, without JavaScript, typed (passage)."""
    form = request.form
    quote = quote_from_form() if "exact" in form else Quote(form.get("passage", ""))
    try:
        page = threads.reanchor(topic_id, quote, user=current_user)
    except BadRequest as error:
        message = _(error.message, **error.params)
        return reanchor_page(topic_id, error=message, passage=quote.exact), error.status
    flash(_("The thread is about the words you chose now."), "success")
    return redirect(page_url(page.title) + f"#thread-{topic_id}")


def reanchor_page(topic_id: int, *, error: str = "", passage: str = "") -> str:
    """Render the page's text in re-anchor mode for a thread this person may move."""
    row, topic = threads.reanchoring(topic_id, current_user)
    page = existing_page(topic.page.title)
    # The text this person reads: visitors who may not see waiting changes select in the
    # published one (the server finds their words in the current text).
    revision = pages.shown_revision(page, current_user)
    if revision is None:
        raise NotFound(_("There is no page with this title."))
    view = pages.render_page(page, revision)
    current = revision.id == page.latest_revision_id
    notes = display.annotated(page, revision, view.html, current=current)
    return render_template(
        "anchors/reanchor.html",
        page=page,
        topic=topic,
        anchor=row,
        notes=notes,
        error=error,
        passage=passage,
    )


@bp.get("/authorship/<path:title>")
def show(title: str):
    """Show the page's current text, each word with who wrote it, and everyone's share."""
    page = existing_page(title)
    # Visitors who may not see waiting changes get the published text's authors.
    revision = pages.shown_revision(page, current_user, request.args.get("stable") == "1")
    if revision is None:
        raise NotFound(_("There is no page with this title."))
    shown = authorship.page_authorship(page, revision)
    return render_template("anchors/authorship.html", page=page, shown=shown)
