"""The request's Clock writes lists' times and day headings as Flask-Babel's filters would,
in the reader's language and time zone."""

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale, format_date, format_datetime, format_time, format_timedelta

from tests.i18n_support import make_app, write_catalogue
from wiki.moments import clock, exact_time, full_date, reltime, short_time


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


@pytest.mark.parametrize("locale", ["en", "it"])
def test_a_moment_to_come_reads_as_to_come_not_as_past(app, locale):
    # A webhook's next try: "next try in 10 minutes", not "10 minutes ago".
    with app.test_request_context("/"), force_locale(locale):
        now = clock().now
        said = clock().ago_text(now + timedelta(minutes=10))
        assert said == format_timedelta(timedelta(minutes=10), add_direction=True)
        assert said != clock().ago_text(now - timedelta(minutes=10))


def test_one_moment_reads_in_each_readers_language_and_time_zone(app):
    moment = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)
    read = {}
    for zone, locale in [("UTC", "en"), ("Europe/Rome", "it"), ("UTC", "en")]:
        app.config["DEFAULT_TIMEZONE"] = zone
        # A request of its own (Flask-Babel keeps the time zone in the app context).
        with app.app_context(), app.test_request_context("/"), force_locale(locale):
            read[zone, locale] = exact_time(moment)
            assert read[zone, locale] == format_datetime(moment, "medium")
    assert "12:05" in read["UTC", "en"] and "14:05" in read["Europe/Rome", "it"]


def test_each_app_says_ago_in_its_own_catalogues_words(database_url, tmp_path):
    moment = datetime.now(UTC) - timedelta(hours=3)
    shown = {}
    for name, ago in (("one", "%(time)s fa"), ("two", "ben %(time)s fa")):
        folder = write_catalogue(tmp_path / name / "translations", "it", {"%(time)s ago": ago})
        app = make_app(database_url, tmp_path / name, folder)
        italian = {"headers": {"Accept-Language": "it"}}
        with app.app_context(), app.test_request_context("/", **italian):
            shown[name] = str(reltime(moment))
    assert "ben 3" not in shown["one"] and "ben 3" in shown["two"]


def test_requests_in_one_app_context_each_read_their_own_now(app):
    # A job or a command may run several requests in one app context (one g).
    with app.app_context():
        with app.test_request_context("/"):
            first = clock()
        with app.test_request_context("/"):
            assert clock() is not first and clock() is clock()
