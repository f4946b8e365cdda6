"""Reading, creating and editing pages."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..core.diff import diff_texts
from ..core.titles import N_, Title, TitleError, parse_title, title_from_url
from ..history import service as history
from ..models import RevisionKind
from ..organise import redirects
from ..organise import service as organise
from ..renderer import RenderTimeout
from . import drafts, service
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
    """Show the current version of a page (or the page it redirects to), or offer to create it."""
    parsed = title_or_400(title)
    page = service.get_page(parsed)
    if page is None or page.latest is None or page.deleted:
        return missing(parsed, page)
    url_title = page.title.replace(" ", "_")
    if title != url_title:
        args = {name: value for name, value in request.args.items() if name != "title"}
        return redirect(url_for("pages.view", title=url_title, **args))
    hop = redirects.follow(page)
    if hop is not None and hop.target is not None and request.args.get("redirect") != "no":
        target = hop.target.title.replace(" ", "_")
        return redirect(url_for("pages.view", title=target, redirectedfrom=url_title))
    return render_template(
        "pages/view.html",
        view=service.render_page(page),
        title=parsed,
        hop=hop,
        redirected_from=redirects.redirected_from(page, request.args.get("redirectedfrom")),
    )


def missing(title: Title, page):
    """Answer 404: offer to create the page, or say it was deleted, by whom and why."""
    deleted = page is not None and page.deleted
    entry = organise.last_deletion(page) if deleted else None
    return render_template("pages/missing.html", title=title, deleted=deleted, entry=entry), 404


@bp.route("/edit/<path:title>", methods=["GET", "POST"])
def edit(title: str):
    """Show the editor; on POST save, preview, show the changes or apply conflict choices."""
    parsed = title_or_400(title)
    page = service.get_page(parsed)
    if request.method == "POST":
        return _submit(parsed, page)
    if page is not None and page.deleted:
        return missing(parsed, page)
    refusal = service.edit_refusal(current_user, page or parsed)
    if refusal is not None:
        return refuse_edit(refusal)
    latest = page.latest if page else None
    text = latest.text if latest else organise.template_text(request.args.get("template")) or ""
    form = EditForm(text, "", False, str(latest.id) if latest else "")
    draft = drafts.get_draft(current_user, parsed) if current_user.is_authenticated else None
    if draft is not None and request.args.get("draft") == "1":
        form = EditForm(draft.text, draft.summary, False, str(draft.base_revision_id or ""))
        flash(_("Your draft is restored. Saving merges it with any edits made since."), "info")
        return show_editor(parsed, page, form)
    changes = _draft_changes(draft, latest)
    return show_editor(parsed, page, form, draft=draft, draft_changes=changes)


def refuse_edit(refusal):
    """Send a visitor to log in, or tell a person why they may not edit (blocked: until when)."""
    if refusal.needs_login:
        flash(_(refusal.message, **refusal.params), "info")
        return redirect(url_for("people.login", next=request.full_path))
    abort(403, description=_(refusal.message, **refusal.params))


def _draft_changes(draft, latest):
    """Return what changed on the page since the draft began, or None if nothing did."""
    if draft is None or latest is None or draft.base_revision_id == latest.id:
        return None
    base = history.get_revision(draft.base_revision_id) if draft.base_revision_id else None
    return diff_texts(base.text if base else "", latest.text)


def _submit(title: Title, page):
    """Handle the editor's Save, Preview, Show changes and Apply choices buttons."""
    form = EditForm.from_request()
    action = request.form.get("action", "save")
    refusal = service.edit_refusal(current_user, page or title)
    if refusal is not None:
        message = _(refusal.message, **refusal.params)
        if refusal.needs_login:
            message = _(
                "You are not logged in (your session may have expired). Your text is kept "
                "below: log in in another tab, then save again."
            )
        return show_editor(title, page, form, error=message), 403
    try:
        if action == "preview":
            return show_editor(title, page, form, preview=_preview(form.text))
        if action == "changes":
            current = page.latest.text if page and page.latest else ""
            changes = diff_texts(current, clean_text(form.text))
            return show_editor(title, page, form, changes=changes)
        if action == "resolve":
            return _apply_choices(title, page, form)
        return _save(title, form)
    except service.EditConflict as conflict:
        return show_conflict(title, form, conflict), 409
    except service.SaveError as error:
        return show_editor(title, page, form, error=_(error.message, **error.params)), error.status
    except RenderTimeout as error:
        return show_editor(title, page, form, error=_(str(error))), 422


def _save(title: Title, form: "EditForm"):
    """Save the edit and say what happened."""
    result = service.save_page(
        title,
        form.text,
        author=current_user,
        summary=form.summary,
        minor=form.minor,
        base_revision_id=service.parse_base_revision(form.base_revision),
        kind=RevisionKind.UNDO if form.kind == "undo" else RevisionKind.EDIT,
        author_ip=request.remote_addr,
    )
    if result.revision is None:
        flash(_("Nothing changed, so no new revision was saved."), "info")
    elif result.created:
        flash(_("The page was created."), "success")
    elif result.merged_with is not None:
        flash(_merge_notice(result, form), "success")
    else:
        flash(_("Your changes were saved."), "success")
    return redirect(url_for("pages.view", title=result.page.title.replace(" ", "_")))


