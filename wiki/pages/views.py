"""Reading, creating and editing pages."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import TooManyRequests

from .. import errors
from ..access.permissions import can_review, protected_from, raise_refusal
from ..core.diff import diff_texts
from ..core.numbers import MAX_ID, parse_natural
from ..core.text import clean_text, text_sha1
from ..core.titles import Title, special_target
from ..extensions import db
from ..files import icons
from ..files.service import upload_refusal
from ..history import service as history
from ..i18n import editor as translation_editor
from ..models import Revision, RevisionKind
from ..organise import redirects
from ..organise import service as organise
from ..problems import BadRequest, NotAllowed, NotFound, UserError
from ..review.visibility import visible
from ..safety.limits import too_often
from ..site import current_site, initial_of
from ..summaries import SystemSummary
from ..urls import page_url
from ..web import alias_redirect, flag_arg, int_arg, title_or_400, user_message
from . import cache as page_cache
from . import drafts, service
from .editor import EditForm, conflict_choices
from .special import special_url

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    """Send visitors to the main page."""
    return redirect(url_for("pages.view", title=current_site().main_page.replace(" ", "_")))


@bp.get("/favicon.ico", endpoint="favicon")
@bp.get("/apple-touch-icon.png", endpoint="touch_icon")
@bp.get("/apple-touch-icon-precomposed.png", endpoint="touch_icon_precomposed")
def icon():
    """Serve the icons browsers and phones ask for at the site's root: the site's own (its
    square logo, or its name's first letter), else the wiki's."""
    favicon = request.path == "/favicon.ico"
    own = icons.site_icon("favicon" if favicon else "touch")
    if own is None:
        name = "favicon.ico" if favicon else "apple-touch-icon.png"
        return send_from_directory(current_app.static_folder, name, max_age=7 * 86400)
    response = current_app.response_class(own.body, mimetype=own.media_type)
    response.set_etag(own.etag)
    # A day: a new logo reaches tabs and home screens by tomorrow.
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response.make_conditional(request)


@bp.get("/site/icon/<letter>.svg")
def site_icon(letter: str):
    """Serve the browser tab's icon for a site whose name starts with another letter than
    the B of the wiki's own icon: its first letter on the same tile."""
    if len(letter) != 1 or initial_of(letter) != letter:
        raise NotFound(_("There is no icon at this address."))
    body = render_template("pages/site_icon.svg", letter=letter)
    response = current_app.response_class(body, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=604800"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/wiki/<path:title>")
def view(title: str):
    """Show the current version of a page (or the page it redirects to), or offer to create it."""
    parsed = title_or_400(title)
    page = service.get_page(parsed)
    if page is None and (canonical := _canonical(parsed)) is not None:
        return canonical
    stable = _stable_arg()
    shown = service.shown_revision(page, current_user, stable) if page is not None else None
    if page is None or shown is None or page.deleted:
        return missing(parsed, page)
    url_title = page.title.replace(" ", "_")
    if title != url_title:
        args = {name: value for name, value in request.args.items() if name != "title"}
        return redirect(url_for("pages.view", title=url_title, **args))
    hop = redirects.follow(page)
    if hop is not None and hop.target is not None and request.args.get("redirect") != "no":
        target = hop.target.title.replace(" ", "_")
        return redirect(url_for("pages.view", title=target, redirectedfrom=url_title))
    sees_waiting = service.sees_waiting_on(page, current_user)
    if hop is None:
        page_cache.page_alone()  # a redirect's notice shows its target's state
    return render_template(
        "pages/view.html",
        view=service.render_page(page, shown),
        title=parsed,
        waiting=service.waiting_changes(page) if sees_waiting else None,
        own_waiting=None if sees_waiting else service.own_waiting_revision(page, current_user),
        stable=stable,
        hop=hop,
        redirected_from=redirects.redirected_from(page, request.args.get("redirectedfrom")),
    )


def _stable_arg() -> bool | None:
    """Return ?stable=1 (the published version) or ?stable=0 (the latest), else None."""
    raw = request.args.get("stable")
    if raw is None:
        return None
    if raw not in ("0", "1"):
        raise BadRequest(_("stable must be 1 (the published version) or 0 (the latest)."))
    return raw == "1"


def _canonical(title: Title):
    """Return a redirect from a title with an Italian namespace name ("Categoria:Ricette")
    to the wiki's own ("Category:Ricette"), or from MediaWiki's address of a special or
    talk page to this wiki's ("Special:RecentChanges" → /recent), or None. A page already
    called so stays."""
    args = {name: value for name, value in request.args.items() if name != "title"}
    if special_target(title.display) is not None:
        target = special_url(title.display, args)
        if target is None:
            message = _("This wiki has no special page called “%(name)s”.", name=title.display)
            raise NotFound(message)
        return redirect(target)
    return alias_redirect(title)


def missing(title: Title, page):
    """Answer 404: offer to create the page, or say it was deleted, by whom and why."""
    deleted = page is not None and page.deleted
    entry = organise.last_deletion(page) if deleted else None
    # Written, but not published yet: the reader sees none of it (a visitor, a new page),
    # unless a reviewer rejected it (then it waits for nothing).
    written = page is not None and not deleted and page.latest_revision_id is not None
    rejected = service.rejection(page) if written else None
    html = render_template(
        "pages/missing.html",
        title=title,
        deleted=deleted,
        entry=entry,
        waiting=written and rejected is None,
        rejected=rejected,
    )
    return html, 404


@bp.route("/edit/<path:title>", methods=["GET", "POST"])
def edit(title: str):
    """Show the editor; on POST save, preview, show the changes or apply conflict choices."""
    parsed = title_or_400(title)
    page = service.get_page(parsed)
    if page is None and (canonical := _canonical(parsed)) is not None:
        return canonical
    if request.method == "POST":
        return _submit(parsed, page)
    if page is not None and page.deleted:
        return missing(parsed, page)
    refusal = service.edit_refusal(current_user, page or parsed)
    protected = page is not None and protected_from(current_user, page.key)
    if refusal is not None and not refusal.needs_login and protected:
        return _source(page, refusal)
    raise_refusal(refusal)
    latest = service.shown_revision(page, current_user) if page else None
    text = latest.text if latest else organise.template_text(request.args.get("template")) or ""
    translation = translation_editor.context(parsed, page, request.args)
    if translation is not None and translation.new:
        text = translation.source_revision.text  # a new translation starts from the source
    form = EditForm(text, "", False, str(latest.id) if latest else "")
    draft = drafts.get_draft(current_user, parsed) if current_user.is_authenticated else None
    if draft is not None and request.args.get("draft") == "1":
        form = EditForm(draft.text, draft.summary, False, str(draft.base_revision_id or ""))
        flash(_("Your draft is restored. Saving merges it with any edits made since."), "info")
        return show_editor(parsed, page, form)
    changes = _draft_changes(draft, latest)
    return show_editor(parsed, page, form, draft=draft, draft_changes=changes)


def _source(page, refusal):
    """Show a protected page's text to someone who may not change it (MediaWiki's "View
    source"), saying why, with the way back: answered 403, as the edit is refused."""
    shown = service.shown_revision(page, current_user)
    if shown is None:
        raise NotFound(_("There is no page with this title."))
    message = _(refusal.message, **refusal.params)
    return render_template("pages/source.html", page=page, text=shown.text, why=message), 403


@bp.get("/undo/<path:title>")
def undo(title: str):
    """Open the editor with one past edit taken out of the current text."""
    parsed = title_or_400(title)
    page = service.get_page(parsed)
    if page is None or page.latest is None:
        raise NotFound(_("There is no page with this title."))
    raise_refusal(service.edit_refusal(current_user, page))
    undone = history.revision_of(page, int_arg("rev"), current_user)
    if undone.parent_id is None:
        # Undoing the creation would offer an empty page, which cannot be saved.
        flash(
            _(
                "This is the page's first version: undoing it would leave the page empty. "
                "To take the page away, delete it."
            ),
            "info",
        )
        return redirect(page_url(page.title, "history.history"))
    public_only = not service.sees_waiting_on(page, current_user)
    if public_only and page.published is None:
        raise NotFound(_("There is no page with this title."))
    result = history.undo(page, undone, public_only=public_only)
    summary = _undo_summary(undone).localised()
    if result.merge.clean and result.merge.text == result.latest.text:
        # Nothing of the edit is left in the page: an editor saying "no difference" with a
        # Save button would only make an empty edit.
        if undone.text == result.parent_text:  # a move or an upload: no text changed
            flash(_("This edit changed no text: there is nothing to undo."), "info")
        else:
            flash(_("This edit is already undone: the page has none of its changes."), "info")
        return redirect(page_url(page.title, "history.history"))
    if result.merge.clean:
        form = EditForm(
            result.merge.text,
            summary,
            False,
            str(result.latest.id),
            "undo",
            undo_of=str(undone.id),
        )
        flash(_("Check the changes below and save to undo the edit."), "info")
        changes = diff_texts(result.latest.text, result.merge.text)
        return show_editor(parsed, page, form, changes=changes)
    conflict = service.EditConflict(
        _(
            "This edit can't be undone automatically: later edits changed the same words. "
            "Choose what to keep for each passage below."
        ),
        result.latest,
        merge=result.merge,
        base_revision_id=undone.id,
        mine=result.parent_text,
    )
    form = EditForm(
        result.parent_text, summary, False, str(result.latest.id), "undo", undo_of=str(undone.id)
    )
    return show_conflict(parsed, form, conflict), 409


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
            shown = service.shown_revision(page, current_user) if page else None
            current = shown.text if shown else ""
            changes = diff_texts(current, clean_text(form.text))
            return show_editor(title, page, form, changes=changes)
        if action == "resolve" or _unresolved_conflict(form):
            return _apply_choices(title, page, form, save=action != "resolve")
        return _save(title, page, form)
    except service.EditConflict as conflict:
        if _hides_waiting(page):
            # The conflict's passages would show changes this person may not see yet.
            return show_editor(title, page, form, error=_overlaps_waiting()), 409
        return show_conflict(title, form, conflict), 409
    except UserError as error:
        return show_editor(title, page, form, error=user_message(error)), error.status


def _overlaps_waiting() -> str:
    """Return why the conflict screen is not shown to someone who may not see waiting changes."""
    if current_user.is_authenticated:
        return _(
            "Your edit overlaps changes that are waiting for review. Your text is kept "
            "below: try again once they are reviewed."
        )
    return _(
        "Your edit overlaps changes that are waiting for review. Your text is kept "
        "below: try again once they are reviewed, or log in to see them."
    )


def _hides_waiting(page) -> bool:
    """Return whether the page has changes waiting for review this person may not see."""
    return (
        page is not None
        and page.latest_revision_id != page.published_revision_id
        and not service.sees_waiting_on(page, current_user)
    )


def _edited_on_screen(form: "EditForm") -> bool:
    """Return whether the text on the conflict screen was edited by hand."""
    return bool(form.offered_sha1) and text_sha1(clean_text(form.text)) != form.offered_sha1


def _unresolved_conflict(form: "EditForm") -> bool:
    """Return whether Save was pressed on the conflict screen with its text left as offered.

    The text offered there holds the person's side of each passage; saving it as it is
    would silently drop the other side, so the choices made on the screen decide instead.
    """
    return bool(form.offered_sha1) and text_sha1(clean_text(form.text)) == form.offered_sha1


def _undo_summary(undone) -> SystemSummary:
    """Return the summary of an undo, as a message key shown in each reader's language."""
    name = undone.author.username if undone.author else None
    return SystemSummary("undo", {"id": undone.id, "name": name})


def _summary(title: Title, form: "EditForm"):
    """Return the summary to store: an undo's own, as a key, while it is left as offered."""
    undone_id = parse_natural(form.undo_of, MAX_ID) if form.kind == "undo" else None
    undone = db.session.get(Revision, undone_id) if undone_id else None
    if undone is not None and undone.page.key == title.key:
        offered = _undo_summary(undone)
        if form.summary.strip() in (offered.localised(), offered.english()):
            return offered
    return form.summary


def _save(title: Title, page, form: "EditForm"):
    """Save the edit (page: as read at the start of the request) and say what happened."""
    translation = translation_editor.context(title, page, request.form)
    # Read now: after the save's commit the page's row would be read again for its title.
    shown_title = page.title if page is not None else title.display
    result = service.save_page(
        title,
        form.text,
        author=current_user,
        summary=_summary(title, form),
        minor=form.minor,
        base_revision_id=service.parse_base_revision(form.base_revision),
        kind=RevisionKind.UNDO if form.kind == "undo" else RevisionKind.EDIT,
        author_ip=request.remote_addr,
        publish_waiting=request.form.get("publish_waiting") == "1",
        page=page,
    )
    translation_editor.after_save(
        result.page, current_user, translation, flag_arg("translation_synced", form=True)
    )
    translation_editor.after_create(result, current_user, request.form)
    waits = result.revision is not None and not result.published
    if waits and can_review(current_user) and service.waiting_changes(result.page).count > 1:
        # A reviewer's edit waits behind others' waiting changes it did not publish.
        review_url = url_for("review.page", title=result.page.title.replace(" ", "_"))
        flash(
            Markup('{} <a href="{}">{}</a>').format(
                _(
                    "Your changes were saved. They wait with the changes that were already "
                    "waiting: accept them all to publish the page."
                ),
                review_url,
                _("Review the waiting changes"),
            ),
            "info",
        )
    elif waits:
        flash(
            _(
                "Your changes were saved. They wait for a reviewer before visitors see "
                "them; you are told when they are reviewed."
            ),
            "info",
        )
    elif result.revision is None:
        flash(_nothing_saved(result.page), "info")
    elif result.created:
        flash(_("The page was created."), "success")
    elif result.merged_with is not None:
        flash(_merge_notice(result, form), "success")
    else:
        flash(_("Your changes were saved."), "success")
    return redirect(url_for("pages.view", title=shown_title.replace(" ", "_")))


def _nothing_saved(page) -> str:
    """Say why a save made no revision: nothing changed, or (live editor) someone else
    already saved the shared text, this person's typing in it."""
    latest = page.latest
    if (
        request.form.get("live") == "1"
        and latest is not None
        and latest.author_id
        not in (
            None,
            current_user.id,
        )
    ):
        return _(
            "Nothing left to save: %(name)s saved the shared text, with everyone’s typing in "
            "it, as revision %(id)s.",
            name=latest.author.username,
            id=latest.id,
        )
    return _("Nothing changed, so no new revision was saved.")


def _merge_notice(result, form: "EditForm") -> Markup:
    """Say whose edits this one was merged with, linking to the diff of the merge."""
    base = service.parse_base_revision(form.base_revision)
    authors = service.authors_between(result.page, base, result.merged_with.id)
    diff_url = url_for(
        "history.diff",
        title=result.page.title.replace(" ", "_"),
        **{"from": result.merged_with.id, "to": result.revision.id},
    )
    if all(author is not None and author.id == current_user.id for author in authors):
        said = (
            _(
                "You had saved this page since you opened the editor (in another tab or "
                "window?). Where your saves differed, this newer text was kept."
            )
            if result.own_passages
            else _(
                "You had saved this page since you opened the editor (in another tab or "
                "window?). Both of your edits are on the page."
            )
        )
    else:
        others = [a for a in authors if a is None or a.id != current_user.id]
        names = [author.username if author else _("anonymous") for author in others]
        said = _(
            "Someone saved while you were editing (%(names)s). Your edit was merged with "
            "theirs: both changes are on the page.",
            names=", ".join(names),
        )
        if result.own_passages:
            said += " " + _(
                "Where it differed from your own save since you opened the editor, this "
                "newer text was kept."
            )
    return Markup('{} <a href="{}">{}</a>').format(said, diff_url, _("See what your edit changed"))


def show_conflict(
    title: Title,
    form: "EditForm",
    conflict,
    *,
    message: str | None = None,
    notice: str | None = None,
    decided: dict[int, str] | None = None,
    typed: bool = False,
):
    """Show the conflict: each passage both sides changed and not decided yet, and the editor
    with the text kept: the decided passages' choices applied and the person's version of
    the others (typed: the text as the person edited it). notice replaces the error."""
    if conflict.merge is None:
        return show_editor(title, service.get_page(title), form, error=user_message(conflict))
    if current_user.is_authenticated:
        try:
            drafts.save_draft(
                current_user, title, form.text, form.summary, conflict.base_revision_id
            )
        except UserError:
            pass  # the conflict screen below keeps the text; a draft is a second copy
    theirs, merge, decided = conflict.latest, conflict.merge, decided or {}
    offered = merge.resolve([decided.get(n, "mine") for n in range(len(merge.conflicts))])
    keep = EditForm(
        form.text if typed else offered,
        form.summary,
        form.minor,
        str(theirs.id),
        form.kind,
        undo_of=form.undo_of,
    )
    passages = service.conflict_passages(merge)
    return show_editor(
        title,
        service.get_page(title),
        keep,
        error=None if notice else message or user_message(conflict),
        notice=notice,
        conflict={
            "passages": [passage for passage in passages if passage.number not in decided],
            "decided": decided,
            "merge_base": conflict.base_revision_id or "",
            "mine": form.mine if form.mine is not None else form.text,
            "theirs": theirs,
            "offered_sha1": text_sha1(offered),
            "chosen": conflict_choices(request.form) if request.method == "POST" else {},
        },
    )


def _apply_choices(title: Title, page, form: "EditForm", *, save: bool):
    """Apply the conflict screen's choices: Save with every passage decided saves the result;
    Apply shows it to check. Passages still undecided are asked again, the others are not."""
    if _hides_waiting(page):  # the passages would show what this person may not see
        return show_editor(title, page, form, error=_overlaps_waiting()), 409
    resolution, conflict = _resolve(page, form)
    if not save and _edited_on_screen(form):
        message = _(
            "You edited the text yourself, so your choices were not applied: that would "
            "undo your edits. Save the text as it is, or make the choices by editing it."
        )
        applied = conflict_choices(request.form, "decided-")
        return show_conflict(
            title, form, conflict, message=message, decided=applied, typed=True
        ), 409
    if resolution.unchosen:
        if save:
            return show_conflict(title, form, conflict, decided=resolution.chosen), 409
        notice = _(
            "Your choices are applied to the text below. Choose a version for each passage "
            "still shown, then save."
        )
        return show_conflict(title, form, conflict, notice=notice, decided=resolution.chosen)
    resolved = EditForm(
        resolution.text, form.summary, form.minor, form.base_revision, form.kind,
        undo_of=form.undo_of,
    )  # fmt: skip
    if save:
        return _save(title, page, resolved)
    notice = _("Your choices are applied below. Check the text, then save.")
    changes = diff_texts(page.latest.text, resolution.text)
    return show_editor(title, page, resolved, notice=notice, changes=changes)


def _resolve(page, form: "EditForm"):
    """Redo the conflicted merge with the choices posted (those applied to the text shown
    already, "decided-N", and those made on the screen); return it and its conflict."""
    if page is None:
        raise NotFound(_("There is no page with this title."))
    theirs = service.parse_base_revision(form.base_revision)
    merge_base = service.parse_base_revision(request.form.get("merge_base", ""))
    if theirs is None:
        raise BadRequest(_("The form is damaged: the revision it was opened on is missing."))
    for revision_id in (theirs, merge_base):
        # Named by the form: a rejected (or waiting) revision's words are not for everyone.
        if revision_id and not visible(db.session.get(Revision, revision_id), current_user):
            raise BadRequest(_("The form is damaged: the revision it was opened on is missing."))
    choices = conflict_choices(request.form, "decided-") | conflict_choices(request.form)
    resolution = service.resolve_conflict(
        page, merge_base, theirs, form.mine or "", choices, request.form.get("choice-all")
    )
    conflict = service.EditConflict(
        _("Choose which version to keep for each passage (or edit the text), then save."),
        service.base_revision(page, theirs),
        merge=resolution.merge,
        base_revision_id=merge_base,
    )
    return resolution, conflict


def _preview(text: str):
    """Return the rendered preview of the text, or an error message if it can't render."""
    try:
        return service.preview(text)
    except UserError as error:
        return {"error": user_message(error)}


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
        undo_of=form.undo_of,
        translation=translation_editor.context(title, page, request.values),
        # Visitors may edit an open wiki without an account, but not upload: no drop zone.
        may_upload=upload_refusal(current_user) is None,
        **extra,
    )


