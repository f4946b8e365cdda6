"""Reviewing waiting changes: the /review list and each page's review screen."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..problems import BadRequest, UserError
from ..web import choice_arg, int_arg, page_arg, title_or_400, user_message
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
    return render_template("review/page.html", review=queue.pending(found))


@bp.post("/review/<path:title>")
def decide(title: str):
    """Accept (publish up to the revision shown) or reject (with a reason) the changes."""
    publishing.require_reviewer(current_user)
    found = publishing.get_page_or_404(title_or_400(title))
    action = choice_arg("action", ["accept", "reject", "schedule"], "", form=True)
    if not action:
        raise BadRequest(_("Choose Accept or Reject."))
    shown = int_arg("revision", form=True)
    try:
        if action == "schedule":
            moment = scheduling.parse_moment(request.form.get("publish_at"))
            scheduling.schedule(current_user, found, shown, moment)
            flash(_("The changes will be published at the time you chose."), "success")
            return redirect(url_for("review.page", title=found.title.replace(" ", "_")))
        if action == "accept":
            outcome = publishing.accept(current_user, found, shown)
        else:
            outcome = publishing.reject(current_user, found, shown, request.form.get("reason"))
    except UserError as error:
        review = queue.pending(found)
        page_html = render_template(
            "review/page.html",
            review=review,
            error=user_message(error),
            reason=request.form.get("reason", ""),
            publish_at=request.form.get("publish_at", ""),
        )
        return page_html, error.status
    done = (
        _("The changes are published.") if action == "accept" else _("The changes are rejected.")
    )
    if outcome.still_waiting:
        done += " " + _("Later edits still wait for review.")
    flash(done, "success")
    return redirect(url_for("review.waiting"))
