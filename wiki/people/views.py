"""Registering, logging in and out, and profiles."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from ..extensions import db, login_manager
from ..models import User
from . import service

bp = Blueprint("people", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the logged-in person for the session."""
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


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
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account and log in."""
    form = {"username": request.form.get("username", "")}
    if request.method == "POST":
        try:
            user = service.register(
                form["username"], request.form.get("password", ""), request.form.get("confirm", "")
            )
        except service.AccountError as error:
            message = _(error.message, **error.params)
            return render_template("people/register.html", form=form, error=message), 400
        _start_session(user)
        flash(_("Welcome, %(name)s! Your account is ready.", name=user.username), "success")
        return redirect(safe_next(request.args.get("next")))
    return render_template("people/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with a username and password."""
    form = {"username": request.form.get("username", "")}
    if request.method == "POST":
        user = service.authenticate(form["username"], request.form.get("password", ""))
        if user is None:
            error = _("The username or password is not right.")
            return render_template("people/login.html", form=form, error=error), 401
        _start_session(user)
        flash(_("You are logged in."), "success")
        return redirect(safe_next(request.args.get("next")))
    return render_template("people/login.html", form=form)


@bp.post("/logout")
def logout():
    """Log out and forget the session."""
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("pages.home"))


@bp.get("/user/<name>")
def profile(name: str):
    """Show a person's profile and latest contributions."""
    user = service.find_user(name)
    if user is None:
        abort(404, description=_("There is no user with this name."))
    return render_template("people/profile.html", profile=service.profile(user))
