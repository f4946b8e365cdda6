"""Reviewing waiting changes: the /review list and each page's review screen."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..core.titles import title_key
from ..files import reading
from ..pages import service as pages
from ..problems import BadRequest, UserError
from ..renderer import RenderError
from ..web import choice_arg, flag_arg, int_arg, page_arg, title_or_400, user_message
from . import publishing, queue, scheduling

bp = Blueprint("review", __name__)


@bp.get("/review")
def waiting():
    """List the pages with changes waiting for review, oldest first."""
    publishing.require_reviewer(current_user)
    filters = queue.Filters(
        category=request.args.get("category", "").strip()[:200],
        author=request.args.get("author", "").strip()[:64],
        age=int(choice_arg("age", ["0", *map(str, queue.AGES)], "0")),
    )
    page = page_arg()
    rows, more = queue.queue(filters, page)
    return render_template(
        "review/list.html", rows=rows, more=more, page=page, filters=filters, ages=queue.AGES
    )


@bp.get("/review/<path:title>")
def page(title: str):
    """Show a page's waiting changes: the diff from the published version, with authors."""
    publishing.require_reviewer(current_user)
    found = publishing.get_page_or_404(title_or_400(title))
    review = queue.pending(found)
    return render_template("review/page.html", review=review, files=_files_waiting(review.shown))


@bp.post("/review/<path:title>")
def decide(title: str):
    """Accept (publish up to the revision shown) or reject (with a reason) the changes."""
    publishing.require_reviewer(current_user)
    found = publishing.get_page_or_404(title_or_400(title))
    action = choice_arg("action", ["accept", "reject", "schedule"], "", form=True)
    if not action:
        raise BadRequest(_("Choose Accept or Reject."))
    shown = int_arg("revision", form=True)
    published_files = 0
    try:
        if action == "schedule":
            moment = scheduling.parse_moment(request.form.get("publish_at"))
            scheduling.schedule(current_user, found, shown, moment)
            flash(_("The changes will be published at the time you chose."), "success")
            return redirect(url_for("review.page", title=found.title.replace(" ", "_")))
        if action == "accept":
            with_files = flag_arg("with_files", form=True)
            files = _files_waiting(found.latest) if with_files else []
            outcome = publishing.accept(current_user, found, shown)
            published_files = _publish_files(files)
        else:
            outcome = publishing.reject(current_user, found, shown, request.form.get("reason"))
    except UserError as error:
        review = queue.pending(found)
        page_html = render_template(
            "review/page.html",
            review=review,
            files=_files_waiting(review.shown),
            error=user_message(error),
            reason=request.form.get("reason", ""),
            publish_at=request.form.get("publish_at", ""),
        )
        return page_html, error.status
    done = (
        _("The changes are published.") if action == "accept" else _("The changes are rejected.")
    )
    if published_files:
        done += " " + ngettext(
            "The file it shows is published too.",
            "The %(num)s files it shows are published too.",
            published_files,
        )
    flash(done, "success")
    if outcome.still_waiting:
        # The reviewer goes on with the same page: what is left waits on its screen.
        flash(_("Later edits still wait for review."), "info")
        return redirect(url_for("review.page", title=found.title.replace(" ", "_")))
    return redirect(url_for("review.waiting"))


def _publish_files(files) -> int:
    """Publish the latest version of each file a page shows; return how many were (one
    another reviewer published meanwhile is left as it is)."""
    published = 0
    for file_page in files:
        try:
            publishing.accept(current_user, file_page, file_page.latest_revision_id)
        except UserError:
            continue
        published += 1
    return published


def _files_waiting(shown) -> list:
    """Return the files a waiting revision's text shows or links whose own changes wait
    for review (none when nothing waits).

    The page's links are recorded when it is published, so the waiting text is rendered
    (as accepting it does) to know what it shows."""
    if shown is None:
        return []
    try:
        rendered = pages.render_text(shown.text)
    except RenderError:
        return []
    return reading.files_waiting_among(title_key(target) for target in rendered.links)
