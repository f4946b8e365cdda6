"""A page's history, diffs between revisions, and old revisions."""

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..access.permissions import is_moderator
from ..core.titles import N_
from ..pages import service as pages
from ..pages.content import rendered_html
from ..problems import BadRequest, NotFound, UserError
from ..review.queue import states as review_states
from ..review.visibility import sees_waiting_on, visible
from ..urls import page_url
from ..web import content_disposition, follow_alias, int_arg, title_or_400, user_message
from . import rows, service

bp = Blueprint("history", __name__)
REVISION_NUMBER = N_("“%(name)s” must be a revision number.")
bp.add_app_template_global(rows.revision_row, "revision_row")


def page_or_404(title: str):
    """Return the page a URL names, or answer 404."""
    parsed = title_or_400(title)
    page = pages.get_page(parsed)
    if page is None:
        follow_alias(parsed)
    if page is None or pages.shown_revision(page, current_user) is None:
        raise NotFound(_("There is no page with this title."))
    return page


def _public_only(page) -> bool:
    """Return whether the reader may see only the page's published revisions."""
    return not sees_waiting_on(page, current_user)


@bp.get("/history/<path:title>")
def history(title: str):
    """List a page's revisions, newest first."""
    page = page_or_404(title)
    shown = service.history(
        page,
        before=int_arg("before", message=REVISION_NUMBER),
        after=int_arg("after", message=REVISION_NUMBER),
        limit=current_app.config["HISTORY_PAGE_SIZE"],
        public_only=_public_only(page),
    )
    return render_template(
        "history/history.html",
        page=page,
        history=shown,
        marks=review_states(page.id, [rev.id for rev in shown.revisions]),
        can_edit=pages.can_edit(current_user),
        # Offered only when there is someone else's version to return to.
        rollback=service.rollback_offer(page) if is_moderator(current_user) else None,
    )


@bp.get("/diff/<path:title>")
def diff(title: str):
    """Show the difference between two revisions of a page (by default the last edit)."""
    page = page_or_404(title)
    new = (
        _page_revision(page, int_arg("to", message=REVISION_NUMBER))
        if "to" in request.args
        else pages.shown_revision(page, current_user)
    )
    old_id = int_arg("from", message=REVISION_NUMBER)
    old = (
        _page_revision(page, old_id)
        if old_id
        else service.neighbour(new, older=True, public_only=_public_only(page))
    )
    if old is not None and old.id > new.id:
        old, new = new, old
    if request.args.get("format") == "diff":
        return _unified(page, old, new)
    comparison = service.compare(old, new, public_only=_public_only(page))
    inline = request.args.get("view") == "inline"
    return render_template("history/diff.html", page=page, cmp=comparison, inline=inline)


def _unified(page, old, new):
    """Answer with the difference as a unified diff file, however large it is."""
    body = service.unified(page, old, new)
    name = f"{page.title.replace('/', '_')}-r{old.id if old else 0}-r{new.id}.diff"
    return Response(
        body,
        mimetype="text/plain",
        headers={"Content-Disposition": content_disposition(name)},
    )


def _page_revision(page, revision_id: int | None):
    """Return a revision of this page the reader may see, or answer 404."""
    return service.revision_of(page, revision_id, current_user)


@bp.get("/revision/<int:revision_id>")
def revision(revision_id: int):
    """Show one revision of a page as it was."""
    old = revision_or_404(revision_id)
    try:
        current = old.id == old.page.latest_revision_id
        html, headings = rendered_html(old.sha1, lambda: old.text, keep=current)
        html = pages.with_red_links(html)
    except UserError as error:
        html, headings = None, []
        render_error = user_message(error)
    else:
        render_error = None
    return render_template(
        "history/revision.html",
        revision=old,
        page=old.page,
        html=html,
        headings=headings,
        render_error=render_error,
        older=service.neighbour(old, older=True, public_only=_public_only(old.page)),
        newer=service.neighbour(old, older=False, public_only=_public_only(old.page)),
        mark=review_states(old.page_id, [old.id]).get(old.id),
        can_edit=pages.can_edit(current_user),
    )


@bp.post("/restore/<int:revision_id>")
def restore(revision_id: int):
    """Make a new revision with an old revision's text."""
    old = revision_or_404(revision_id)
    result = service.restore(old.page, old, current_user, request.form.get("reason", ""))
    if result.revision is None:
        flash(_("This version is already the current one; nothing changed."), "info")
    else:
        flash(_("Revision %(id)s was restored as a new revision.", id=old.id), "success")
    return redirect(page_url(old.page.title))


@bp.post("/rollback/<path:title>")
def rollback(title: str):
    """Revert the last editor's consecutive edits (moderators)."""
    page = page_or_404(title)
    seen = int_arg("latest", form=True)
    if seen is None:
        raise BadRequest(_("The form is damaged: the revision you saw is missing."))
    result = service.rollback(page, current_user, seen)
    if result.revision is not None:
        flash(_("The edits were rolled back."), "success")
    return redirect(page_url(page.title, "history.history"))


def revision_or_404(revision_id: int):
    """Return the revision with this id, or answer 404."""
    old = service.get_revision(revision_id)
    if not visible(old, current_user):
        raise NotFound(_("There is no revision with that number."))
    return old
