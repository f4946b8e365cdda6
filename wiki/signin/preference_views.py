"""One's sign-ins in /preferences: linked providers, email addresses, two-factor."""

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..community.watch import mail
from ..identity import AccountError, has_password
from ..problems import NotAllowed, NotFound, UserError
from ..web import user_message
from . import accounts, emails, providers, twofactor
from .pages import recovery_codes_page

bp = Blueprint("signin_settings", __name__)


@dataclass
class Overview:
    """What the sign-in sections of /preferences show."""

    identities: list
    labels: dict[str, str]
    unlinked: list
    ways_in: int
    has_password: bool
    addresses: emails.Addresses
    email_on: bool
    two_factor: bool
    required: bool
    codes_left: int


def overview() -> Overview | None:
    """Return the sign-in sections of the logged-in person's preferences (a template global)."""
    if not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    identities = accounts.identities_of(user)
    linked = {identity.provider for identity in identities}
    every = providers.all_providers()
    return Overview(
        identities=identities,
        labels={provider.name: provider.label for provider in every},
        unlinked=[provider for provider in every if provider.name not in linked],
        ways_in=accounts.ways_in(user),
        has_password=has_password(user),
        addresses=emails.addresses_of(user),
        email_on=mail.enabled(),
        two_factor=twofactor.confirmed(user) is not None,
        required=twofactor.is_required(user),
        codes_left=twofactor.remaining_codes(user),
    )


def _me():
    """Return the logged-in person, or raise NotAllowed asking to log in."""
    if not current_user.is_authenticated:
        raise NotAllowed(_("Please log in to see this page."), needs_login=True)
    return current_user._get_current_object()


def _back(anchor: str, message: str):
    """Go back to a section of /preferences, saying what was done."""
    flash(message, "success")
    return redirect(url_for("preferences.preferences", _anchor=anchor))


def _form(template: str, error: UserError | None = None, **extra):
    """Render a form of its own (shown again with the refusal and what was typed)."""
    if error is None:
        return render_template(f"signin/{template}.html", **extra)
    page = render_template(f"signin/{template}.html", error=user_message(error), **extra)
    headers = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", 0) else {}
    return page, error.status, headers


@bp.post("/preferences/sign-ins/<int:identity_id>/unlink")
def unlink(identity_id: int):
    """Unlink a provider from one's account (never the last way to log in)."""
    identity = accounts.unlink(_me(), identity_id)
    found = providers.get(identity.provider)
    name = found.label if found else identity.provider
    return _back("sign-ins", _("%(provider)s is unlinked.", provider=name))


@bp.route("/preferences/password", methods=["GET", "POST"])
def set_password():
    """Give an account that signs in only through providers a password."""
    user = _me()
    if request.method == "GET":
        if has_password(user):
            flash(_("Your account has a password: change it here."), "info")
            return redirect(url_for("safety.account"))
        return _form("set_password")
    try:
        accounts.set_first_password(
            user, request.form.get("password", ""), request.form.get("confirm", "")
        )
    except AccountError as error:
        return _form("set_password", error)
    return _back("sign-ins", _("Your password is set: you can also log in with it."))


@bp.route("/preferences/emails", methods=["GET", "POST"])
def add_email():
    """Add an email address and send it a verification link."""
    user = _me()
    typed = request.form.get("new_email", "")
    email_on = mail.enabled()  # off, the page says so instead of asking for an address
    if request.method == "GET":
        return _form("add_email", typed=typed, email_on=email_on)
    try:
        row = emails.add(user, typed)
    except UserError as error:
        return _form("add_email", error, typed=typed, email_on=email_on)
    return _back(
        "email",
        _("We sent a link to %(address)s: follow it to verify the address.", address=row.address),
    )


@bp.post("/preferences/emails/<int:address_id>/<action>")
def email_action(address_id: int, action: str):
    """Resend a verification link, remove an address, or send notifications to it."""
    user = _me()
    if action == "resend":
        row = emails.resend(user, address_id)
        message = _("We sent a new link to %(address)s.", address=row.address)
    elif action == "remove":
        emails.remove(user, address_id)
        message = _("The address is removed.")
    elif action == "notify":
        row = emails.notify_at(user, address_id)
        message = _("Notifications now go to %(address)s.", address=row.address)
    else:
        raise NotFound(_("That is not something you can do with an address."))
    return _back("email", message)


@bp.route("/preferences/two-factor", methods=["GET", "POST"])
def two_factor():
    """Set up two-factor authentication: scan the QR code, then prove the app works."""
    user = _me()
    if twofactor.confirmed(user) is not None:
        return _back("two-factor", _("Two-factor authentication is already on."))
    if request.method == "GET":
        return _setup_page(user, twofactor.begin(user, fresh=True))
    try:
        codes = twofactor.confirm(user, request.form.get("code", ""), request.remote_addr or "")
    except AccountError as error:
        page = _setup_page(user, twofactor.begin(user), error=user_message(error))
        return page, error.status
    flash(_("Two-factor authentication is on."), "success")
    return recovery_codes_page(
        user, codes, url_for("preferences.preferences", _anchor="two-factor")
    )


def _setup_page(user, row, **extra):
    uri = twofactor.otpauth_uri(user, row)
    qr = twofactor.qr_svg(uri, _("QR code for your authenticator app"))
    return render_template("signin/setup.html", qr=qr, uri=uri, secret=row.secret, **extra)


@bp.route("/preferences/two-factor/off", methods=["GET", "POST"])
def two_factor_off():
    """Turn two-factor authentication off (with a code: a left-open session is not enough)."""
    user = _me()
    if request.method == "GET":
        return _form("confirm_code", action="off")
    try:
        twofactor.turn_off(user, request.form.get("code", ""), request.remote_addr or "")
    except UserError as error:
        return _form("confirm_code", error, action="off")
    return _back("two-factor", _("Two-factor authentication is off."))


@bp.route("/preferences/two-factor/codes", methods=["GET", "POST"])
def recovery_codes():
    """Make new recovery codes (the old ones stop working), with a code."""
    user = _me()
    if request.method == "GET":
        return _form("confirm_code", action="codes")
    try:
        codes = twofactor.renew_codes(
            user, request.form.get("code", ""), request.remote_addr or ""
        )
    except UserError as error:
        return _form("confirm_code", error, action="codes")
    return recovery_codes_page(
        user, codes, url_for("preferences.preferences", _anchor="two-factor")
    )