def _merge_notice(result, form: "EditForm") -> Markup:
    """Say whose edits this one was merged with, linking to the diff of the merge."""
    base = service.parse_base_revision(form.base_revision)
    names = [
        author.username if author else _("anonymous")
        for author in service.authors_between(result.page, base, result.merged_with.id)
    ]
    diff_url = url_for(
        "history.diff",
        title=result.page.title.replace(" ", "_"),
        **{"from": result.merged_with.id, "to": result.revision.id},
    )
    return Markup('{} <a href="{}">{}</a>').format(
        _(
            "Someone saved while you were editing (%(names)s). Your edit was merged with "
            "theirs: both changes are on the page.",
            names=", ".join(names),
        ),
        diff_url,
        _("See what your edit changed"),
    )


def show_conflict(title: Title, form: "EditForm", conflict):
    """Show the conflict: each passage both sides changed, and the editor with the text kept."""
    if conflict.merge is None:
        return show_editor(title, service.get_page(title), form, error=_(str(conflict)))
    if current_user.is_authenticated:
        drafts.save_draft(current_user, title, form.text, form.summary, conflict.base_revision_id)
    theirs = conflict.latest
    merged = conflict.merge.resolve(["mine"] * len(conflict.merge.conflicts))
    keep = EditForm(merged, form.summary, form.minor, str(theirs.id), form.kind)
    return show_editor(
        title,
        service.get_page(title),
        keep,
        error=_(str(conflict)),
        conflict={
            "passages": service.conflict_passages(conflict.merge),
            "merge_base": conflict.base_revision_id or "",
            "mine": form.text,
            "theirs": theirs,
        },
    )


def _apply_choices(title: Title, page, form: "EditForm"):
    """Apply the per-passage choices of the conflict screen and show the result to check."""
    if page is None:
        abort(404, description=_("There is no page with this title."))
    choices = [request.form.get(f"choice-{n}", "mine") for n in range(500)]
    theirs = service.parse_base_revision(form.base_revision)
    merge_base = service.parse_base_revision(request.form.get("merge_base", ""))
    if theirs is None:
        raise service.SaveError(
            N_("The form is damaged: the revision it was opened on is missing.")
        )
    text = service.resolve_conflict(
        page, merge_base, theirs, request.form.get("mine", ""), choices
    )
    resolved = EditForm(text, form.summary, form.minor, form.base_revision, form.kind)
    flash(_("Your choices are applied below. Check the text, then save."), "info")
    return show_editor(title, page, resolved, changes=diff_texts(page.latest.text, text))


class EditForm:
    """The editor's fields as submitted."""

    def __init__(
        self, text: str, summary: str, minor: bool, base_revision: str, kind: str = "edit"
    ) -> None:
        self.text = text
        self.summary = summary
        self.minor = minor
        self.base_revision = base_revision
        self.kind = kind

    @classmethod
    def from_request(cls) -> "EditForm":
        """Read the fields from the posted form."""
        form = request.form
        return cls(
            text=form.get("text", ""),
            summary=form.get("summary", ""),
            minor=form.get("minor") in ("1", "on", "y", "true"),
            base_revision=form.get("base_revision", ""),
            kind="undo" if form.get("kind") == "undo" else "edit",
        )


def _preview(text: str):
    """Return the rendered preview of the text, or an error message if it can't render."""
    try:
        return service.preview(text)
    except RenderTimeout as error:
        return {"error": _(str(error))}


def show_editor(title: Title, page, form: EditForm, **extra):
    """Show the editor again with what the person typed."""
    return render_template(
        "pages/edit.html",
        title=title,
        page=page,
        text=form.text,
        base_revision=form.base_revision,
        summary=form.summary,
        minor=form.minor,
        kind=form.kind,
        **extra,
    )


@bp.post("/draft/<path:title>")
def save_draft(title: str):
    """Autosave the editor's text as the person's draft (called by the editor's script)."""
    parsed = title_or_400(title)
    if not current_user.is_authenticated or not service.can_edit(current_user, parsed):
        return jsonify(error=_("Log in to keep drafts.")), 403
    form = EditForm.from_request()
    try:
        base = service.parse_base_revision(form.base_revision)
        draft = drafts.save_draft(current_user, parsed, form.text, form.summary, base)
    except service.SaveError as error:
        return jsonify(error=_(error.message, **error.params)), error.status
    return jsonify(saved_at=draft.updated_at.isoformat(), message=_("Draft saved"))


@bp.post("/draft/<path:title>/discard")
def discard_draft(title: str):
    """Throw away the person's draft of a page."""
    parsed = title_or_400(title)
    if current_user.is_authenticated:
        drafts.discard_draft(current_user, parsed)
        flash(_("The draft was discarded."), "info")
    return redirect(url_for("pages.edit", title=title))


def resubmit_after_csrf_failure(message: str):
    """Show the editor again with the posted text after a failed CSRF check."""
    parsed = title_or_400(request.view_args["title"])
    form = EditForm.from_request()
    return show_editor(parsed, service.get_page(parsed), form, error=message), 400
