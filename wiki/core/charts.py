"""Small bar charts as SVG markup, drawn on the server; pure: plain values in, a string out.

The SVG carries a <title> and <desc> for screen readers, a <title> on every bar (its
tooltip), and no style attribute or script, so it passes a strict Content-Security-Policy.
Colours are presentation attributes; the classes let a stylesheet override them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape


@dataclass(frozen=True)
class Bar:
    """One bar: its value, and the label shown when pointing at it (e.g. "Week of 3 Nov: 5")."""

    value: int
    label: str


def week_start(day: date) -> date:
    """Return the Monday of the week the day is in."""
    return day - timedelta(days=day.weekday())


def weekly_counts(
    per_day: Mapping[date, int], end: date, weeks: int = 52
) -> list[tuple[date, int]]:
    """Return (Monday, total) for the `weeks` weeks up to the one holding end, oldest first.

    Days outside that range are ignored.
    """
    last = week_start(end)
    first = last - timedelta(weeks=weeks - 1)
    totals = {first + timedelta(weeks=n): 0 for n in range(weeks)}
    for day, count in per_day.items():
        monday = week_start(day)
        if monday in totals:
            totals[monday] += count
    return sorted(totals.items())


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str = "",
    width: int = 640,
    height: int = 120,
    css_class: str = "chart",
    ident: str = "chart",
) -> str:
    """Return an SVG bar chart of the bars, left to right, scaled to the largest value.

    ident prefixes the ids the title and description get: unique per chart on a page.
    """
    uid = escape(ident)
    gap = 1 if len(bars) > 60 else 2
    slot = width / max(len(bars), 1)
    top = max((bar.value for bar in bars), default=0)
    baseline = height - 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{uid}-title {uid}-desc" preserveAspectRatio="none">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(description)}</desc>',
        f'<line class="chart-axis" x1="0" y1="{baseline}" x2="{width}" y2="{baseline}" '
        'stroke="#c9c4bb" stroke-width="1"/>',
    ]
    for index, bar in enumerate(bars):
        bar_height = 0.0 if top == 0 else (height - 4) * max(bar.value, 0) / top
        if bar.value > 0:
            bar_height = max(bar_height, 2.0)
        x = index * slot + gap / 2
        parts.append(
            f'<rect class="chart-bar" x="{x:.2f}" y="{baseline - bar_height:.2f}" '
            f'width="{max(slot - gap, 1):.2f}" height="{bar_height:.2f}" fill="#b5542c">'
            f"<title>{escape(bar.label)}</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)
