"""The wiki's own stylesheets, scripts and icons under addresses that change with them.

url_for("static", filename=…) adds ?v=<digest of the file>, and a request carrying the
digest of the file this process serves is answered "keep it for a year": a browser loads
each file once, not again with every page (before, each page view asked again about eight
files, and each question was a request through the app). A changed file has a new address;
a request with an old or a wrong digest (a page drawn before a deploy, in a process still
serving the old file) is answered as before, to be asked again.
"""

import hashlib
import os
import threading

from flask import Flask, current_app, request

#: How long a browser keeps a file whose address names its content (seconds).
YEAR = 365 * 24 * 3600
#: The query parameter that names a file's content.
VERSION = "v"


class Digests:
    """The content digest of each static file, read once per process (again on a change
    when templates reload, as under `make run`'s debug mode)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self._known: dict[str, tuple[int, str]] = {}
        self._lock = threading.Lock()

    def of(self, filename: str, recheck: bool) -> str | None:
        """Return the file's digest, or None if there is no such file in the folder."""
        known = self._known.get(filename)
        if known is not None and not recheck:
            return known[1]
        path = os.path.join(self.folder, filename)
        try:
            changed = os.stat(path).st_mtime_ns
            if known is not None and known[0] == changed:
                return known[1]
            if os.path.commonpath([self.folder, os.path.realpath(path)]) != self.folder:
                return None
            with open(path, "rb") as file:
                digest = hashlib.blake2b(file.read(), digest_size=6).hexdigest()
        except (OSError, ValueError):
            return None
        with self._lock:
            self._known[filename] = (changed, digest)
        return digest


def _add_version(endpoint: str, values: dict) -> None:
    """Add the file's digest to every address of a static file the app builds."""
    if endpoint != "static" or VERSION in values or "filename" not in values:
        return
    app = current_app
    digest = app.extensions["bottega.assets"].of(values["filename"], app.jinja_env.auto_reload)
    if digest is not None:
        values[VERSION] = digest


def _cache_named_files(response):
    """Let browsers keep a static file for a year when its address names this content."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    asked = request.args.get(VERSION)
    filename = (request.view_args or {}).get("filename", "")
    digests = current_app.extensions["bottega.assets"]
    if asked and asked == digests.of(filename, current_app.jinja_env.auto_reload):
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
        response.cache_control.no_cache = None
    return response


def register(app: Flask) -> None:
    """Version the addresses of static files and let browsers keep what they name."""
    app.extensions["bottega.assets"] = Digests(os.path.realpath(app.static_folder))
    app.url_defaults(_add_version)
    app.after_request(_cache_named_files)
