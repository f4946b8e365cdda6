"""What links here, special lists, categories, and the move, delete and undelete forms.

Also two app-wide hooks: template helpers the page templates use (categories, tabs,
templates for new pages), and `hide_deleted_pages`, which keeps the history and talk of a
deleted page from everyone but moderators without the history and talk views knowing.
"""

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..access.permissions import edit_refusal
from ..core.titles import Title, TitleError, parse_title
from ..memo import page_scope, until_changed
from ..pages import service as pages
from ..pages.cache import not_page_alone
from ..problems import BadRequest, NotAllowed, NotFound, UserError
from ..site import current_site
from ..urls import page_url
from ..web import follow_alias, page_arg, title_or_400, user_message
from . import deletion, moves, service

bp = Blueprint("organise", __name__)

#: The views that show a page's history, talk or information, hidden with the page when it
#: is deleted (they find the page by title or revision, and know nothing of deletion).
_KEPT_FOR_MODERATORS = ("history.", "talk.", "community.info")


@bp.before_app_request
def hide_deleted_pages():
    """Answer 404 for the history and talk of a deleted page, except to moderators."""
    endpoint = request.endpoint or ""
    args = request.view_args or {}
    if not endpoint.startswith(_KEPT_FOR_MODERATORS):
        return None
    if "title" in args:
        deleted = service.is_deleted(service.from_key(args["title"]) or "")
    elif "revision_id" in args:
        deleted = service.revision_is_deleted(args["revision_id"])
    else:
        return None
    if deleted and not deletion.may_delete(current_user):
        raise NotFound(_("This page was deleted."))
    return None


# --- Helpers for the page templates ---------------------------------------------------------


@bp.app_template_global()
def page_categories(page) -> list[service.CategoryLink]:
    """Return the categories a page is in, for the list at its bottom."""
    # A category page made or deleted is a change of the base (wiki.memo).
    return until_changed(
        "categories", page.id, lambda: service.page_categories(page), page_scope(page.key)
    )


@bp.app_template_global()
def category_listing(key: str) -> service.Listing | None:
    """Return the members of the category whose page has this key (None if not a category)."""
    if not service.is_category(key):
        return None
    not_page_alone()  # its members come and go with edits of other pages
    return service.category_members(key, service.from_key(request.args.get("from")))


@bp.app_template_global()
def may_moderate_pages() -> bool:
    """Return whether the person may delete and undelete pages (and see deleted ones)."""
    return deletion.may_delete(current_user)


@bp.app_template_global()
def page_templates() -> list:
    """Return the templates a new page can start from."""
    return service.page_templates()


@bp.app_template_global()
def organise_tabs(title: str, page_exists: bool = True) -> list[dict]:
    """Return the page tabs for moving and deleting that this person may use (What links
    here, shown to everyone, is drawn with the other tabs: templates/macros.html)."""
    tabs = []
    if page_exists and moves.may_move(current_user):
        tabs.append({"name": "move", "label": _("Move"), "url": page_url(title, "organise.move")})
    if page_exists and deletion.may_delete(current_user):
        tabs.append(
            {"name": "delete", "label": _("Delete"), "url": page_url(title, "organise.delete")}
        )
    return tabs


# --- Lists -----------------------------------------------------------------------------------


@bp.get("/links/<path:title>")
def links(title: str):
    """List the pages that link to a page, and the redirects to it."""
    parsed = title_or_400(title)
    found = service.backlinks(parsed.key, service.from_key(request.args.get("from")))
    page = pages.get_page(parsed)
    exists = page is not None and page.latest is not None and not page.deleted
    if page is None:
        follow_alias(parsed)
    return render_template("organise/links.html", title=parsed, found=found, exists=exists)


@bp.get("/special/all")
def all_pages():
    """List all pages alphabetically, subpages under their parents."""
    listing = service.all_pages(service.from_key(request.args.get("from")))
    return render_template("organise/all.html", listing=listing)


@bp.get("/special/random")
def random_page():
    """Go to a page picked at random (the main page on a wiki without any)."""
    page = service.random_page()
    target = page.title if page is not None else current_site().main_page
    response = redirect(page_url(target))
    response.headers["Cache-Control"] = "no-store"  # another page at each visit
    return response


@bp.get("/special/wanted")
def wanted():
    """List the missing pages that the most pages link to."""
    number = page_arg()
    found, more = service.wanted(number)
    return render_template("organise/wanted.html", found=found, more=more, number=number)


@bp.get("/special/orphaned")
def orphaned():
    """List the pages no other page links to."""
    listing = service.orphaned(service.from_key(request.args.get("from")))
    return render_template("organise/orphaned.html", listing=listing)


@bp.get("/category/<path:name>")
def category(name: str):
    """Go to a category's page, where its description and members are."""
    title = service.category_page_title(name)
    if title is None:
        raise BadRequest(_("This is not a valid category name."))
    return redirect(page_url(title.display))


# --- Moving and deleting ------------------------------------------------------------------------


