"""Signing in with a provider, two-factor at login, forgot password, verifying addresses."""

import time

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from .. import errors
from ..access.policy import current_policy
from ..community.watch import mail
from ..extensions import db
from ..identity import AccountError, administrators
from ..models import User
from ..problems import NotAllowed, UserError
from ..safety import limits, sessions
from ..web import safe_next, user_message, welcome
from . import accounts, emails, flow, providers, recovery, twofactor
from .accounts import Newcomer
from .pages import recovery_codes_page

bp = Blueprint("signin", __name__)

#: Session entries: the sign-in under way, a first sign-in waiting for a username, and a
#: login waiting for its second factor. The session cookie is signed: none can be forged.
INTENT, NEWCOMER, PENDING = "signin_intent", "signin_newcomer", "signin_pending"
#: How many administrators the forgot-password page names when email is off.
SHOWN_ADMINS = 5
#: How long a first sign-in or a login may wait for its next step.
STEP_SECONDS = 15 * 60


def login_step(user: User, target: str) -> str | None:
    """Return where a login goes before its session starts (two-factor), or None."""
    if twofactor.confirmed(user) is None and not twofactor.is_required(user):
        return None
    # Whoever is logged in here stays so until the code is right (sessions.log_in then ends
    # their session): a login as someone else that is given up must not log them out.
    session[PENDING] = {"user": user.id, "next": target, "at": int(time.time())}
    return url_for("signin.two_factor")


def _finish(user: User, target: str, message: str):
    """Log in (after two-factor, if needed) and go on to target."""
    step = login_step(user, target)
    if step is not None:
        return redirect(step)
    sessions.log_in(user)
    flash(message, "success")
    return redirect(target)


def _fresh(entry: object) -> dict | None:
    """Return a session entry if it is a dict made less than STEP_SECONDS ago."""
    if not isinstance(entry, dict) or not isinstance(entry.get("at"), int):
        return None
    return entry if time.time() - entry["at"] < STEP_SECONDS else None


def _provider(name: str) -> providers.Provider:
    provider = providers.get(name)
    if provider is None:
        abort(404, description=_("There is no sign-in provider with this name here."))
    return provider


def _failed(provider: providers.Provider, error: UserError):
    """Show why signing in with a provider did not work, with ways to go on."""
    page = render_template("signin/failed.html", provider=provider, error=user_message(error))
    return page, error.status


@bp.get("/login/<name>")
def start(name: str):
    """Send the person to the provider to sign in (or, from preferences, to link it)."""
    provider = _provider(name)
    linking = request.args.get("link") == "1"
    if linking and not current_user.is_authenticated:
        raise NotAllowed(_("Please log in to link a sign-in."), needs_login=True)
    target = url_for("preferences.preferences", _anchor="sign-ins") if linking else None
    intent = {
        "provider": provider.name,
        "next": target or safe_next(request.args.get("next")),
        "invite": request.args.get("invite", "")[:100],
        "link": current_user.id if linking else None,
        "at": int(time.time()),
    }
    # One sign-in at a time per browser: the states of abandoned ones would pile up in the
    # session cookie until browsers refuse it (4 KB).
    for key in [key for key in session if key.startswith("_state_")]:
        session.pop(key)
    try:
        response = flow.start(provider)
    except UserError as error:
        return _failed(provider, error)
    session[INTENT] = intent
    return response


@bp.get("/login/<name>/callback")
def callback(name: str):
    """Take the person back from the provider: log in, link, or ask for a username."""
    provider = _provider(name)
    intent = _fresh(session.pop(INTENT, None))
    try:
        if intent is None or intent.get("provider") != provider.name:
            raise flow.SigninFailed(flow.STALE, provider=provider.label)
        profile = flow.finish(provider)
        if intent.get("link"):
            return _link(provider, profile, intent)
        user = accounts.returning(provider, profile)
        if user is not None:
            message = _("You are logged in with %(provider)s.", provider=provider.label)
            return _finish(user, safe_next(intent.get("next")), message)
        newcomer = accounts.newcomer(provider, profile, intent.get("invite", ""))
    except UserError as error:
        return _failed(provider, error)
    session[NEWCOMER] = {
        **newcomer.to_session(),
        "next": intent["next"],
        "invite": intent.get("invite", ""),
        "at": int(time.time()),
    }
    return redirect(url_for("signin.new_account", name=provider.name))


def _link(provider, profile, intent: dict):
    """Link the provider account to the logged-in person who asked for it."""
    if not current_user.is_authenticated or current_user.id != intent["link"]:
        raise flow.SigninFailed(flow.STALE, provider=provider.label)
    accounts.link(current_user, provider, profile)
    flash(
        _("%(provider)s is linked: you can sign in with it.", provider=provider.label), "success"
    )
    return redirect(url_for("preferences.preferences", _anchor="sign-ins"))


