"""Parts of pages that every reader sees alike, drawn once per process and remembered.

The frame of every page (templates/base.html: head, search, menus, footer) holds some
twenty translated messages and as many built URLs; drawing it was a quarter of an
uncached page view. A template marks such a part with

    {% call fragment("name", value, …) %} … {% endcall %}

and it is drawn once per (name, language, address the request came to, values) and reused
as it was drawn. The values must name everything else the part shows: a fragment holds
nothing of the person (no account, role, form token, flash) and nothing of the request
but its language and address (scheme, host, prefix: built URLs and absolute links depend
on them). Outside a request, and when templates reload as they change (debug), nothing is
remembered.
"""

import threading

from cachetools import LRUCache
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup

from .site import shown_site

#: app.extensions key of the app's fragments.
EXTENSION = "bottega.fragments"
#: Fragments kept per process: the frames (a few kilobytes each) and the rows of lists of
#: changes (recent changes, watchlists, contributions: half a kilobyte each, 50 a list).
MAX_FRAGMENTS = 8192
#: g key of this request's fragments and key prefix, made for its locale (_request_base).
REQUEST_BASE = "bottega_fragment_base"


class Fragments:
    """Drawn fragments by key, least recently used dropped."""

    def __init__(self, max_entries: int = MAX_FRAGMENTS) -> None:
        self._entries: LRUCache = LRUCache(maxsize=max_entries)
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Markup | None:
        """Return the fragment kept under key, or None."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: tuple, drawn: Markup) -> None:
        """Keep a drawn fragment under key."""
        with self._lock:
            self._entries[key] = drawn


def fragment(name: str, *values, caller) -> Markup:
    """Return the part drawn by caller, drawn once per name, language, address and values."""
    base = _request_base()
    if base is None:
        return caller()
    fragments, prefix = base
    key = (name, *prefix, *values)
    drawn = fragments.get(key)
    if drawn is None:
        drawn = caller()
        fragments.put(key, drawn)
    return drawn


def _request_base() -> tuple[Fragments, tuple] | None:
    """Return the app's fragments and what every key of this request starts with (its
    language, address and the settings fragments show), or None: nothing is remembered."""
    if not has_request_context():
        return None
    # Made once per request (a page view draws some fifteen fragments), and marked with the
    # request's environ: g lives as long as the app context, which a job or a test may keep
    # for several requests.
    environ = request.environ
    kept = g.get(REQUEST_BASE)
    if kept is not None and kept[0] is environ:
        return kept[1]
    app = current_app._get_current_object()
    base = None
    if not app.jinja_env.auto_reload:
        config = app.config
        # The site's name, tagline, canonical addresses and share image are shown in
        # fragments (an administrator's change of the first two is a content change, seen by
        # every process at its next request; the header's key holds the logo).
        settings = (shown_site(), config.get("SITE_URL"), config.get("SHARE_IMAGE"))
        prefix = (str(get_locale()), request.url_root, settings)
        base = (app.extensions[EXTENSION], prefix)
    setattr(g, REQUEST_BASE, (environ, base))
    return base


def register(app: Flask) -> None:
    """Give the app its fragments and templates the fragment() call."""
    app.extensions[EXTENSION] = Fragments()
    app.jinja_env.globals["fragment"] = fragment
