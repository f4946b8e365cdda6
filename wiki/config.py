"""Configuration: defaults here, then instance/config.py, then WIKI_* environment variables."""

import os
import re
import secrets
from pathlib import Path

import click
from flask import Flask


class Defaults:
    """Settings a fresh wiki starts with."""

    SITE_NAME = "Bottega"
    MAIN_PAGE = "Home"
    MAX_PAGE_BYTES = 1024 * 1024
    MAX_SUMMARY_LENGTH = 500
    RENDER_TIMEOUT = 1.0
    RENDER_WORKERS = 2
    # How long a render waits for a free worker before the save or preview is refused as
    # "busy" (rendering itself is bounded by RENDER_TIMEOUT).
    RENDER_QUEUE_SECONDS = 10.0
    HISTORY_PAGE_SIZE = 50
    DEMO = True
    #: How long an anonymous page view may be served from memory (0 turns the cache off).
    PAGE_CACHE_SECONDS = 5.0
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # An editor may stay open for hours: a form must not expire while someone writes.
    WTF_CSRF_TIME_LIMIT = None
    BABEL_DEFAULT_LOCALE = "en"
    # Languages (wiki/i18n): the site's language when nothing else chooses one, and the
    # language of pages that name none. A language is available once its catalogue exists.
    DEFAULT_LOCALE = "en"
    DEFAULT_TIMEZONE = "UTC"
    TRANSLATIONS_PATH = ""  # "" = the package's wiki/translations
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Trust and safety (wiki/safety). Site policy defaults; admins change them at /admin.
    READ_POLICY = "everyone"  # everyone | users
    EDIT_POLICY = "users"  # everyone (anonymous too) | users | approved
    REGISTER_POLICY = "open"  # open | invite | closed
    LOG_POLICY = "everyone"  # who reads /log: everyone | users | moderators
    TWO_FACTOR_POLICY = "optional"  # optional | staff (moderators and admins must use it)
    # Rate limits per person (account, else address) and per address; WIKI_RATE_LIMIT_LOGIN
    # etc. override one. Counts are shared through Redis when WIKI_REDIS_URL is set. Previews
    # count too; the editor and talk forms keep the text typed when a limit answers 429.
    RATE_LIMITS: dict = {
        "login": "10/minute;50/hour",
        "register": "10/hour;50/day",
        "edit": "30/minute;500/hour",
        "comment": "10/minute;200/hour",
        "search": "60/minute",
        "api": "120/minute",
        "upload": "20/minute;300/hour",
    }
    RATE_LIMITS_PER_IP: dict = {
        "login": "30/minute;300/hour",
        "register": "20/hour;100/day",
        "edit": "120/minute",
        "comment": "60/minute",
        "search": "300/minute",
        "api": "600/minute",
        "upload": "60/minute",
    }
    RATELIMIT_ENABLED = None  # None: on, except in tests (TESTING)
    REDIS_URL = ""
    # Failed logins: free tries, then waits doubling from LOGIN_DELAY_SECONDS, then lockout.
    # Five per name, as MediaWiki and AWS Cognito allow: a typo or two never waits; an
    # address gets the same share of its lockout free (wiki/safety/sessions.py).
    LOGIN_FREE_FAILURES = 5
    # How passwords are hashed (werkzeug's generate_password_hash method): scrypt, memory-
    # hard, about 0.1 s a hash. After a change each account is hashed anew at its login.
    PASSWORD_HASH_METHOD = "scrypt"
    LOGIN_DELAY_SECONDS = 2.0
    LOGIN_MAX_DELAY_SECONDS = 60.0
    LOGIN_LOCKOUT_FAILURES = 10
    LOGIN_IP_LOCKOUT_FAILURES = 50
    LOGIN_LOCKOUT_MINUTES = 15
    SESSION_MAX_AGE_DAYS = 30
    PROXY_FIX = 0  # how many proxies in front set X-Forwarded-For/-Proto/-Host

    # Mail (wiki/community/watch/mail.py): unset MAIL_SERVER means email is off.
    MAIL_SERVER = ""
    MAIL_PORT = 0  # 0: 465 with SSL, else 25
    MAIL_USE_SSL = False
    MAIL_USE_TLS = False
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_FROM = ""
    MAIL_TIMEOUT = 10.0
    SITE_URL = ""  # absolute links in emails and feeds made outside a request
    # Sign-in (wiki/signin): providers come from WIKI_OIDC_<NAME>_* / WIKI_OAUTH_<NAME>_*.
    SIGNIN_TIMEOUT = 10.0  # seconds to wait for a provider's answer
    SIGNIN_RESET_MINUTES = 60  # how long a "forgot password" link works
    PRIVATE_WIKI = False

    # Sharing (wiki/share): link previews, sitemaps, reach.
    SHARE_IMAGE = ""  # the link preview image of pages without one (default: the site icon)
    SITEMAP_MAX_URLS = 50_000  # per sitemap file; past it /sitemap.xml is an index
    REACH_ENABLED = True  # count page views per day (no cookies, bots left out)
    REACH_FLUSH_SECONDS = 10.0  # how often each process writes its counts
    # Background jobs (wiki/jobs.py): on Redis when REDIS_URL is set, else a thread.
    JOBS_QUEUE = "bottega"
    # Webhooks (wiki/api): how long a receiver may take, and how often a delivery is tried.
    WEBHOOK_TIMEOUT = 10.0
    WEBHOOK_MAX_ATTEMPTS = 8
    WEBHOOK_RETRY_SECONDS = 10.0  # the first retry's wait; each next one waits twice as long
    # Files (wiki/files). Uploaded bytes live in a content-addressed store: the local
    # folder FILE_PATH ("" = instance/files), or an S3-compatible bucket for several servers.
    FILE_STORAGE = "local"  # local | s3
    FILE_PATH = ""
    FILE_S3_BUCKET = ""
    FILE_S3_PREFIX = ""
    FILE_S3_ENDPOINT_URL = ""  # "" = AWS; else MinIO, Ceph, Garage, ... (https://host:port)
    FILE_S3_REGION = ""
    FILE_S3_ACCESS_KEY_ID = ""  # "" = boto3's usual chain (AWS_* variables, roles, files)
    FILE_S3_SECRET_ACCESS_KEY = ""
    FILE_MAX_BYTES = 100 * 1024 * 1024  # one file
    FILE_USER_DAILY_BYTES = 1024 * 1024 * 1024  # what one person uploads in 24 hours
    FILE_SITE_BYTES = 0  # everything stored; 0 = no limit
    FILE_MAX_PIXELS = 50_000_000  # an image's width × height (decompression bombs)
    # Pending changes (wiki/review): whose edits wait for a reviewer before the public sees
    # them, until an admin saves the setting in /admin/settings.
    REVIEW_POLICY = "off"  # off | newcomers | all (everyone but reviewers)
    REVIEW_NEWCOMER_EDITS = 10  # a newcomer has fewer accepted edits than this ...
    REVIEW_NEWCOMER_DAYS = 4  # ... or an account younger than this many days
    REVIEW_WAITING_SHOWN = "members"  # who sees waiting changes: members | reviewers
    #: Types accepted beyond images and PDF, by extension or media type: "mp4 docx pptx".
    FILE_TYPES = ""
    #: Where images by URL (![x](https://…)) may load from, besides the wiki itself: sources
    #: of the Content-Security-Policy's img-src, e.g. "https:" or "https://img.example.com".
    #: "https:" shows them, but each reader's browser then asks that site, which learns the
    #: reader's address and when they read; "none" shows only the wiki's own files (a caching
    #: image proxy in front would give both). Read into a tuple by image_sources().
    IMAGE_SOURCES = "https:"
    # Live co-editing (wiki/live): several people in one editor, over a WebSocket.
    LIVE_EDITING = True
    LIVE_MAX_MESSAGE_BYTES = 1024 * 1024  # one message from a browser
    LIVE_MESSAGES_PER_SECOND = 100  # per connection, after a burst of LIVE_MESSAGE_BURST
    LIVE_MESSAGE_BURST = 300
    #: How often each process writes what its editors typed to the database (seconds): also
    #: the most a crashed process loses of typing no other process holds.
    LIVE_WRITE_SECONDS = 0.25
    #: How often an open editor's connection checks that its person may still edit the page
    #: (seconds): a block, a protection or a lost role puts them out within this long.
    LIVE_RECHECK_SECONDS = 2.0
    #: Seconds after a save's request commits before the work it leaves for later (word
    #: authorship, the search index: wiki.followups) starts, so that the job slows neither
    #: the answer nor the page view after it.
    FOLLOW_UP_AFTER_ANSWER = 0.05


