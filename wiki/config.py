"""Configuration: defaults here, then instance/config.py, then WIKI_* environment variables."""

import os
import secrets
from pathlib import Path

from flask import Flask


class Defaults:
    """Settings a fresh wiki starts with."""

    SITE_NAME = "Bottega"
    MAIN_PAGE = "Home"
    MAX_PAGE_BYTES = 1024 * 1024
    MAX_SUMMARY_LENGTH = 500
    RENDER_TIMEOUT = 1.0
    RENDER_WORKERS = 2
    HISTORY_PAGE_SIZE = 50
    DEMO = True
    #: How long an anonymous page view may be served from memory (0 turns the cache off).
    PAGE_CACHE_SECONDS = 5.0
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # An editor may stay open for hours: a form must not expire while someone writes.
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "en"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Trust and safety (wiki/safety). Site policy defaults; admins change them at /admin.
    READ_POLICY = "everyone"  # everyone | users
    EDIT_POLICY = "users"  # everyone (anonymous too) | users | approved
    REGISTER_POLICY = "open"  # open | invite | closed
    LOG_POLICY = "everyone"  # who reads /log: everyone | users | moderators
    # Rate limits per person (account, else address) and per address; WIKI_RATE_LIMIT_LOGIN
    # etc. override one. Counts are shared through Redis when WIKI_REDIS_URL is set. Previews
    # count too; talk pages also keep their own COMMENT_RATE_PER_MINUTE, which keeps the text.
    RATE_LIMITS: dict = {
        "login": "10/minute;50/hour",
        "register": "10/hour;50/day",
        "edit": "30/minute;500/hour",
        "comment": "20/minute;200/hour",
        "search": "60/minute",
        "api": "120/minute",
    }
    RATE_LIMITS_PER_IP: dict = {
        "login": "30/minute;300/hour",
        "register": "20/hour;100/day",
        "edit": "120/minute",
        "comment": "60/minute",
        "search": "300/minute",
        "api": "600/minute",
    }
    RATELIMIT_ENABLED = None  # None: on, except in tests (TESTING)
    REDIS_URL = ""
    # Failed logins: free tries, then waits doubling from LOGIN_DELAY_SECONDS, then lockout.
    LOGIN_FREE_FAILURES = 3
    LOGIN_DELAY_SECONDS = 2.0
    LOGIN_MAX_DELAY_SECONDS = 60.0
    LOGIN_LOCKOUT_FAILURES = 10
    LOGIN_IP_LOCKOUT_FAILURES = 50
    LOGIN_LOCKOUT_MINUTES = 15
    SESSION_MAX_AGE_DAYS = 30
    PROXY_FIX = 0  # how many proxies in front set X-Forwarded-For/-Proto/-Host


# Environment variables read as numbers or booleans rather than strings.
_TYPED = {
    "MAX_PAGE_BYTES": int,
    "HISTORY_PAGE_SIZE": int,
    "RENDER_TIMEOUT": float,
    "PAGE_CACHE_SECONDS": float,
    "RENDER_WORKERS": int,
    "DEMO": lambda v: v.lower() not in ("0", "false", "no", "off", ""),
    "SESSION_COOKIE_SECURE": lambda v: v.lower() in ("1", "true", "yes", "on"),
    "RATELIMIT_ENABLED": lambda v: v.lower() in ("1", "true", "yes", "on"),
    "LOGIN_FREE_FAILURES": int,
    "LOGIN_DELAY_SECONDS": float,
    "LOGIN_MAX_DELAY_SECONDS": float,
    "LOGIN_LOCKOUT_FAILURES": int,
    "LOGIN_IP_LOCKOUT_FAILURES": int,
    "LOGIN_LOCKOUT_MINUTES": float,
    "SESSION_MAX_AGE_DAYS": int,
    "PROXY_FIX": int,
}


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill app.config from defaults, the instance file, the environment and overrides."""
    app.config.from_object(Defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        f"sqlite:///{Path(app.instance_path) / 'bottega.sqlite'}"
    )
    app.config.from_pyfile("config.py", silent=True)
    for name, value in os.environ.items():
        if name.startswith("WIKI_"):
            key = name.removeprefix("WIKI_")
            app.config[key] = _TYPED.get(key, str)(value)
    if "DATABASE_URL" in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if overrides:
        app.config.update(overrides)
        if "DATABASE_URL" in overrides:
            app.config["SQLALCHEMY_DATABASE_URI"] = overrides["DATABASE_URL"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _instance_secret_key(instance: Path) -> str:
    """Return the secret key kept in instance/, creating it on first run."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two workers starting at once must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()
