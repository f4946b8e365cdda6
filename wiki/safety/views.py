"""The moderation log, page protection, password resets and one's own account security."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.security import check_password_hash

from ..access.permissions import is_moderator
from ..core.titles import Title
from ..database import write_transaction
from ..extensions import db
from ..files import reading as file_reading
from ..identity import AccountError, check_password, hash_password, user_key
from ..pages import service as pages
from ..problems import BadRequest, NotAllowed, UserError
from ..review import settings as review_settings
from ..urls import return_path
from ..web import int_arg, title_or_400, user_message
from . import accounts, protection, sessions
from . import log as moderation_log
from .durations import DURATIONS

bp = Blueprint("safety", __name__)


def login_first():
    """Send an anonymous visitor to log in, then back here."""
    return redirect(url_for("people.login", next=return_path()))


@bp.get("/log")
def log():
    """Show the moderation log, newest first, filtered by action, person or target."""
    filters = {
        "action": request.args.get("action", "").strip()[:32],
        "actor": request.args.get("actor", "").strip()[:64],
        "target": request.args.get("target", "").strip()[:200],
    }
    if filters["action"] and filters["action"] not in moderation_log.ACTIONS:
        raise BadRequest(_("Choose an action from the list."))
    if not moderation_log.can_read_log(current_user) and not current_user.is_authenticated:
        return login_first()
    shown = moderation_log.read_log(current_user, before=int_arg("before"), **filters)
    if not pages.sees_waiting(current_user):
        shown.entries = _without_waiting_uploads(shown.entries)
    return render_template(
        "safety/log.html",
        log=shown,
        filters=filters,
        actions=moderation_log.ACTIONS,
        choices=moderation_log.actions_for(current_user),
        reason_text=moderation_log.reason_text,
        setting_change=moderation_log.setting_change,
        webhook_changes=moderation_log.WEBHOOK_CHANGES,
    )


def _without_waiting_uploads(entries: list) -> list:
    """Leave out uploads still waiting for review: their files are not shown to this reader
    yet, and neither is their name here."""
    uploads = {
        entry.id: entry.facts.get("version")
        for entry in entries
        if entry.action in ("upload", "revert_file")
    }
    shown = file_reading.published_versions(v for v in uploads.values() if isinstance(v, int))
    return [entry for entry in entries if entry.id not in uploads or uploads[entry.id] in shown]


@bp.route("/protect/<path:title>", methods=["GET", "POST"])
def protect(title: str):
    """Show a page's protection and change it (moderators)."""
    parsed = title_or_400(title)
    if not is_moderator(current_user):
        raise NotAllowed(
            _("Only moderators can protect pages."),
            needs_login=not current_user.is_authenticated,
        )
    form = {key: request.form.get(key, "") for key in ("level", "duration", "reason")}
    if request.method == "POST":
        try:
            message = _change_protection(parsed, form)
        except UserError as error:
            return _protect_page(parsed, form, error=user_message(error)), error.status
        flash(message, "success")
        return redirect(url_for("safety.protect", title=parsed.url))
    return _protect_page(parsed, form)


def _change_protection(title: Title, form: dict) -> str:
    """Protect, unprotect or set the review policy as the form asks; return what was done."""
    if request.form.get("action") == "review_policy":
        review_settings.set_page_policy(current_user, title, request.form.get("review_policy", ""))
        return _("The page's review policy is saved.")
    if request.form.get("action") == "unprotect":
        if protection.unprotect(current_user, title, form["reason"]):
            return _("The protection is lifted: everyone allowed to edit may edit the page.")
        return _("The page was not protected.")
    protection.protect(current_user, title, form["level"], form["duration"], form["reason"])
    return _("The page is protected.")


def _protect_page(title: Title, form: dict, **extra):
    """Render the protection form, under the page's tabs (a title without a page may be
    protected too, against its creation)."""
    page = pages.get_page(title)
    exists = page is not None and page.latest_revision_id is not None and not page.deleted
    return render_template(
        "safety/protect.html",
        title=title,
        shown_title=page.title if exists else title.display,
        page_exists=exists,
        current=protection.current(title),
        form=form,
        levels=protection.LEVELS,
        durations=DURATIONS,
        review_policy=review_settings.page_policy(title.key) or "site",
        review_policies=review_settings.POLICIES,
        review=review_settings.current_settings(),
        **extra,
    )


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password with a one-time link an administrator gave."""
    link = accounts.find_link("reset", token)
    if request.method == "POST":
        try:
            accounts.reset_password(
                token, request.form.get("password", ""), request.form.get("confirm", "")
            )
        except AccountError as error:
            page = render_template("safety/reset.html", user=link.user, error=user_message(error))
            return page, error.status
        logout_user()
        session.clear()
        flash(_("Your new password is set. Log in with it."), "success")
        return redirect(url_for("people.login"))
    return render_template("safety/reset.html", user=link.user)


@bp.get("/account")
def account():
    """Show one's account security: change the password, log out everywhere."""
    if not current_user.is_authenticated:
        return login_first()
    return render_template("safety/account.html", live=sessions.count_live(current_user))


@bp.post("/account/password")
def change_password():
    """Change one's password; every other session of the account ends."""
    if not current_user.is_authenticated:
        return login_first()
    key, address = user_key(current_user.username), request.remote_addr or ""
    throttled = sessions.reserve_attempt(key, address)
    if throttled is not None:
        return _account_page(throttled.message), 429, {"Retry-After": str(throttled.retry_after)}
    if not check_password_hash(current_user.password_hash, request.form.get("current", "")):
        return _account_page(_("Your current password is not right.")), 400
    sessions.record_success(key, address)
    new, confirm = request.form.get("password", ""), request.form.get("confirm", "")
    try:
        check_password(new, confirm, current_user.username)
    except AccountError as error:
        return _account_page(user_message(error)), error.status
    with write_transaction():
        user = db.session.merge(current_user._get_current_object())
        user.password_hash = hash_password(new)
    ended = sessions.end_all(current_user, keep_current=True)
    flash(
        _(
            "Your password is changed. Your other sessions (%(count)s) are logged out.",
            count=ended,
        ),
        "success",
    )
    return redirect(url_for("safety.account"))


def _account_page(error: str):
    """Render the account page with an error."""
    return render_template(
        "safety/account.html", live=sessions.count_live(current_user), error=error
    )


@bp.post("/account/logout-everywhere")
def logout_everywhere():
    """End every session of one's account, on every device, this one included."""
    if current_user.is_authenticated:
        sessions.end_all(current_user)
    logout_user()
    session.clear()
    flash(_("You are logged out everywhere."), "info")
    return redirect(url_for("pages.home"))
