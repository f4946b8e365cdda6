"""The SVG bar chart and weekly bucketing: pure functions, no app."""

import xml.etree.ElementTree as ET
from datetime import date

from wiki.core.charts import Bar, bar_chart, week_start, weekly_counts

SVG = "{http://www.w3.org/2000/svg}"


def test_week_start_is_the_monday():
    assert week_start(date(2026, 11, 26)) == date(2026, 11, 23)  # a Thursday
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)


def test_weekly_counts_fill_empty_weeks_and_ignore_days_out_of_range():
    per_day = {
        date(2026, 11, 23): 2,
        date(2026, 11, 26): 3,
        date(2026, 11, 10): 1,
        date(2025, 1, 1): 99,  # more than 52 weeks ago
        date(2026, 12, 7): 99,  # after the end
    }
    weeks = weekly_counts(per_day, date(2026, 11, 26), weeks=4)
    assert weeks == [
        (date(2026, 11, 2), 0),
        (date(2026, 11, 9), 1),
        (date(2026, 11, 16), 0),
        (date(2026, 11, 23), 5),
    ]
    assert len(weekly_counts({}, date(2026, 11, 26))) == 52


def test_bar_chart_is_accessible_svg_scaled_to_its_count_axis():
    svg = bar_chart(
        [Bar(0, "Week 1: 0"), Bar(5, "Week 2: 5"), Bar(10, "Week <3> & more: 10")],
        title='Edits by "Anna" <3',
        description="15 edits",
        height=100,
        ident="anna",
    )
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "anna-title anna-desc"
    assert root.findtext(f"{SVG}title") == 'Edits by "Anna" <3'
    assert root.findtext(f"{SVG}desc") == "15 edits"
    bars = root.findall(f"{SVG}rect")
    assert [bar.findtext(f"{SVG}title") for bar in bars][2] == "Week <3> & more: 10"
    heights = [float(bar.get("height")) for bar in bars]
    # The axis reads 0, 5, 10: the tallest bar reaches its top; an empty week is a stub.
    assert heights == [2, 50, 100]
    assert "chart-bar-empty" in bars[0].get("class")
    assert "style=" not in svg and "<script" not in svg


def test_a_small_value_stays_visible_and_an_empty_chart_draws():
    svg = bar_chart([Bar(1, "a"), Bar(1000, "b")], title="t", height=100)
    assert float(ET.fromstring(svg).findall(f"{SVG}rect")[0].get("height")) >= 2
    assert ET.fromstring(bar_chart([], title="empty")).findall(f"{SVG}rect") == []