@bp.route("/login/<name>/new", methods=["GET", "POST"])
def new_account(name: str):
    """Ask a first-time provider sign-in for a username, and create the account."""
    provider = _provider(name)
    stored = _fresh(session.get(NEWCOMER))
    newcomer = Newcomer.from_session(
        {
            key: value
            for key, value in (stored or {}).items()
            if key not in ("next", "invite", "at")
        }
    )
    if newcomer is None or newcomer.provider != provider.name:
        return _failed(provider, flow.SigninFailed(flow.STALE, provider=provider.label))
    form = {"username": request.form.get("username", newcomer.suggestion)}
    if request.method == "GET":
        return render_template(
            "signin/new_account.html", provider=provider, newcomer=newcomer, form=form
        )
    try:
        user = accounts.create_account(provider, newcomer, form["username"], stored["invite"])
    except AccountError as error:
        page = render_template(
            "signin/new_account.html",
            provider=provider,
            newcomer=newcomer,
            form=form,
            error=user_message(error),
        )
        return page, error.status
    return _finish(user, safe_next(stored.get("next")), welcome(user))


@bp.route("/two-factor", methods=["GET", "POST"])
def two_factor():
    """Ask for the second factor of a login (or set it up, when the policy requires it)."""
    pending = _fresh(session.get(PENDING))
    user = db.session.get(User, pending["user"]) if pending else None
    if user is None:
        flash(_("Your login took too long or was not started. Log in again."), "info")
        return redirect(url_for("people.login"))
    setup = twofactor.confirmed(user) is None
    row = twofactor.begin(user) if setup else None
    if request.method == "POST":
        code = request.form.get("code", "")
        try:
            if setup:
                codes = twofactor.confirm(user, code, request.remote_addr or "")
            else:
                used = twofactor.check(user, code, request.remote_addr or "")
        except AccountError as error:
            page = _two_factor_page(user, row, error=user_message(error))
            headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
            return page, error.status, headers
        target = safe_next(pending.get("next"))
        sessions.log_in(user)
        if setup:
            return recovery_codes_page(user, codes, target)
        if used == "recovery":
            left = twofactor.remaining_codes(user)
            flash(_("You used a recovery code: %(count)s left.", count=left), "info")
        flash(_("You are logged in."), "success")
        return redirect(target)
    return _two_factor_page(user, row)


def _two_factor_page(user: User, row, **extra):
    """Render the second step of a login: a code, or the setup the policy requires."""
    qr = uri = None
    if row is not None:
        uri = twofactor.otpauth_uri(user, row)
        qr = twofactor.qr_svg(uri, _("QR code for your authenticator app"))
    return render_template("signin/two_factor.html", user=user, setup=row, qr=qr, uri=uri, **extra)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Send a one-time link to set a new password; the answer never tells who has an account."""
    form = {"identifier": request.form.get("identifier", "")}
    if request.method == "POST" and mail.enabled():
        try:
            recovery.request_reset(form["identifier"], request.remote_addr or "")
        except AccountError as error:
            page = render_template("signin/forgot.html", form=form, error=user_message(error))
            headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
            return page, error.status, headers
        return render_template("signin/forgot.html", form=form, sent=True)
    admins = _whom_to_ask()
    return render_template(
        "signin/forgot.html",
        form=form,
        admins=admins[:SHOWN_ADMINS],
        more_admins=len(admins) > SHOWN_ADMINS,
    )


def _whom_to_ask() -> list[str]:
    """Return the administrators to ask for a reset link when the wiki cannot email one;
    none on a wiki only members may read (their names are for members)."""
    if mail.enabled() or current_policy().read != "everyone":
        return []
    return administrators(limit=SHOWN_ADMINS + 1)  # one more: "and others"


@bp.errorhandler(TooManyRequests)
def too_many(_error: TooManyRequests):
    """Show the two-factor or forgot-password form again, with what was typed and how long
    to wait, when its posts come too often (the rate limit); other requests get the usual
    page."""
    message, headers = limits.too_often()
    if request.method == "POST" and request.endpoint == "signin.forgot_password":
        form = {"identifier": request.form.get("identifier", "")}
        return render_template("signin/forgot.html", form=form, error=message), 429, headers
    if request.method == "POST" and request.endpoint == "signin.two_factor":
        pending = _fresh(session.get(PENDING))
        user = db.session.get(User, pending["user"]) if pending else None
        if user is not None:
            row = twofactor.begin(user) if twofactor.confirmed(user) is None else None
            return _two_factor_page(user, row, error=message), 429, headers
    return errors.error_response(429, message, headers)


@bp.route("/verify-email/<token>", methods=["GET", "POST"])
def verify_email(token: str):
    """Verify an address with the signed link sent to it (a button, so link checkers don't)."""
    row = emails.pending(token)
    if request.method == "POST":
        row = emails.verify(token)
        flash(_("%(address)s is verified.", address=row.address), "success")
        target = "preferences.preferences" if current_user.is_authenticated else "people.login"
        return redirect(
            url_for(target, _anchor="email") if current_user.is_authenticated else url_for(target)
        )
    return render_template("signin/verify.html", row=row, token=token)
