"""Reading, creating and editing pages."""

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
from ..core.titles import Title, TitleError, parse_title, title_from_url
from ..renderer import RenderTimeout
from . import service
from .content import clean_text

bp = Blueprint("pages", __name__)


def title_or_400(path: str) -> Title:
    """Return the title a URL names, or answer 400 with what is wrong with it."""
    try:
        return parse_title(title_from_url(path))
    except TitleError as error:
        abort(400, description=_(str(error)))


@bp.get("/")
def home():
    """Send visitors to the main page."""
    return redirect(url_for("pages.view", title=current_app.config["MAIN_PAGE"]))


@bp.get("/wiki/<path:title>")
def view(title: str):
    """Show the current version of a page, or offer to create it."""
    parsed = title_or_400(title)
    shown = service.view_page(parsed)
    if shown is None:
        return render_template("pages/missing.html", title=parsed), 404
    if title != shown.page.title.replace(" ", "_"):
        return redirect(url_for("pages.view", title=shown.page.title.replace(" ", "_")))
    return render_template("pages/view.html", view=shown, title=parsed)


@bp.route("/edit/<path:title>", methods=["GET", "POST"])
def edit(title: str):
    """Show the editor; on POST save, preview or show the changes."""
    parsed = title_or_400(title)
    if not service.can_edit(current_user):
        flash(_("Please log in to edit pages."), "info")
        return redirect(url_for("people.login", next=request.full_path))
    page = service.get_page(parsed)
    if request.method == "GET":
        latest = page.latest if page else None
        return render_template(
            "pages/edit.html",
            title=parsed,
            page=page,
            text=latest.text if latest else "",
            base_revision=latest.id if latest else "",
            summary="",
            minor=False,
        )
    return _submit(parsed, page)


def _submit(title: Title, page):
    """Handle the editor's Save, Preview and Show changes buttons."""
    form = EditForm.from_request()
    action = request.form.get("action", "save")
    if action == "preview":
        return _editor(title, page, form, preview=_preview(form.text))
    if action == "changes":
        current = page.latest.text if page and page.latest else ""
        return _editor(title, page, form, changes=diff_texts(current, clean_text(form.text)))
    try:
        base = service.parse_base_revision(form.base_revision)
        result = service.save_page(
            title,
            form.text,
            author=current_user,
            summary=form.summary,
            minor=form.minor,
            base_revision_id=base,
        )
    except service.SaveError as error:
        return _editor(title, page, form, error=_(error.message, **error.params)), error.status
    except RenderTimeout as error:
        return _editor(title, page, form, error=_(str(error))), 422
    if result.revision is None:
        flash(_("Nothing changed, so no new revision was saved."), "info")
    elif result.created:
        flash(_("The page was created."), "success")
    else:
        flash(_("Your changes were saved."), "success")
    return redirect(url_for("pages.view", title=result.page.title.replace(" ", "_")))


class EditForm:
    """The editor's fields as submitted."""

    def __init__(self, text: str, summary: str, minor: bool, base_revision: str) -> None:
        self.text = text
        self.summary = summary
        self.minor = minor
        self.base_revision = base_revision

    @classmethod
    def from_request(cls) -> "EditForm":
        """Read the fields from the posted form."""
        form = request.form
        return cls(
            text=form.get("text", ""),
            summary=form.get("summary", ""),
            minor=form.get("minor") in ("1", "on", "y", "true"),
            base_revision=form.get("base_revision", ""),
        )


def _preview(text: str):
    """Return the rendered preview of the text, or an error message if it can't render."""
    try:
        return service.preview(text)
    except RenderTimeout as error:
        return {"error": _(str(error))}


def _editor(title: Title, page, form: EditForm, **extra):
    """Show the editor again with what the person typed."""
    return render_template(
        "pages/edit.html",
        title=title,
        page=page,
        text=form.text,
        base_revision=form.base_revision,
        summary=form.summary,
        minor=form.minor,
        **extra,
    )


def resubmit_after_csrf_failure(message: str):
    """Show the editor again with the posted text after a failed CSRF check."""
    parsed = title_or_400(request.view_args["title"])
    return _editor(parsed, service.get_page(parsed), EditForm.from_request(), error=message), 400


@bp.get("/search")
def search():
    """Go to the page with exactly this title, or list pages whose titles contain the words."""
    query = request.args.get("q", "").strip()[:200]
    if not query:
        return render_template("pages/search.html", query="", results=[])
    try:
        exact = service.get_page(parse_title(query))
    except TitleError:
        exact = None
    if exact is not None and exact.latest is not None:
        return redirect(url_for("pages.view", title=exact.title.replace(" ", "_")))
    return render_template("pages/search.html", query=query, results=service.titles_like(query))
