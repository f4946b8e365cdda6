"""Moments as people read them: "3 hours ago", with the exact time on hover.

One implementation for every page. Formatting runs through a Clock made once per request:
babel's format_datetime parses and joins the locale's patterns anew on every call, which is
most of the cost of a page that shows a thousand comments.
"""

from datetime import UTC, date, datetime, timedelta

from babel import dates
from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from markupsafe import Markup, escape

#: How close to the next unit a time span is rounded up ("58 minutes" reads "1 hour").
THRESHOLD = 0.85
#: A moment this far ahead is one to come, not a clock a little fast (another server's).
FUTURE_FROM = timedelta(seconds=2)
#: Exact times kept per process, by (moment, locale, time zone): each costs ~100 bytes.
MAX_EXACT = 10_000
_EXACT: dict[tuple, str] = {}
#: app.extensions key: per locale, "%(time)s ago" translated and the medium pattern parsed.
_FORMS = "bottega.moment_forms"


def _medium_pattern(locale) -> dates.DateTimePattern:
    """Return the locale's medium date-and-time pattern, parsed."""
    return dates.parse_pattern(
        locale.datetime_formats["medium"]
        .replace("{0}", locale.time_formats["medium"].pattern)
        .replace("{1}", locale.date_formats["medium"].pattern)
    )


class Clock:
    """Formats moments for one locale and time zone, from patterns parsed once."""

    def __init__(self) -> None:
        self.locale = get_locale()
        self.timezone = get_timezone()
        self.now = datetime.now(UTC)
        # A handful of locales, kept per app (each app reads its own catalogues).
        kept = current_app.extensions.setdefault(_FORMS, {}) if has_app_context() else {}
        forms = kept.get(self.locale)
        if forms is None:
            forms = kept[self.locale] = (_("%(time)s ago"), _medium_pattern(self.locale))
        self.ago, self.pattern = forms

    def exact(self, moment: datetime) -> str:
        """Return the moment's date and time in the reader's time zone."""
        # A page's last edit is shown on every view of it: the same words each time.
        key = (moment, self.locale, self.timezone)
        found = _EXACT.get(key)
        if found is None:
            local = moment.astimezone(self.timezone)
            if hasattr(self.timezone, "normalize"):  # pytz
                local = self.timezone.normalize(local)
            found = self.pattern.apply(local, self.locale)
            if len(_EXACT) >= MAX_EXACT:
                _EXACT.clear()
            _EXACT[key] = found
        return found

    def short_time(self, moment: datetime) -> str:
        """Return the moment's time of day, short ("14:05"), in the reader's time zone: what
        flask_babel's timeformat('short') writes, without resolving the locale per call."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(self.timezone)
        if hasattr(self.timezone, "normalize"):  # pytz
            local = self.timezone.normalize(local)
        return self.locale.time_formats["short"].apply(local, self.locale)

    def full_date(self, day: date) -> str:
        """Return a day as the heading of a list names it ("Friday, December 4, 2026"):
        what flask_babel's dateformat('full') writes, without resolving the locale per call."""
        return self.locale.date_formats["full"].apply(day, self.locale)

    def ago_text(self, moment: datetime) -> str:
        """Return how long ago the moment was, e.g. "3 hours ago" (or, for one still to
        come, such as a delivery's next try, "in 10 seconds")."""
        if moment > self.now + FUTURE_FROM:
            return dates.format_timedelta(
                moment - self.now, threshold=THRESHOLD, add_direction=True, locale=self.locale
            )
        elapsed = dates.format_timedelta(
            self.now - moment, threshold=THRESHOLD, locale=self.locale
        )
        return self.ago % {"time": elapsed}

    def __call__(self, moment: datetime | None) -> Markup:
        """Return the <time> element for a moment: relative, with the exact time on hover."""
        if moment is None:
            return Markup("")
        exact = escape(self.exact(moment))
        # Both readings: the screen shows "3 hours ago", print shows the date (CSS).
        return Markup(
            f'<time datetime="{moment.isoformat()}" title="{exact}">'
            f'<span class="ago">{escape(self.ago_text(moment))}</span>'
            f'<span class="exact">{exact}</span></time>'
        )


def clock() -> Clock:
    """Return this request's clock (a new one outside a request)."""
    if not has_request_context():
        return Clock()
    # Marked with the request's environ: g lives as long as the app context, which a job or
    # a test may keep for several requests (each with its own "now").
    kept = g.get("clock")
    if kept is None or kept[0] is not request.environ:
        kept = g.clock = (request.environ, Clock())
    return kept[1]


def reltime(moment: datetime | None) -> Markup:
    """Return a <time> saying "3 hours ago", with the exact time on hover."""
    return clock()(moment)


def exact_time(moment: datetime | None) -> str:
    """Return a moment's date and time as the reader reads it ("" for None)."""
    return clock().exact(moment) if moment is not None else ""


def reader_zone() -> str:
    """Return the name of the reader's time zone (what moments are shown in)."""
    return str(clock().timezone)


def short_time(moment: datetime | None) -> str:
    """Return a moment's time of day as the reader reads it, short ("" for None)."""
    return clock().short_time(moment) if moment is not None else ""


def full_date(day: date) -> str:
    """Return a day as the reader reads it, in full ("Friday, December 4, 2026")."""
    return clock().full_date(day)
