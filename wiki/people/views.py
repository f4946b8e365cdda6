"""Registering, logging in and out, and completing usernames (@mentions)."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from werkzeug.exceptions import TooManyRequests

from .. import errors
from ..core.numbers import parse_natural
from ..core.titles import N_
from ..extensions import login_manager
from ..identity import suggest_usernames
from ..models import User
from ..problems import NotAllowed
from ..safety import limits, sessions
from ..web import safe_next, user_message, welcome
from . import service

bp = Blueprint("people", __name__)

LOG_IN_TO_MENTION = N_("Log in to see whom you can mention.")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Return the logged-in person for the session, if the session is still live."""
    number = parse_natural(user_id)
    if number is None:
        return None
    # None: logged out (here or everywhere), the password was reset, or the account is gone.
    return sessions.live_user(number, session.get(sessions.SESSION_KEY))


def _finish_login(user: User, target: str):
    """Start the session, unless a step another feature adds (two-factor) must come first.

    Logging in as someone else ends the session of the person logged in until now, once
    the login is complete: one given up at its second step leaves them logged in.
    """
    for step in current_app.extensions.get(service.LOGIN_STEPS, ()):
        url = step(user, target)
        if url is not None:
            return redirect(url)
    sessions.log_in(user)
    flash(_("You are logged in."), "success")
    return redirect(target)


@bp.app_template_global()
def registration_open() -> bool:
    """Return whether a visitor may create an account now (the login page offers it)."""
    return service.registration_refusal(request.args.get("invite", "")) is None


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account and log in."""
    if current_user.is_authenticated:
        # Already logged in: say so; a post (an old tab, a second click) creates nothing.
        status = 400 if request.method == "POST" else 200
        return render_template("people/logged_in.html"), status
    form = {"username": request.form.get("username", "")}
    invite = request.args.get("invite", "")
    refusal = service.registration_refusal(invite)
    if refusal is not None:
        raise NotAllowed(refusal)
    # Said on the form, so the invited person knows the link did its part.
    invited = bool(invite) and service.invited(invite)
    if request.method == "POST":
        try:
            user = service.register(
                form["username"],
                request.form.get("password", ""),
                request.form.get("confirm", ""),
                invite=invite,
            )
        except service.AccountError as error:
            problems = getattr(error, "problems", [error])
            if not {problem.field for problem in problems} & {"password", "confirm"}:
                # The passwords were not what was refused: keep them with the name.
                form |= {key: request.form.get(key, "") for key in ("password", "confirm")}
            page = render_template(
                "people/register.html",
                form=form,
                error=user_message(error),
                also=[user_message(problem) for problem in problems[1:]],
                invited=invited,
            )
            return page, error.status
        sessions.log_in(user)
        flash(welcome(user), "success")
        return redirect(safe_next(request.args.get("next")))
    return render_template("people/register.html", form=form, invited=invited)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with a username and password (the page says who is logged in already)."""
    form = {"username": request.form.get("username", "")}
    if request.method == "POST":
        try:
            user = service.log_in(
                form["username"], request.form.get("password", ""), request.remote_addr or ""
            )
        except service.AccountError as error:
            page = render_template("people/login.html", form=form, error=user_message(error))
            headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
            return page, error.status, headers
        return _finish_login(user, safe_next(request.args.get("next")))
    return render_template("people/login.html", form=form)


@bp.errorhandler(TooManyRequests)
def too_many(_error: TooManyRequests):
    """Show the login or registration form again, with the name typed and how long to wait,
    when its posts come too often (the rate limit); other requests get the usual page."""
    message, headers = limits.too_often()
    form = {"username": request.form.get("username", "")}
    if request.method == "POST" and request.endpoint == "people.login":
        return render_template("people/login.html", form=form, error=message), 429, headers
    if (
        request.method == "POST"
        and request.endpoint == "people.register"
        and not current_user.is_authenticated
        and service.registration_refusal(request.args.get("invite", "")) is None
    ):
        page = render_template("people/register.html", form=form, error=message)
        return page, 429, headers
    return errors.error_response(429, message, headers)


@bp.post("/logout")
def logout():
    """Log out and end the session (a copy of the cookie stops working too)."""
    sessions.end_current()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("pages.home"))


@bp.get("/people/suggest")
def suggest():
    """Return up to eight usernames beginning with what was typed after "@", as a JSON list.

    For logged-in people only (on a wiki only members may read, visitors see no names).
    """
    if not current_user.is_authenticated:
        raise NotAllowed(LOG_IN_TO_MENTION, needs_login=True)
    response = jsonify(suggest_usernames(request.args.get("q", "")))
    response.cache_control.private = True
    response.cache_control.max_age = 30
    return response
