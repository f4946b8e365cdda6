"""The chart's axes: counts on the left, dates below, and sparse weeks still readable."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from wiki.core.charts import Bar, Tick, bar_chart, count_ticks, date_ticks, weekly_counts

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str, css_class: str) -> list[str]:
    """Return the text of the SVG's labels with this class, left to right as written."""
    return [
        node.text or ""
        for node in ET.fromstring(svg).iter(f"{SVG}text")
        if css_class in node.get("class", "").split()
    ]


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (0, [0, 1]),  # nothing yet: the axis still says what a bar would mean
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (4, [0, 1, 2, 3, 4]),
        (5, [0, 2, 4, 6]),
        (7, [0, 2, 4, 6, 8]),
        (10, [0, 5, 10]),
        (96, [0, 50, 100]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_the_count_axis_has_round_whole_steps_and_reaches_the_top(top, ticks):
    assert count_ticks(top) == ticks


def short(day: date) -> str:
    return day.strftime("%b")


def long(day: date) -> str:
    return day.isoformat()


def test_date_ticks_name_the_first_and_last_day_and_each_new_month():
    mondays = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(14)]  # 5 Jan .. 6 Apr
    ticks = date_ticks(mondays, long=long, short=short)
    assert ticks[:2] == [Tick(0, "2026-01-05", "first"), Tick(13, "2026-04-06", "last")]
    months = [(tick.index, tick.label, tick.minor) for tick in ticks[2:]]
    # February starts in week 5 (2 Feb), March in week 9; April's week 13 is the last bar,
    # which already carries the last day.
    assert months == [(4, "Feb", False), (8, "Mar", True)]
    assert date_ticks([], long=long, short=short) == []


def test_a_year_with_one_busy_week_is_readable():
    """One edit in 52 weeks: the bar is labelled with its count, the other weeks are
    visible as stubs, and the axes name the counts and the dates."""
    end = date(2026, 11, 26)
    weeks = weekly_counts({date(2026, 11, 3): 3}, end, 52)
    days = [monday for monday, _ in weeks]
    svg = bar_chart(
        [Bar(count, f"Week of {monday}: {count}") for monday, count in weeks],
        title="Edits",
        ticks=date_ticks(days, long=long, short=short),
    )
    bars = ET.fromstring(svg).findall(f"{SVG}rect")
    assert len(bars) == 52
    assert sum("chart-bar-empty" in bar.get("class") for bar in bars) == 51
    assert all(float(bar.get("height")) > 0 for bar in bars)  # every week can be pointed at
    assert texts(svg, "chart-value") == ["3"]
    assert texts(svg, "chart-count") == ["0", "1", "2", "3"]
    dates = texts(svg, "chart-date")
    assert dates[:2] == ["2025-12-01", "2026-11-23"]
    assert dates[2:] == "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov".split()


def test_busy_charts_carry_no_count_over_every_bar():
    svg = bar_chart([Bar(n % 7 + 1, str(n)) for n in range(52)], title="Busy")
    assert texts(svg, "chart-value") == []
    assert texts(svg, "chart-count") == ["0", "2", "4", "6", "8"]


def test_the_chart_fills_any_width_without_squashing_its_text():
    svg = bar_chart([Bar(1, "a"), Bar(2, "b")], title="t", ticks=[Tick(0, "start", "first")])
    root = ET.fromstring(svg)
    assert root.get("width") == "100%" and root.get("viewBox") is None
    assert all(bar.get("x").endswith("%") for bar in root.findall(f"{SVG}rect"))
    assert "style=" not in svg and "<script" not in svg
