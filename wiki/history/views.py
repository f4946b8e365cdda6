"""A page's history, diffs between revisions, and old revisions."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _

from ..pages import service as pages
from ..pages.content import rendered_html
from ..pages.views import title_or_400
from ..renderer import RenderTimeout
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
    return render_template("history/history.html", page=page, history=shown)


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
        html, headings = rendered_html(old.sha1, lambda: old.text)
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
    )
