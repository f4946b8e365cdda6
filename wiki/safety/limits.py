"""Rate limits (Flask-Limiter), applied centrally by endpoint from one table.

Each limited endpoint counts against a category ("login", "edit", ...). A category has two
limits, both configurable: one per person (the account when logged in, else the address)
and one per address (everyone behind it together). Counts live in Redis when REDIS_URL is
set, so several app servers share them; in memory otherwise.
"""

import math
import time

from flask import Flask, current_app, request
from flask_babel import ngettext
from flask_limiter import Limiter
from flask_login import current_user

from .. import errors

#: Which endpoints count against which category, and for which methods (None: all).
ENDPOINTS: dict[str, tuple[str, list[str] | None]] = {
    "people.login": ("login", ["POST"]),
    "people.register": ("register", ["POST"]),
    "safety.reset_password": ("login", ["POST"]),
    "safety.change_password": ("login", ["POST"]),
    # Sign-in (wiki/signin): each provider round trip, code and reset request counts as a
    # login; a new account or address as a registration.
    "signin.start": ("login", None),
    "signin.callback": ("login", None),
    "signin.new_account": ("register", ["POST"]),
    "signin.two_factor": ("login", ["POST"]),
    "signin.forgot_password": ("login", ["POST"]),
    "signin_settings.add_email": ("register", ["POST"]),
    "signin_settings.email_action": ("register", None),
    "signin_settings.two_factor": ("login", ["POST"]),
    "signin_settings.two_factor_off": ("login", ["POST"]),
    "signin_settings.recovery_codes": ("login", ["POST"]),
    "pages.edit": ("edit", ["POST"]),
    "history.restore": ("edit", None),
    "history.rollback": ("edit", None),
    "talk.topics": ("comment", ["POST"]),
    "talk.reply": ("comment", ["POST"]),
    "talk.edit": ("comment", ["POST"]),
    "organise.move": ("edit", ["POST"]),
    "organise.delete": ("edit", ["POST"]),
    "organise.undelete": ("edit", ["POST"]),
    # Suggestions come as someone types: the search limit would be too tight.
    "search.suggest": ("api", None),
    "live.preview": ("api", ["POST"]),  # the live editor's preview beside the text
    "people.suggest": ("api", None),  # usernames offered after "@" in the live editor
    # API writes count as the same edits and comments through the forms would.
    "api.put_page": ("edit", ["PUT"]),
    "api.start_topic": ("comment", ["POST"]),
    "api.post_comment": ("comment", ["POST"]),
    "files.upload": ("upload", ["POST"]),
    "files.revert": ("upload", None),
}
#: Every endpoint of these blueprints counts against the category.
BLUEPRINTS = {"api": "api", "search": "search"}

EXTENSION = "bottega_limiter"


def person_key() -> str:
    """Return whom a per-person limit counts: the account when logged in, else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr or 'unknown'}"


def address_key() -> str:
    """Return the address a per-address limit counts."""
    return f"ip:{request.remote_addr or 'unknown'}"


def limit_for(category: str, per: str = "person") -> str:
    """Return a category's limit from the configuration ("10/minute;50/hour")."""
    config = current_app.config
    if per == "person":
        return config.get(f"RATE_LIMIT_{category.upper()}") or config["RATE_LIMITS"][category]
    return (
        config.get(f"RATE_LIMIT_{category.upper()}_PER_IP")
        or config["RATE_LIMITS_PER_IP"][category]
    )


def category_of(endpoint: str) -> tuple[str, list[str] | None] | None:
    """Return the category and methods an endpoint is limited by, or None."""
    if endpoint in ENDPOINTS:
        return ENDPOINTS[endpoint]
    blueprint = endpoint.partition(".")[0]
    return (BLUEPRINTS[blueprint], None) if blueprint in BLUEPRINTS and "." in endpoint else None


def init_app(app: Flask) -> Limiter:
    """Make the app's limiter and wrap every limited view; call after all blueprints exist."""
    config = app.config
    if config.get("RATELIMIT_ENABLED") is None:
        # Tests turn limits on when they test them, so they never make other tests flaky.
        config["RATELIMIT_ENABLED"] = not app.testing
    storage = config.get("RATELIMIT_STORAGE_URI") or config.get("REDIS_URL") or "memory://"
    # One limiter per app: a limiter keeps its storage and limits on itself.
    limiter = Limiter(
        key_func=person_key,
        storage_uri=storage,
        strategy=config.get("RATELIMIT_STRATEGY", "fixed-window"),
        key_prefix=config.get("RATELIMIT_KEY_PREFIX", "bottega"),
        in_memory_fallback_enabled=True,
        enabled=bool(config["RATELIMIT_ENABLED"]),
    )
    limiter.init_app(app)
    for endpoint, view in list(app.view_functions.items()):
        limited = category_of(endpoint)
        if limited is None:
            continue
        category, methods = limited
        per_person = limiter.shared_limit(
            lambda category=category: limit_for(category),
            scope=category,
            key_func=person_key,
            methods=methods,
        )
        per_address = limiter.shared_limit(
            lambda category=category: limit_for(category, "address"),
            scope=f"{category}-ip",
            key_func=address_key,
            methods=methods,
        )
        app.view_functions[endpoint] = per_address(per_person(view))
    app.extensions[EXTENSION] = limiter
    app.register_error_handler(429, _answer_too_many)
    return limiter


def too_often() -> tuple[str, dict]:
    """Return the message and headers for a request over its rate limit."""
    seconds = retry_after()
    message = ngettext(
        "You are doing this too often. Wait %(num)s second, then try again.",
        "You are doing this too often. Wait %(num)s seconds, then try again.",
        seconds,
    )
    return message, {"Retry-After": str(seconds)}


def _answer_too_many(_error):
    """Answer a request over its rate limit: say how long to wait."""
    message, headers = too_often()
    return errors.error_response(429, message, headers)


def retry_after() -> int:
    """Return in how many seconds the limit the current request broke lets it through."""
    limiter = current_app.extensions.get(EXTENSION)
    hit = limiter.current_limit if limiter is not None else None
    if hit is None:
        return 60
    return max(1, math.ceil(hit.reset_at - time.time()))
