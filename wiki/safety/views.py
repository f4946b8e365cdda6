"""The moderation log, page protection, password resets and one's own account security."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.titles import Title
from ..database import write_transaction
from ..extensions import db
from ..pages.views import title_or_400
from ..people.service import AccountError, check_password, user_key
from . import accounts, protection, sessions
from . import log as moderation_log
from .durations import DURATIONS
from .errors import SafetyError

bp = Blueprint("safety", __name__)


def refuse(error: SafetyError):
    """Answer a refused action with its status and message."""
    abort(error.status, description=_(error.message, **error.params))


def login_first():
    """Send an anonymous visitor to log in, then back here."""
    return redirect(url_for("people.login", next=request.full_path))


def int_arg(name: str) -> int | None:
    """Return a query argument as a positive number, None if absent, or answer 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        abort(400, description=_("“%(name)s” must be a whole number.", name=name))
    return int(raw)


@bp.get("/log")
def log():
    """Show the moderation log, newest first, filtered by action, person or target."""
    filters = {
        "action": request.args.get("action", "").strip()[:32],
        "actor": request.args.get("actor", "").strip()[:64],
        "target": request.args.get("target", "").strip()[:200],
    }
    if filters["action"] and filters["action"] not in moderation_log.ACTIONS:
        abort(400, description=_("Choose an action from the list."))
    if not moderation_log.can_read_log(current_user) and not current_user.is_authenticated:
        return login_first()
    try:
        shown = moderation_log.read_log(current_user, before=int_arg("before"), **filters)
    except SafetyError as error:
        refuse(error)
    return render_template(
        "safety/log.html",
        log=shown,
        filters=filters,
        actions=moderation_log.ACTIONS,
        choices=moderation_log.actions_for(current_user),
    )


@bp.route("/protect/<path:title>", methods=["GET", "POST"])
def protect(title: str):
    """Show a page's protection and change it (moderators)."""
    parsed = title_or_400(title)
    if not current_user.is_authenticated:
        return login_first()
    if not accounts.is_moderator(current_user):
        abort(403, description=_("Only moderators can protect pages."))
    form = {key: request.form.get(key, "") for key in ("level", "duration", "reason")}
    if request.method == "POST":
        try:
            message = _change_protection(parsed, form)
        except SafetyError as error:
            return _protect_page(parsed, form, error=_(error.message, **error.params)), 400
        flash(message, "success")
        return redirect(url_for("safety.protect", title=parsed.url))
    return _protect_page(parsed, form)


def _change_protection(title: Title, form: dict) -> str:
    """Protect or unprotect as the form asks; return what was done."""
    if request.form.get("action") == "unprotect":
        if protection.unprotect(current_user, title, form["reason"]):
            return _("The protection is lifted: everyone allowed to edit may edit the page.")
        return _("The page was not protected.")
    protection.protect(current_user, title, form["level"], form["duration"], form["reason"])
    return _("The page is protected.")


def _protect_page(title: Title, form: dict, **extra):
    """Render the protection form."""
    return render_template(
        "safety/protect.html",
        title=title,
        current=protection.current(title),
        form=form,
        levels=protection.LEVELS,
        durations=DURATIONS,
        **extra,
    )


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password with a one-time link an administrator gave."""
    try:
        link = accounts.find_link("reset", token)
    except SafetyError as error:
        refuse(error)
    if request.method == "POST":
        try:
            accounts.reset_password(
                token, request.form.get("password", ""), request.form.get("confirm", "")
            )
        except SafetyError as error:
            refuse(error)
        except AccountError as error:
            message = _(error.message, **error.params)
            return render_template("safety/reset.html", user=link.user, error=message), 400
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
    throttled = sessions.check_login(key, address)
    if throttled is not None:
        error = _(throttled.message, **throttled.params)
        return _account_page(error), 429, {"Retry-After": str(throttled.retry_after)}
    if not check_password_hash(current_user.password_hash, request.form.get("current", "")):
        sessions.record_failure(key, address)
        return _account_page(_("Your current password is not right.")), 400
    new, confirm = request.form.get("password", ""), request.form.get("confirm", "")
    try:
        check_password(new, confirm, current_user.username)
    except AccountError as error:
        return _account_page(_(error.message, **error.params)), 400
    with write_transaction():
        user = db.session.merge(current_user._get_current_object())
        user.password_hash = generate_password_hash(new)
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
