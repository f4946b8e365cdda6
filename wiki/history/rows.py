"""The fixed part of a history row, rendered once per revision and locale.

Revisions never change, so what a row says about one (time, author, size change, kind,
summary) is a fragment cached per app: a history page of 50 rows then costs little more
than one of 10. The HTML itself is the macro in templates/history/_row.html.
"""

import threading

from cachetools import LRUCache
from flask import current_app, get_template_attribute
from flask_babel import get_locale, get_timezone
from markupsafe import Markup

from ..models import Revision

MAX_ROWS = 20_000


class RowCache:
    """Row HTML by (revision id, locale, time zone), least recently used dropped."""

    def __init__(self) -> None:
        self.rows: LRUCache = LRUCache(maxsize=MAX_ROWS)
        self.lock = threading.Lock()


def _cache() -> RowCache:
    """Return this app's row cache (each app has its own database, hence its own ids)."""
    return current_app.extensions.setdefault("history_rows", RowCache())


def revision_row(revision: Revision, size_change: int | None = None) -> Markup:
    """Return the time link, author, size change, badges and summary of a revision (its
    size change from the revision before it that the reader sees, if not its parent)."""
    change = revision.size_change if size_change is None else size_change
    key = (revision.id, change, str(get_locale()), str(get_timezone()))
    cache = _cache()
    with cache.lock:
        cached = cache.rows.get(key)
    if cached is not None:
        return cached
    row = Markup(get_template_attribute("history/_row.html", "revision_row")(revision, change))
    with cache.lock:
        cache.rows[key] = row
    return row
