"""Helpers the templates use: page URLs, relative times, size changes."""

from datetime import UTC, datetime

from flask import Flask, url_for
from flask_babel import format_datetime, format_timedelta
from flask_babel import gettext as _
from markupsafe import Markup, escape


def page_url(title: str, endpoint: str = "pages.view", **values) -> str:
    """Return the URL of a page-level view for a display title."""
    return url_for(endpoint, title=title.replace(" ", "_"), **values)


def reltime(moment: datetime | None) -> Markup:
    """Return a <time> saying "3 hours ago", with the exact time on hover."""
    if moment is None:
        return Markup("")
    exact = format_datetime(moment, "medium")
    ago = _("%(time)s ago", time=format_timedelta(datetime.now(UTC) - moment))
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        moment.isoformat(), exact, ago
    )


def size_change(delta: int) -> Markup:
    """Return a coloured +123 / −45 for a change in bytes."""
    if delta > 0:
        css, text = "size-up", f"+{delta:,}"
    elif delta < 0:
        css, text = "size-down", f"\u2212{-delta:,}"
    else:
        css, text = "size-same", "0"
    big = " size-big" if abs(delta) >= 500 else ""
    return Markup('<span class="size {}{}" title="{}">{}</span>').format(
        css, big, _("%(count)s bytes", count=f"{delta:+,}"), escape(text)
    )


def register(app: Flask) -> None:
    """Make the helpers available in every template."""
    from .history.rows import kind_badge, revision_row, user_link

    app.jinja_env.globals.update(
        page_url=page_url,
        reltime=reltime,
        size_change=size_change,
        user_link_html=user_link,
        kind_badge_html=kind_badge,
        revision_row=revision_row,
    )
    app.jinja_env.filters["datetime"] = lambda moment: format_datetime(moment, "medium")
