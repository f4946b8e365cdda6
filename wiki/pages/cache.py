"""A short-lived cache of whole page views for anonymous readers.

A page view costs a few queries and a template; serving it from memory to readers without
a session costs almost nothing. Entries live PAGE_CACHE_SECONDS at most, and any change
made through this process (a POST that succeeds) empties the cache at once, so a reader
sees another server process's edit after at most that many seconds.
"""

import threading
import time
from collections import OrderedDict

from flask import Flask, Response, request

_CACHEABLE_ENDPOINTS = {"pages.view"}
MAX_ENTRIES = 512


class PageCache:
    """Rendered responses by URL, each with an expiry time; least recently used dropped."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: str) -> tuple[bytes, str] | None:
        """Return the body and mimetype kept for key, unless missing or expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1], entry[2]

    def put(self, key: str, body: bytes, mimetype: str, seconds: float) -> None:
        """Keep a response body for a number of seconds."""
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, body, mimetype)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


def _cache_key(app: Flask) -> str | None:
    """Return the cache key of this request, or None if it must not be served from cache."""
    if request.method != "GET" or request.endpoint not in _CACHEABLE_ENDPOINTS:
        return None
    if app.config["PAGE_CACHE_SECONDS"] <= 0:
        return None
    # Readers with a session may be logged in or have messages waiting: never cache them.
    if request.cookies.get(app.config["SESSION_COOKIE_NAME"]):
        return None
    return f"{request.full_path}|{request.accept_languages}"


def register(app: Flask) -> None:
    """Serve anonymous page views from the cache and keep it fresh after changes."""
    cache = PageCache()
    app.extensions["page_cache"] = cache

    @app.before_request
    def _serve_cached():
        key = _cache_key(app)
        if key is not None:
            hit = cache.get(key)
            if hit is not None:
                return Response(hit[0], mimetype=hit[1])
        return None

    @app.after_request
    def _remember(response: Response) -> Response:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if response.status_code < 400:
                cache.clear()
            return response
        key = _cache_key(app)
        if (
            key is not None
            and response.status_code == 200
            and "Set-Cookie" not in response.headers
            and not response.direct_passthrough
        ):
            cache.put(
                key, response.get_data(), response.mimetype, app.config["PAGE_CACHE_SECONDS"]
            )
        return response
