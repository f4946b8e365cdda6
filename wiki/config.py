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


# Environment variables read as numbers or booleans rather than strings.
_TYPED = {
    "MAX_PAGE_BYTES": int,
    "HISTORY_PAGE_SIZE": int,
    "RENDER_TIMEOUT": float,
    "PAGE_CACHE_SECONDS": float,
    "RENDER_WORKERS": int,
    "DEMO": lambda v: v.lower() not in ("0", "false", "no", "off", ""),
    "SESSION_COOKIE_SECURE": lambda v: v.lower() in ("1", "true", "yes", "on"),
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
