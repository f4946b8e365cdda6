"""Registering, logging in and out, and profiles."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from ..extensions import db, login_manager
from ..models import User
from ..safety import sessions
from . import service

bp = Blueprint("people", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the logged-in person for the session, if the session is still live."""
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not sessions.is_live(user.id, session.get(sessions.SESSION_KEY)):
        return None  # logged out (here or everywhere) or the password was reset
    return user


def safe_next(target: str | None) -> str:
    """Return target if it is a path on this site, else the main page."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for("pages.home")


def _start_session(user: User) -> None:
    """Log the person in with a fresh session (a new id defeats session fixation)."""
    session.clear()
    sessions.start(user)
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account and log in."""
    form = {"username": request.form.get("username", "")}
    invite = request.args.get("invite", "")
    refusal = service.registration_refusal(invite)
    if refusal is not None:
        abort(403, description=_(refusal))
    if request.method == "POST":
        try:
            user = service.register(
                form["username"],
                request.form.get("password", ""),
                request.form.get("confirm", ""),
                invite=invite,
            )
        except service.AccountError as error:
            message = _(error.message, **error.params)
            return render_template("people/register.html", form=form, error=message), error.status
        _start_session(user)
        flash(_("Welcome, %(name)s! Your account is ready.", name=user.username), "success")
        return redirect(safe_next(request.args.get("next")))
    return render_template("people/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with a username and password."""
    form = {"username": request.form.get("username", "")}
    if request.method == "POST":
        try:
            user = service.log_in(
                form["username"], request.form.get("password", ""), request.remote_addr or ""
            )
        except service.AccountError as error:
            page = render_template(
                "people/login.html", form=form, error=_(error.message, **error.params)
            )
            headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
            return page, error.status, headers
        _start_session(user)
        flash(_("You are logged in."), "success")
        return redirect(safe_next(request.args.get("next")))
    return render_template("people/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out and end the session (a copy of the cookie stops working too)."""
    sessions.end_current()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("pages.home"))


@bp.get("/user/<name>")
def profile(name: str):
    """Show a person's profile, activity and contributions."""
    from ..community.views import show_profile  # profiles show community data

    return show_profile(name)
