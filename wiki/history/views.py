"""A page's history, diffs between revisions, and old revisions."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..core.diff import diff_texts
from ..core.titles import Title
from ..models import Role
from ..pages import service as pages
from ..pages.content import rendered_html
from ..pages.service import EditConflict, SaveError
from ..pages.views import EditForm, show_conflict, show_editor, title_or_400
from ..renderer import RenderTimeout
from ..templating import page_url
from . import service

bp = Blueprint("history", __name__)


def int_arg(name: str) -> int | None:
    """Return a query argument as a positive int, None if absent, or answer 400."""
    raw = request.args.get(name, "").strip()
    if raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        abort(400, description=_("“%(name)s” must be a revision number.", name=name))
    return int(raw)


def page_or_404(title: str):
    """Return the page a URL names, or answer 404."""
    page = pages.get_page(title_or_400(title))
    if page is None or page.latest is None:
        abort(404, description=_("There is no page with this title."))
    return page


@bp.get("/history/<path:title>")
def history(title: str):
    """List a page's revisions, newest first."""
    page = page_or_404(title)
    shown = service.history(
        page,
        before=int_arg("before"),
        after=int_arg("after"),
        limit=current_app.config["HISTORY_PAGE_SIZE"],
    )
    return render_template(
        "history/history.html",
        page=page,
        history=shown,
        can_edit=pages.can_edit(current_user),
        can_rollback=current_user.is_authenticated and current_user.has_role(Role.MODERATOR),
    )


@bp.get("/diff/<path:title>")
def diff(title: str):
    """Show the difference between two revisions of a page (by default the last edit)."""
    page = page_or_404(title)
    new = _page_revision(page, int_arg("to")) if "to" in request.args else page.latest
    old_id = int_arg("from")
    old = _page_revision(page, old_id) if old_id else service.neighbour(new, older=True)
    if old is not None and old.id > new.id:
        old, new = new, old
    comparison = service.compare(old, new)
    inline = request.args.get("view") == "inline"
    return render_template("history/diff.html", page=page, cmp=comparison, inline=inline)


def _page_revision(page, revision_id: int | None):
    """Return a revision of this page, or answer 404."""
    revision = service.get_revision(revision_id) if revision_id else None
    if revision is None or revision.page_id != page.id:
        abort(404, description=_("This page has no revision with that number."))
    return revision


@bp.get("/revision/<int:revision_id>")
def revision(revision_id: int):
    """Show one revision of a page as it was."""
    old = service.get_revision(revision_id)
    if old is None:
        abort(404, description=_("There is no revision with that number."))
    try:
        current = old.id == old.page.latest_revision_id
        html, headings = rendered_html(old.sha1, lambda: old.text, keep=current)
        html = pages.with_red_links(html)
    except RenderTimeout as error:
        html, headings = None, []
        render_error = _(str(error))
    else:
        render_error = None
    return render_template(
        "history/revision.html",
        revision=old,
        page=old.page,
        html=html,
        headings=headings,
        render_error=render_error,
        older=service.neighbour(old, older=True),
        newer=service.neighbour(old, older=False),
        can_edit=pages.can_edit(current_user),
    )


@bp.get("/undo/<path:title>")
def undo(title: str):
    """Open the editor with one past edit taken out of the current text."""
    page = page_or_404(title)
    if not pages.can_edit(current_user):
        flash(_("Please log in to edit pages."), "info")
        return redirect(url_for("people.login", next=request.full_path))
    undone = _page_revision(page, int_arg("rev"))
    result = service.undo(page, undone)
    name = undone.author.username if undone.author else _("anonymous")
    summary = f"Undo revision {undone.id} by {name}"
    parsed = Title(page.title, page.key)
    if result.merge.clean:
        form = EditForm(result.merge.text, summary, False, str(result.latest.id), "undo")
        flash(_("Check the changes below and save to undo the edit."), "info")
        changes = diff_texts(result.latest.text, result.merge.text)
        return show_editor(parsed, page, form, changes=changes)
    conflict = EditConflict(
        _(
            "This edit can't be undone automatically: later edits changed the same words. "
            "Choose what to keep for each passage below."
        ),
        result.latest,
        merge=result.merge,
        base_revision_id=undone.id,
        mine=result.parent_text,
    )
    form = EditForm(result.parent_text, summary, False, str(result.latest.id), "undo")
    return show_conflict(parsed, form, conflict), 409


@bp.post("/restore/<int:revision_id>")
def restore(revision_id: int):
    """Make a new revision with an old revision's text."""
    old = service.get_revision(revision_id)
    if old is None:
        abort(404, description=_("There is no revision with that number."))
    try:
        result = service.restore(old.page, old, current_user)
    except SaveError as error:
        abort(error.status, description=_(error.message, **error.params))
    except RenderTimeout as error:
        abort(422, description=_(str(error)))
    if result.revision is None:
        flash(_("This version is already the current one; nothing changed."), "info")
    else:
        flash(_("Revision %(id)s was restored as a new revision.", id=old.id), "success")
    return redirect(page_url(old.page.title))


@bp.post("/rollback/<path:title>")
def rollback(title: str):
    """Revert the last editor's consecutive edits (moderators)."""
    page = page_or_404(title)
    try:
        seen = int(request.form.get("latest", ""))
    except ValueError:
        abort(400, description=_("The form is damaged: the revision you saw is missing."))
    try:
        result = service.rollback(page, current_user, seen)
    except SaveError as error:
        abort(error.status, description=_(error.message, **error.params))
    except RenderTimeout as error:
        abort(422, description=_(str(error)))
    if result.revision is not None:
        flash(_("The edits were rolled back."), "success")
    return redirect(page_url(page.title, "history.history"))