class ConfigError(click.ClickException):
    """A setting with a value the wiki cannot use; the message names it and says why.

    A ClickException, so `flask …` commands print just the message, not a traceback.
    """


_TRUE = ("1", "true", "yes", "on")
#: One CSP source: a scheme ("https:") or a host with an optional scheme, port and path.
_IMAGE_SOURCE = re.compile(
    r"[a-z][a-z0-9+.-]*:|([a-z][a-z0-9+.-]*://)?(\*\.)?[a-z0-9.-]+(:(\d+|\*))?(/[^\s;,'\"]*)?",
    re.IGNORECASE,
)
_FALSE = ("0", "false", "no", "off")


def parse_bool(name: str, raw: str) -> bool:
    """Return a yes/no setting, or raise ConfigError for anything but the usual words."""
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"WIKI_{name}={raw!r}: use 1 or 0 (or true/false, yes/no, on/off).")


def _parse(name: str, raw: str, kind: type):
    """Return an environment variable's value as the type its default has."""
    if kind is bool:
        return parse_bool(name, raw)
    try:
        return kind(raw.strip()) if kind in (int, float) else raw
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise ConfigError(f"WIKI_{name}={raw!r}: must be {noun}.") from None


#: Settings read from the environment with a type but no default in Defaults.
_TYPES: dict[str, type] = {"RATELIMIT_ENABLED": bool, "SESSION_COOKIE_SECURE": bool}


