"""The fixed part of a history row, built once per revision and locale.

Revisions never change, so what a row says about one (time, author, size change, kind,
summary) is cached; a history page of 50 rows then costs little more than one of 10.
"""

import threading
from collections import OrderedDict

from flask import current_app, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..models import Revision, User
from ..templating import size_change

MAX_ROWS = 20_000


class RowCache:
    """Row HTML by (revision id, locale), least recently used dropped; one per app."""

    def __init__(self) -> None:
        self.rows: OrderedDict[tuple, Markup] = OrderedDict()
        self.lock = threading.Lock()


def _cache() -> RowCache:
    """Return this app's row cache (each app has its own database, hence its own ids)."""
    return current_app.extensions.setdefault("history_rows", RowCache())


def user_link(user: User | None, address: str | None = None) -> Markup:
    """Return a link to a person's profile, or the masked address of an anonymous edit."""
    if user is None and address:
        return Markup('<span class="user user-anonymous" title="{}">{}</span>').format(
            _("An edit without an account, from this network"), address
        )
    if user is None:
        return Markup('<span class="user user-anonymous">{}</span>').format(_("anonymous"))
    href = url_for("people.profile", name=user.username)
    return Markup('<a class="user" href="{}">{}</a>').format(href, user.username)


def kind_badge(revision: Revision) -> Markup:
    """Return the badges saying how a revision came about, and the minor-edit mark."""
    labels = {
        "merge": _("merged"),
        "restore": _("restore"),
        "undo": _("undo"),
        "rollback": _("rollback"),
        "move": _("move"),
    }
    badge = Markup("")
    if revision.kind == "create":
        badge = Markup('<span class="badge badge-create" title="{}">{}</span>').format(
            _("This edit created the page"), _("new")
        )
    elif revision.kind != "edit":
        badge = Markup('<span class="badge badge-{}">{}</span>').format(
            revision.kind, labels.get(revision.kind, revision.kind)
        )
    if revision.minor:
        badge += Markup('<abbr class="minor" title="{}">m</abbr>').format(_("Minor edit"))
    return badge


def revision_row(revision: Revision) -> Markup:
    """Return the time link, author, size change, badges and summary of a revision."""
    key = (revision.id, str(get_locale()))
    cache = _cache()
    with cache.lock:
        cached = cache.rows.get(key)
        if cached is not None:
            cache.rows.move_to_end(key)
            return cached
    row = Markup('<a class="rev-time" href="{}">{}</a> {} {} {}').format(
        url_for("history.revision", revision_id=revision.id),
        format_datetime(revision.created_at, "medium"),
        user_link(revision.author, revision.author_ip),
        size_change(revision.size_change),
        kind_badge(revision),
    )
    if revision.summary:
        row += Markup(' <span class="summary">({})</span>').format(revision.summary)
    with cache.lock:
        cache.rows[key] = row
        while len(cache.rows) > MAX_ROWS:
            cache.rows.popitem(last=False)
    return row
