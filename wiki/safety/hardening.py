"""Security headers on every response, the read gate, proxies, and what templates show."""

from datetime import datetime

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import errors
from ..access.permissions import active_block, block_refusal, protected_from
from ..access.policy import current_policy
from ..core.embeds import FRAME_HOSTS
from ..core.titles import title_key
from ..models import Role
from ..urls import return_path
from .log import can_read_log


def content_security_policy(image_sources: tuple[str, ...]) -> str:
    """Return the site's Content-Security-Policy; images by URL load from image_sources."""
    images = " ".join(("'self'", *image_sources))
    return (
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'; "
        # Video embeds (wiki/core/embeds.py) load only from these hosts, and only on a click.
        f"frame-src {' '.join(FRAME_HOSTS)}; "
        # IMAGE_SOURCES (wiki/config.py) weighs showing images by URL against readers' privacy.
        f"img-src {images}"
    )


#: Ids are 32-bit in the database: a larger number in a URL names nothing (PostgreSQL would
#: refuse to compare it with an integer column).
MAX_ID = 2**31 - 1
#: Pages anonymous visitors reach even when only logged-in users may read.
OPEN_ENDPOINTS = {
    "static",
    "files.site_logo",  # the logo heads the login page of a private wiki too
    "pages.site_icon",
    # Browsers fetch the tab's and home screen's icons from the login page too.
    "pages.favicon",
    "pages.touch_icon",
    "pages.touch_icon_precomposed",
    "people.login",
    "people.register",
    "safety.reset_password",
    "preferences.unsubscribe",  # its signed token is the authority (links in emails)
    # Signing in with a provider, two-factor, forgot password, verifying an address.
    "signin.start",
    "signin.callback",
    "signin.new_account",
    "signin.two_factor",
    "signin.forgot_password",
    "signin.verify_email",
    "share.robots",  # says "Disallow: /" on a private wiki
    "share.sitemap",  # 404 on a private wiki: no login page for a crawler
    "share.sitemap_part",
}
#: Pages whose URL holds a secret token: they send no Referer anywhere.
TOKEN_ENDPOINTS = {
    "safety.reset_password",
    "people.register",
    "signin.callback",  # the authorization code and state
    "signin.verify_email",
}


def security_headers(response):
    """Add the security headers to a response (a view may have set its own)."""
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", config["CONTENT_SECURITY_POLICY"])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    referrer = "no-referrer" if request.endpoint in TOKEN_ENDPOINTS else "same-origin"
    headers.setdefault("Referrer-Policy", referrer)
    if config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if "_user_id" in session and "Cache-Control" not in headers:
        # A logged-in person's page (their name, bell, forms): never in a shared cache.
        headers["Cache-Control"] = "private, no-cache"
    if request.cookies.get(config["SESSION_COOKIE_NAME"]):
        response.vary.add("Cookie")
    return response


def read_body_safely():
    """Answer 400 for a request body that cannot be read (e.g. a malformed chunked body),
    instead of failing deep inside a view with a server error."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    try:
        request.get_data(cache=True, parse_form_data=True)
    except HTTPException:
        raise
    except Exception:
        abort(400, description=_("The request body was damaged. Send the form again."))
    return None


#: Query parameters that carry ids (revisions, comments, cursors) somewhere in the site.
ID_ARGUMENTS = ("before", "after", "from", "to", "rev", "reply")


def refuse_bad_addresses():
    """Answer 400 for what no address of the site holds but could break a database query:
    a NUL character (PostgreSQL cannot even compare text holding one), or an id argument
    too large for a 32-bit id column (PostgreSQL refuses to compare it)."""
    args = request.args
    if "\x00" in request.path or any("\x00" in value for value in args.values()):
        abort(400, description=_("The address contains a character that is not allowed."))
    for name in ID_ARGUMENTS if args else ():
        value = args.get(name, "").strip()
        # Longer numbers are refused by the views themselves, each with its own message.
        if value.isascii() and value.isdigit() and len(value) <= 18 and int(value) > MAX_ID:
            abort(400, description=_("“%(name)s” is too large to be a number here.", name=name))


def read_gate():
    """Send anonymous visitors to log in when only logged-in users may read."""
    if request.endpoint in OPEN_ENDPOINTS or current_user.is_authenticated:
        return None
    if (request.endpoint or "").startswith("feeds.") and request.args.get("token"):
        return None  # a personal feed key: the feed checks it and reads as its owner
    if current_policy().read != "users":
        return None
    if request.path.startswith("/api/"):
        message = _("Log in, or send a personal access token, to read this wiki.")
        return errors.error_response(401, message, {"WWW-Authenticate": 'Bearer realm="api"'})
    if (request.endpoint or "").startswith("feeds."):
        # A feed reader cannot log in: it is told so, not sent a login page to parse.
        message = _("This wiki is private: use your personal feed address from Preferences.")
        return errors.error_response(401, message)
    return redirect(url_for("people.login", next=return_path()))


def reject_huge_ids(_endpoint: str | None, values: dict | None) -> None:
    """Answer 404 for a URL whose number is too large to be an id."""
    if values and any(
        isinstance(value, int) and not 0 <= value <= MAX_ID for value in values.values()
    ):
        abort(404, description=_("There is nothing with that number."))


def safety_notice() -> str | None:
    """Return, for a blocked person, why and until when (shown on every page)."""
    if not current_user.is_authenticated:
        return None
    block = active_block(current_user)
    if block is None:
        return None
    refusal = block_refusal(block)
    return _(refusal.message, **refusal.params)


def staff_role() -> str | None:
    """Return "admin" or "moderator" for staff (the header shows their links), else None."""
    if not current_user.is_authenticated:
        return None
    if current_user.has_role(Role.ADMIN):
        return "admin"
    return "moderator" if current_user.has_role(Role.MODERATOR) else None


def register(app: Flask) -> None:
    """Install the headers, the read gate, the proxy fix and the template helpers."""
    app.config.setdefault(
        "CONTENT_SECURITY_POLICY", content_security_policy(app.config["IMAGE_SOURCES"])
    )
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )
    app.after_request(security_headers)
    # First of all hooks, before even the page cache: a cached page must not reach a reader
    # the policy turns away, nor a bad address reach the database.
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks[0:0] = [refuse_bad_addresses, read_body_safely, read_gate]
    app.url_value_preprocessor(reject_huge_ids)
    app.jinja_env.globals.update(
        safety_notice=safety_notice,
        staff_role=staff_role,
        site_policy=current_policy,
        can_read_log=can_read_log,
        page_protected_from_me=lambda title: protected_from(current_user, title_key(title)),
    )
    app.jinja_env.filters["from_iso"] = datetime.fromisoformat
