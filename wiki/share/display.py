"""What templates show of sharing: link preview tags, share links, noindex, reach."""

from datetime import UTC, datetime, timedelta

from flask import request
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from ..core.charts import Bar, bar_chart, date_ticks
from . import reach

#: Views search engines must not index: the past, talk, searches, editing.
NOINDEX_BLUEPRINTS = {"history", "talk", "search"}
NOINDEX_ENDPOINTS = {"pages.edit", "pages.undo", "community.recent", "community.info"}
CHART_DAYS = 90


def noindex() -> bool:
    """Return whether the current view must stay out of search engines."""
    endpoint = request.endpoint or ""
    if endpoint == "pages.view":
        return request.args.get("redirect") == "no"
    return endpoint in NOINDEX_ENDPOINTS or endpoint.partition(".")[0] in NOINDEX_BLUEPRINTS


def add_robots_header(response):
    """Say noindex in a header too, for what is not HTML (diff downloads) and for crawlers
    that read headers only."""
    if noindex():
        response.headers.setdefault("X-Robots-Tag", "noindex")
    return response


def w3c_date(moment: datetime) -> str:
    """Return a moment as sitemaps write it: ISO 8601 in UTC, to the second."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def reach_chart(per_day: dict, title: str, days: int = CHART_DAYS) -> Markup:
    """Return the SVG bar chart of views per day over the last `days` days."""
    last = reach.today()
    series = [(last - timedelta(days=offset), 0) for offset in range(days - 1, -1, -1)]
    series = [(day, per_day.get(day, 0)) for day, _ in series]
    bars = [
        Bar(
            views,
            ngettext(
                "%(day)s: %(num)s view",
                "%(day)s: %(num)s views",
                views,
                day=format_date(day, "medium"),
            ),
        )
        for day, views in series
    ]
    total = sum(views for _, views in series)
    description = ngettext(
        "%(num)s view in the last %(days)s days.",
        "%(num)s views in the last %(days)s days.",
        total,
        days=days,
    )
    busiest = max(series, key=lambda item: item[1])
    if busiest[1]:
        description += " " + ngettext(
            "Busiest day: %(day)s, %(num)s view.",
            "Busiest day: %(day)s, %(num)s views.",
            busiest[1],
            day=format_date(busiest[0], "medium"),
        )
    ticks = date_ticks(
        [day for day, _ in series],
        long=lambda day: format_date(day, "medium"),
        short=lambda day: format_date(day, "yyyy" if day.month == 1 else "MMM"),
    )
    chart = bar_chart(bars, title=title, description=description, ticks=ticks, ident="page-reach")
    return Markup(chart)


def page_reach(page) -> dict:
    """Return what the page information screen shows of a page's readers."""
    per_day = reach.views_per_day(page.id, CHART_DAYS)
    last_30 = reach.today() - timedelta(days=29)
    return {
        "chart": reach_chart(
            per_day, _("Views per day of %(title)s over the last 90 days", title=page.title)
        ),
        "total": sum(per_day.values()),
        "month": sum(views for day, views in per_day.items() if day >= last_30),
        "today": per_day.get(reach.today(), 0),
    }


def reach_lists() -> dict:
    """Return the community page's "most read" and "trending" lists."""
    return {"most_read": reach.most_read(), "trending": reach.trending()}
