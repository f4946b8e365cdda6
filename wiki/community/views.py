"""Recent changes, the watchlist, notifications, the community page and page information."""

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..core.text import clean_text
from ..identity import find_user
from ..pages.service import sees_waiting
from ..problems import NotAllowed, NotFound
from ..urls import page_url, return_path
from ..web import flag_arg, int_arg, wants_fragment
from .credits import pageinfo, profiles, stats
from .credits.activity import weekly_chart
from .recent.changes import changes, parse_cursor
from .recent.requests import back_to, existing_page, filters_from_request, text_arg
from .watch import mail, notifications, watching

bp = Blueprint("community", __name__)


def login_first():
    """Send an anonymous visitor to the login form, then back here."""
    flash(_("Please log in to see this page."), "info")
    return redirect(url_for("people.login", next=return_path()))


@bp.get("/recent")
def recent():
    """List the latest edits and talk activity across the wiki, grouped by day."""
    name = text_arg("user")
    person = find_user(name) if name else None
    unknown = _("There is no user called “%(name)s”.", name=name) if name and not person else ""
    filters = filters_from_request(user_id=person.id if person else (0 if name else None))
    shown = changes(filters, viewer=current_user, before=parse_cursor(request.args.get("before")))
    return render_template(
        "community/recent.html", changes=shown, filters=filters, user_name=name, error=unknown
    )


@bp.get("/watchlist")
def watchlist():
    """List the latest changes to the pages one watches and their talk pages."""
    if not current_user.is_authenticated:
        return login_first()
    filters = filters_from_request(watcher_id=current_user.id)
    shown = changes(filters, viewer=current_user, before=parse_cursor(request.args.get("before")))
    return render_template("community/watchlist.html", changes=shown, filters=filters)


@bp.get("/watchlist/pages")
def watched_pages():
    """List the pages one watches, alphabetically, each with a button to stop watching."""
    if not current_user.is_authenticated:
        return login_first()
    shown = watching.watched_pages(current_user, after=text_arg("after") or None)
    return render_template("community/watched_pages.html", watched=shown)


@bp.post("/<any(watch, unwatch):action>/<path:title>")
def watch(action: str, title: str):
    """Start or stop watching a page, then go back where the button was."""
    page = existing_page(title)
    if action == "watch":
        watching.watch(current_user, page)
        flash(_("You are watching “%(title)s” now.", title=page.title), "success")
    else:
        watching.unwatch(current_user, page)
        flash(_("You no longer watch “%(title)s”.", title=page.title), "success")
    return redirect(back_to(page_url(page.title)))


@bp.get("/notifications", endpoint="notifications")
def notifications_list():
    """List one's notifications, newest first, grouping runs of edits to one page."""
    if not current_user.is_authenticated:
        return login_first()
    unread = flag_arg("unread")
    shown = notifications.list_items(current_user, before=int_arg("before"), unread_only=unread)
    return render_template(
        "community/notifications.html", shown=shown, unread_only=unread, email_on=mail.enabled()
    )


def _answer_marked(message: str):
    """Answer notifications.js with the new count, or a form with a redirect."""
    if wants_fragment():
        unread = notifications.unread_count(current_user)
        label = (
            ngettext("Notifications, %(num)s unread", "Notifications, %(num)s unread", unread)
            if unread
            else _("Notifications")
        )
        return jsonify(unread=unread, label=label)
    flash(message, "success")
    return redirect(back_to(url_for("community.notifications")))


@bp.post("/notifications/<int:notification_id>/read")
def mark_read(notification_id: int):
    """Mark one notification (or group) as read."""
    if not current_user.is_authenticated:
        raise NotAllowed(_("Please log in to see this page."))
    if not notifications.mark_read(current_user, notification_id):
        raise NotFound(_("There is no such notification."))
    return _answer_marked(_("Marked as read."))


@bp.post("/notifications/read-all")
def mark_all_read():
    """Mark all one's notifications as read."""
    if not current_user.is_authenticated:
        raise NotAllowed(_("Please log in to see this page."))
    notifications.mark_all_read(current_user)
    return _answer_marked(_("All notifications are marked as read."))


@bp.get("/community")
def community():
    """Show what the community is doing: top contributors, discussions, new and busy pages."""
    return render_template("community/community.html", community=stats.community(current_user))


@bp.get("/info/<path:title>")
def info(title: str):
    """Show a page's credits: contributors, watchers, talk activity, edits over time."""
    page = existing_page(title)
    if title != page.title.replace(" ", "_"):
        return redirect(page_url(page.title, "community.info"))
    shown = pageinfo.page_info(page, public_only=not sees_waiting(current_user))
    chart = weekly_chart(
        shown.per_day,
        title=_("Edits per week to %(title)s over the last year", title=page.title),
        ident="page-activity",
    )
    return render_template(
        "community/info.html",
        info=shown,
        chart=chart,
        watching=watching.is_watching(current_user, page.id),
    )


@bp.get("/user/<name>")
def profile(name: str):
    """Show a person's profile: who they are, what they did, their contributions."""
    user = find_user(clean_text(name))
    if user is None:
        raise NotFound(_("There is no user with this name."))
    shown = profiles.profile_page(
        user,
        viewer=current_user,
        filters=filters_from_request(days=None),
        before=parse_cursor(request.args.get("before")),
    )
    chart = weekly_chart(
        shown.per_day,
        title=_("Edits per week by %(name)s over the last year", name=user.username),
        ident="profile-activity",
    )
    return render_template("community/profile.html", profile=shown, chart=chart)
