"""The request's Clock writes lists' times and day headings as Flask-Babel's filters would,
in the reader's language and time zone."""

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale, format_date, format_datetime, format_time

from wiki.moments import exact_time, full_date, short_time


@pytest.mark.parametrize("locale", ["en", "it"])
def test_short_times_and_full_dates_read_as_babel_writes_them(app, locale):
    with app.test_request_context("/"), force_locale(locale):
        for hours in range(0, 72, 7):  # across a daylight saving change in Europe
            moment = datetime(2026, 3, 28, 0, 30, tzinfo=UTC) + timedelta(hours=hours)
            assert short_time(moment) == format_time(moment, "short")
            day = date(2026, 3, 28) + timedelta(days=hours)
            assert full_date(day) == format_date(day, "full")


def test_an_italian_reader_in_rome_reads_local_time(app):
    app.config["DEFAULT_TIMEZONE"] = "Europe/Rome"
    with app.test_request_context("/"), force_locale("it"):
        assert short_time(datetime(2026, 7, 1, 12, 5, tzinfo=UTC)) == "14:05"
        assert full_date(date(2026, 12, 4)) == "venerdì 4 dicembre 2026"


def test_one_moment_reads_in_each_readers_language_and_time_zone(app):
    moment = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)
    read = {}
    for zone, locale in [("UTC", "en"), ("Europe/Rome", "it"), ("UTC", "en")]:
        app.config["DEFAULT_TIMEZONE"] = zone
        # A request of its own (its own app context, as in production).
        with app.app_context(), app.test_request_context("/"), force_locale(locale):
            read[zone, locale] = exact_time(moment)
            assert read[zone, locale] == format_datetime(moment, "medium")
    assert "12:05" in read["UTC", "en"] and "14:05" in read["Europe/Rome", "it"]
