"""Counting activity over time, and drawing it as a weekly bar chart."""

from datetime import UTC, date, datetime, timedelta

from flask_babel import format_date, ngettext
from markupsafe import Markup
from sqlalchemy import func, select

from ...core.charts import Bar, Tick, bar_chart, date_ticks, weekly_counts
from ...extensions import db
from ...models import Revision
from ..sql import day_from_number, day_number

WEEKS = 52


def edits_per_day(
    *,
    since: datetime,
    author_id: int | None = None,
    page_id: int | None = None,
    leaving_out: list[int] | None = None,
):
    """Return {day: number of edits} since a moment, for one author or one page (leaving
    out these revisions: those a reader may not see)."""
    day = day_number(db.session(), Revision.created_at)
    query = select(day, func.count()).where(Revision.created_at >= since)
    if author_id is not None:
        query = query.where(Revision.author_id == author_id)
    if page_id is not None:
        query = query.where(Revision.page_id == page_id)
    if leaving_out:
        query = query.where(Revision.id.not_in(leaving_out))
    rows = db.session.execute(query.group_by(day))
    return {day_from_number(number): count for number, count in rows}


def year_start(today: date | None = None) -> datetime:
    """Return the Monday, at midnight UTC, that starts the chart's first week."""
    today = today or datetime.now(UTC).date()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    return datetime(first.year, first.month, first.day, tzinfo=UTC)


def month_label(day: date) -> str:
    """Return a month as a chart's date axis names it: "Mar", or the year at January."""
    return format_date(day, "yyyy" if day.month == 1 else "MMM")


def chart_dates(days: list[date]) -> list[Tick]:
    """Return the date axis of a chart whose bars start on these days."""
    return date_ticks(days, long=lambda day: format_date(day, "medium"), short=month_label)


def weekly_chart(per_day: dict[date, int], *, title: str, ident: str) -> Markup:
    """Return the SVG chart of edits per week over the last year."""
    weeks = weekly_counts(per_day, datetime.now(UTC).date(), WEEKS)
    bars = [
        Bar(
            count,
            ngettext(
                "Week of %(day)s: %(num)s edit",
                "Week of %(day)s: %(num)s edits",
                count,
                day=format_date(monday, "medium"),
            ),
        )
        for monday, count in weeks
    ]
    total = sum(count for _, count in weeks)
    busiest = max(weeks, key=lambda week: week[1]) if weeks else None
    description = ngettext(
        "%(num)s edit in the last 52 weeks.", "%(num)s edits in the last 52 weeks.", total
    )
    if busiest and busiest[1]:
        description += " " + ngettext(
            "Busiest week: %(day)s, %(num)s edit.",
            "Busiest week: %(day)s, %(num)s edits.",
            busiest[1],
            day=format_date(busiest[0], "medium"),
        )
    ticks = chart_dates([monday for monday, _ in weeks])
    return Markup(bar_chart(bars, title=title, description=description, ticks=ticks, ident=ident))