def _page_or_404(title: str, *, deleted: bool = False):
    """Return the page a URL names, or answer 404 (deleted: the page must be a deleted one)."""
    parsed = title_or_400(title)
    page = pages.get_page(parsed)
    if page is None or page.latest is None or page.deleted != deleted:
        raise NotFound(_("There is no page with this title."))
    return parsed, page


def _needs(allowed: bool, message: str) -> None:
    """Refuse unless allowed (asking a visitor without an account to log in first)."""
    if not allowed:
        anonymous = not current_user.is_authenticated
        raise NotAllowed(
            _("Please log in first.") if anonymous else message, needs_login=anonymous
        )


@bp.route("/move/<path:title>", methods=["GET", "POST"])
def move(title: str):
    """Show the form to move a page; on POST move it and show it at its new title."""
    parsed, page = _page_or_404(title)
    # Say why: a protection, a block or the review policy, as the editor would.
    blocked = edit_refusal(current_user, page) if current_user.is_authenticated else None
    refused = (
        _(blocked.message, **blocked.params)
        if blocked is not None
        else _(moves.NOT_TRUSTED_TO_MOVE)
        if current_user.is_authenticated and not moves.trusted_to_move(current_user, page)
        else _("You may not move this page.")
    )
    _needs(moves.may_move(current_user, page), refused)
    error, status = None, 200
    if request.method == "POST":
        try:
            result = _move_as_posted(parsed)
        except UserError as problem:
            error, status = user_message(problem), problem.status
        else:
            flash(_moved(result), "success")
            return redirect(page_url(result.page.title))
    # Both boxes start ticked (as MediaWiki's); a form shown again keeps what was chosen.
    posted = request.method == "POST"
    return render_template(
        "organise/move.html",
        page=page,
        error=error,
        new_title=request.form.get("new_title", page.title),
        reason=request.form.get("reason", ""),
        subpages=moves.subpage_count(page),
        move_subpages=not posted or request.form.get("move_subpages") == "1",
        leave_redirect=not posted or request.form.get("leave_redirect") == "1",
        may_skip_redirect=moves.may_skip_redirect(current_user),
    ), status


def _moved(result: moves.MoveResult) -> str:
    """Return the confirmation of a move, saying how many subpages moved with the page."""
    old, new = result.old_title, result.page.title
    if not result.subpages:
        return _("“%(old)s” was moved to “%(new)s”.", old=old, new=new)
    return ngettext(
        "“%(old)s” and its %(num)s subpage were moved to “%(new)s”.",
        "“%(old)s” and its %(num)s subpages were moved to “%(new)s”.",
        len(result.subpages),
        old=old,
        new=new,
    )


def _move_as_posted(title: Title) -> moves.MoveResult:
    """Move the page as the form asks (only moderators can choose to leave no redirect)."""
    form = request.form
    try:
        new_title = parse_title(form.get("new_title", ""))
    except TitleError as problem:
        raise BadRequest(str(problem)) from problem
    skip_allowed = moves.may_skip_redirect(current_user)
    return moves.move_page(
        title,
        new_title,
        user=current_user,
        reason=form.get("reason", ""),
        leave_redirect=form.get("leave_redirect") == "1" or not skip_allowed,
        move_subpages=form.get("move_subpages") == "1",
    )


@bp.route("/delete/<path:title>", methods=["GET", "POST"])
def delete(title: str):
    """Show the form to delete a page (moderators); on POST delete it."""
    parsed, page = _page_or_404(title)
    _needs(deletion.may_delete(current_user), _("Only moderators can delete pages."))
    error, status = None, 200
    if request.method == "POST":
        try:
            deletion.delete_page(parsed, user=current_user, reason=request.form.get("reason", ""))
        except UserError as problem:
            error, status = user_message(problem), problem.status
        else:
            flash(_("The page “%(title)s” was deleted.", title=page.title), "success")
            return redirect(page_url(page.title))
    return render_template(
        "organise/delete.html",
        page=page,
        error=error,
        reason=request.form.get("reason", ""),
        backlinks=service.backlinks(page.key, None, limit=10),
        revisions=service.revision_count(page),
    ), status


@bp.route("/undelete/<path:title>", methods=["GET", "POST"])
def undelete(title: str):
    """Show a deleted page's deletion and the form to undelete it (moderators)."""
    parsed, page = _page_or_404(title, deleted=True)
    _needs(deletion.may_delete(current_user), _("Only moderators can undelete pages."))
    error, status = None, 200
    if request.method == "POST":
        try:
            deletion.undelete_page(
                parsed, user=current_user, reason=request.form.get("reason", "")
            )
        except UserError as problem:
            error, status = user_message(problem), problem.status
        else:
            flash(_("The page “%(title)s” was undeleted.", title=page.title), "success")
            return redirect(page_url(page.title))
    return render_template(
        "organise/undelete.html",
        page=page,
        error=error,
        entry=service.last_deletion(page),
        revisions=service.revision_count(page),
    ), status