def setting_type(name: str) -> type:
    """Return the type a setting has: its default's type, or str."""
    if name in _TYPES:
        return _TYPES[name]
    default = getattr(Defaults, name, None)
    return type(default) if isinstance(default, bool | int | float) else str


def environment_settings(environ: dict[str, str]) -> dict:
    """Return the WIKI_* variables as settings, each as its type; an empty one is unset."""
    settings = {}
    for name, raw in environ.items():
        if not name.startswith("WIKI_"):
            continue
        key = name.removeprefix("WIKI_")
        if raw.strip() == "":
            continue  # set but empty (WIKI_DATABASE_URL=): the default applies
        settings[key] = _parse(key, raw, setting_type(key))
    return settings


def load_config(app: Flask, overrides: dict | None) -> None:
    """Fill app.config from defaults, the instance file, the environment and overrides."""
    app.config.from_object(Defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = (
        f"sqlite:///{Path(app.instance_path) / 'bottega.sqlite'}"
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(environment_settings(dict(os.environ)))
    if overrides:
        app.config.update(overrides)
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LOCALE"]
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["DEFAULT_TIMEZONE"]
    if app.config.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    _check(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def image_sources(value: str | tuple | list) -> tuple[str, ...]:
    """Return IMAGE_SOURCES as CSP sources ("none" or "" is none), or raise ConfigError."""
    words = value.split() if isinstance(value, str) else [str(word) for word in value]
    if [word.strip("'").lower() for word in words] in ([], ["none"], ["self"]):
        return ()
    for word in words:
        if not _IMAGE_SOURCE.fullmatch(word):
            raise ConfigError(
                f"IMAGE_SOURCES={value!r}: {word!r} is not an image source; use e.g. "
                '"https:", "https://img.example.com" (several separated by spaces) or "none".'
            )
    return tuple(words)


#: The password hash methods werkzeug knows, with their optional parameters.
_HASH_METHOD = re.compile(
    r"scrypt(?::(\d+):(\d+):(\d+))?|pbkdf2(?::sha(?:256|384|512)(?::(\d+))?)?"
)


def hash_method_works(method: str, *, weak: bool = False) -> bool:
    """Return whether werkzeug can hash with a method and it is strong enough for people's
    passwords (weak: any working parameters, for tests)."""
    found = _HASH_METHOD.fullmatch(method)
    if found is None:
        return False
    n, r, p, iterations = (int(number) if number else None for number in found.groups())
    if n is not None:
        power_of_two = n >= 2 and n & (n - 1) == 0
        return power_of_two and r >= 1 and p >= 1 and (weak or n >= 2**14)
    return iterations is None or iterations >= (1 if weak else 100_000)


def _check(config) -> None:
    """Raise ConfigError for settings whose value cannot work, naming them."""
    url = config["SQLALCHEMY_DATABASE_URI"]
    if "://" not in url:
        raise ConfigError(
            f"DATABASE_URL={url!r} is not a database URL: use e.g. sqlite:///path/wiki.sqlite "
            "or postgresql+psycopg://user@host/dbname."
        )
    for name in ("MAX_PAGE_BYTES", "HISTORY_PAGE_SIZE", "RENDER_WORKERS"):
        if int(config[name]) < 1:
            raise ConfigError(f"{name}={config[name]!r}: must be at least 1.")
    for name in ("RENDER_TIMEOUT", "RENDER_QUEUE_SECONDS"):
        if float(config[name]) <= 0:
            raise ConfigError(f"{name}={config[name]!r}: must be above 0.")
    if config["REVIEW_WAITING_SHOWN"] not in ("members", "reviewers"):
        raise ConfigError(
            f"REVIEW_WAITING_SHOWN={config['REVIEW_WAITING_SHOWN']!r}: use members (everyone "
            "logged in sees changes waiting for review) or reviewers (only reviewers do)."
        )
    config["IMAGE_SOURCES"] = image_sources(config["IMAGE_SOURCES"])
    if not hash_method_works(config["PASSWORD_HASH_METHOD"], weak=bool(config.get("TESTING"))):
        raise ConfigError(
            f"PASSWORD_HASH_METHOD={config['PASSWORD_HASH_METHOD']!r}: use scrypt (or "
            "scrypt:n:r:p, n a power of two of at least 16384) or pbkdf2 (or "
            "pbkdf2:sha256:iterations, at least 100000 iterations)."
        )


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
