"""Small bar charts as SVG markup, drawn on the server; pure: plain values in, a string out.

The SVG carries a <title> and <desc> for screen readers, a <title> on every bar (its
tooltip), and no style attribute or script, so it passes a strict Content-Security-Policy.
Colours are presentation attributes; the classes let a stylesheet override them.

Across, positions are percentages and there is no viewBox: the chart fills any width while
its text keeps its size (a stretched viewBox would squash the labels on a phone). The count
labels sit left of the plot, outside the SVG's box (overflow="visible"): the stylesheet
leaves room for them.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

#: Pixels: room above the tallest bar for its count, the plot, and the two rows of dates.
TOP = 16
AXIS_ROW = 15
#: Label sparse bars with their counts when at most this many bars are not zero.
FEW_BARS = 8
MUTED = "#59626d"  # the stylesheet's --text-muted; a fallback when no stylesheet applies


@dataclass(frozen=True)
class Bar:
    """One bar: its value, and the label shown when pointing at it (e.g. "Week of 3 Nov: 5")."""

    value: int
    label: str


@dataclass(frozen=True)
class Tick:
    """A label under the bar at index: a month ("Mar") on the first row, or the first or
    last day of the chart on the second row. A minor one may be hidden on a narrow screen."""

    index: int
    label: str
    kind: str = "month"  # month | first | last
    minor: bool = False


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


def count_ticks(top: int) -> list[int]:
    """Return the values the count axis marks: 0 up to at least top, in at most 4 equal
    whole steps of 1, 2 or 5 times a power of ten (an empty chart still gets 0 and 1)."""
    top = max(top, 1)
    step = 1
    while -(-top // step) > 4:
        step = _next_step(step)
    return list(range(0, step * -(-top // step) + 1, step))


def _next_step(step: int) -> int:
    """Return the next of 1, 2, 5, 10, 20, 50, …"""
    digits = str(step)
    return step * 5 // 2 if digits[0] == "2" else step * 2


def date_ticks(
    days: Sequence[date], *, long: Callable[[date], str], short: Callable[[date], str]
) -> list[Tick]:
    """Return the date labels of a chart whose bars start on these days: the first and
    the last day written long, and each bar where a new month begins written short.
    Every other month is minor, so a narrow screen can show half of them."""
    if not days:
        return []
    ticks = [Tick(0, long(days[0]), "first"), Tick(len(days) - 1, long(days[-1]), "last")]
    months = [
        index
        for index in range(1, len(days) - 2)  # not under the last bars: no room left
        if (days[index].year, days[index].month) != (days[index - 1].year, days[index - 1].month)
    ]
    ticks += [
        Tick(index, short(days[index]), "month", minor=bool(number % 2))
        for number, index in enumerate(months)
    ]
    return ticks


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str = "",
    ticks: Sequence[Tick] = (),
    height: int = 120,
    css_class: str = "chart",
    ident: str = "chart",
) -> str:
    """Return an SVG bar chart of the bars, left to right, with a count axis on the left
    and the ticks' dates below; a bar with no value is drawn as a faint stub.

    height is the plot's, in pixels; ident prefixes the ids of the title and description
    (unique per chart on a page).
    """
    uid = escape(ident)
    slot = 100 / max(len(bars), 1)
    width = slot * (0.9 if len(bars) > 60 else 0.8)
    scale = count_ticks(max((bar.value for bar in bars), default=0))
    baseline = TOP + height
    rows = (1 if any(t.kind == "month" for t in ticks) else 0) + (
        1 if any(t.kind != "month" for t in ticks) else 0
    )
    total_height = baseline + 4 + rows * AXIS_ROW
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" role="img" '
        f'width="100%" height="{total_height}" overflow="visible" '
        f'aria-labelledby="{uid}-title {uid}-desc">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(description)}</desc>',
    ]
    parts += _count_axis(scale, baseline, height)
    sparse = sum(1 for bar in bars if bar.value > 0) <= FEW_BARS
    for index, bar in enumerate(bars):
        x = index * slot + (slot - width) / 2
        parts.append(_bar(bar, x, width, scale[-1], baseline, height))
        if sparse and bar.value > 0:
            parts.append(
                f'<text class="chart-value" x="{(index + 0.5) * slot:.3f}%" '
                f'y="{baseline - _bar_height(bar.value, scale[-1], height) - 4:.2f}" '
                f'text-anchor="middle" font-size="11" fill="{MUTED}">{bar.value}</text>'
            )
    parts += _date_axis(ticks, slot, baseline)
    parts.append("</svg>")
    return "".join(parts)


def _bar_height(value: int, scale_top: int, height: int) -> float:
    """Return a bar's height in pixels: in proportion, but a value above 0 at least 2."""
    if value <= 0:
        return 0.0
    return max(height * value / scale_top, 2.0)


def _bar(bar: Bar, x: float, width: float, scale_top: int, baseline: int, height: int) -> str:
    """Return one bar, with its label as a tooltip; an empty one is a 2-pixel stub."""
    tall = _bar_height(bar.value, scale_top, height)
    kind = "chart-bar" if bar.value > 0 else "chart-bar chart-bar-empty"
    fill = "#4a66e0" if bar.value > 0 else "#e2e5ea"
    shown = tall if bar.value > 0 else 2.0
    return (
        f'<rect class="{kind}" x="{x:.3f}%" y="{baseline - shown:.2f}" width="{width:.3f}%" '
        f'height="{shown:.2f}" fill="{fill}"><title>{escape(bar.label)}</title></rect>'
    )


def _count_axis(scale: list[int], baseline: int, height: int) -> list[str]:
    """Return the grid lines and their counts, left of the plot, the baseline last."""
    parts = []
    for value in scale:
        y = baseline - height * value / scale[-1]
        kind = "chart-axis" if value == 0 else "chart-grid"
        parts.append(
            f'<line class="{kind}" x1="0" y1="{y:.2f}" x2="100%" y2="{y:.2f}" '
            f'stroke="#c9ced6" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="chart-count" x="-6" y="{y + 4:.2f}" text-anchor="end" '
            f'font-size="11" fill="{MUTED}">{value}</text>'
        )
    return parts


def _date_axis(ticks: Sequence[Tick], slot: float, baseline: int) -> list[str]:
    """Return the tick marks and date labels: months on the first row, the first and
    last day on the second (or the only) row."""
    has_months = any(tick.kind == "month" for tick in ticks)
    parts = []
    for tick in ticks:
        minor = " chart-tick-minor" if tick.minor else ""
        if tick.kind == "month":
            x, anchor, row = f"{tick.index * slot:.3f}%", "start", 1
            parts.append(
                f'<line class="chart-tick{minor}" x1="{x}" y1="{baseline}" x2="{x}" '
                f'y2="{baseline + 4}" stroke="#c9ced6" stroke-width="1"/>'
            )
        else:
            first = tick.kind == "first"
            x, anchor = ("0", "start") if first else ("100%", "end")
            row = 2 if has_months else 1
        parts.append(
            f'<text class="chart-date{minor}" x="{x}" y="{baseline + row * AXIS_ROW:.2f}" '
            f'text-anchor="{anchor}" font-size="11" fill="{MUTED}">{escape(tick.label)}</text>'
        )
    return parts