@bp.post("/draft/<path:title>")
def save_draft(title: str):
    """Autosave the editor's text as the person's draft (called by the editor's script)."""
    parsed = title_or_400(title)
    if not current_user.is_authenticated or not service.can_edit(current_user, parsed):
        raise NotAllowed(_("Log in to keep drafts."))
    form = EditForm.from_request()
    base = service.parse_base_revision(form.base_revision)
    draft = drafts.save_draft(current_user, parsed, form.text, form.summary, base)
    return jsonify(saved_at=draft.updated_at.isoformat(), message=_("Draft saved"))


@bp.post("/draft/<path:title>/discard")
def discard_draft(title: str):
    """Throw away the person's draft of a page."""
    parsed = title_or_400(title)
    if current_user.is_authenticated:
        drafts.discard_draft(current_user, parsed)
        flash(_("The draft was discarded."), "info")
    return redirect(url_for("pages.edit", title=title))


def _editor_kept(message: str, status: int, headers: dict | None = None):
    """Answer a refused save with the editor showing the posted text, when there is one."""
    if request.endpoint == "pages.edit" and request.method == "POST":
        try:
            parsed = title_or_400(request.view_args["title"])
        except Exception:
            parsed = None  # the address itself is invalid: there is no editor to show
        if parsed is not None:
            page = service.get_page(parsed)
            return (
                show_editor(parsed, page, EditForm.from_request(), error=message),
                status,
                headers,
            )
    return errors.error_response(status, message, headers)


@bp.errorhandler(CSRFError)
def csrf_failed(_error: CSRFError):
    """Keep the editor's text when its form fails the CSRF check (e.g. an expired session)."""
    return _editor_kept(_(errors.CSRF_MESSAGE), 400)


@bp.errorhandler(TooManyRequests)
def too_many(_error: TooManyRequests):
    """Keep the editor's text when the person saves or previews too often."""
    message, headers = too_often()
    return _editor_kept(message, 429, headers)
