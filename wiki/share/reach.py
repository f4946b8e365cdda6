"""Reach: page views counted per page and day, without cookies or anything about the reader.

A view adds one to a counter in this process's memory; a thread writes the counters to
the database in one batch every REACH_FLUSH_SECONDS, so counting costs a page view a dict
update. With REDIS_URL set, each process adds its batch to a Redis hash and whichever
process holds a short lock moves the hash into the database: many processes, few writes.
Requests from bots (by user agent), prefetches and HEAD requests are not counted.
"""

import atexit
import functools
import logging
import os
import re
import threading
import time
import uuid
import weakref
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from flask import Flask, Request, current_app, request
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from .. import events
from ..core.titles import TitleError, title_from_url, title_key
from ..database import write_transaction
from ..extensions import db
from ..models import Page
from .models import PageView

log = logging.getLogger(__name__)

EXTENSION = "bottega_reach"
#: User agents that are programs, not people: crawlers, link unfurlers, monitors, tools.
BOT = re.compile(
    r"bot|crawl|spider|slurp|archiv|preview|fetch|scan|monitor|probe|check|validator"
    r"|headless|lighthouse|pingdom|facebookexternalhit|embedly|whatsapp|telegram|discord"
    r"|slack|skype|curl|wget|httpie|python|java/|go-http|okhttp|libwww|axios|node-fetch"
    r"|feed|rss|^$",
    re.IGNORECASE,
)
#: Flushers with nothing to write for this many rounds stop; the next view starts one.
IDLE_ROUNDS = 6


@functools.lru_cache(maxsize=1024)
def is_bot(user_agent: str | None) -> bool:
    """Return whether a user agent is a program rather than a person's browser (remembered:
    a site sees the same few hundred user agents again and again)."""
    return bool(BOT.search(user_agent or ""))


@functools.lru_cache(maxsize=4096)
def _key_of(url_title: str) -> str | None:
    """Return the title key a page view's URL names, or None if it names no title."""
    try:
        return title_key(title_from_url(url_title))
    except TitleError:
        return None


def today() -> date:
    """Return the current day in UTC (days are counted in UTC)."""
    return datetime.now(UTC).date()


class ViewCounter:
    """This process's unwritten view counts, and the thread that writes them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.counts: Counter = Counter()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = os.getpid()

    def count(self, key: str) -> None:
        """Add one view of the page with this title key, today."""
        with self.lock:
            self.counts[today(), key] += 1
            if self.thread is None or self.pid != os.getpid():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._loop, name="bottega-reach")
                self.thread.daemon = True
                self.thread.start()

    def take(self) -> Counter:
        """Return the counts so far and start afresh."""
        with self.lock:
            taken, self.counts = self.counts, Counter()
        return taken

    def give_back(self, counts: Counter) -> None:
        """Put counts that could not be written back, to try again with the next batch."""
        with self.lock:
            self.counts.update(counts)

    def flush(self) -> int:
        """Write the counts so far; return how many views were written."""
        counts = self.take()
        if not counts:
            return 0
        try:
            with self.app.app_context():
                if self.app.config.get("REDIS_URL"):
                    _to_redis(self.app, counts)
                    drain_redis(self.app)
                else:
                    store(counts)
        except OperationalError as error:
            # A database busy with writes (SQLite under a burst of saves) is no fault: wait.
            log.warning("page view counts wait for the next batch: %s", error.orig)
            self.give_back(counts)
            return 0
        except Exception:
            log.exception("writing page view counts failed; they are kept for the next batch")
            self.give_back(counts)
            return 0
        return sum(counts.values())

    def _loop(self) -> None:
        """Flush every REACH_FLUSH_SECONDS; stop after a few rounds with nothing to write."""
        idle = 0
        while True:
            time.sleep(float(self.app.config.get("REACH_FLUSH_SECONDS", 10.0)))
            idle = 0 if self.flush() else idle + 1
            if idle >= IDLE_ROUNDS:
                with self.lock:
                    if not self.counts:
                        self.thread = None
                        return


def counter(app: Flask | None = None) -> ViewCounter:
    """Return the app's view counter."""
    app = app or current_app._get_current_object()
    return app.extensions[EXTENSION]


def flush(app: Flask | None = None) -> int:
    """Write this process's counts now (and Redis's, when used); return how many."""
    app = app or current_app._get_current_object()
    written = counter(app).flush()
    if app.config.get("REDIS_URL"):
        with app.app_context():
            drain_redis(app)
    return written


def _insert(session):
    """Return an INSERT for the session's engine that supports ON CONFLICT."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(PageView)


def store(counts: Counter) -> None:
    """Add counts {(day, page key): views} to the database in one transaction."""
    with write_transaction() as session:  # SQLite: BEGIN IMMEDIATE, so it waits its turn
        _store(session, counts)


def _store(session, counts: Counter) -> None:
    """Add the counts inside the caller's write transaction."""
    keys = {key for _, key in counts}
    ids = dict(session.execute(select(Page.key, Page.id).where(Page.key.in_(keys))).all())
    rows: Counter = Counter()
    for (day, key), views in counts.items():
        if key in ids:  # a view of a page since deleted for good counts for nothing
            rows[ids[key], day] += views
    if rows:
        statement = _insert(session)
        statement = statement.on_conflict_do_update(
            index_elements=["page_id", "day"],
            set_={"views": PageView.views + statement.excluded.views},
        )
        # Sorted, so two processes writing at once take the row locks in the same order.
        values = [
            {"page_id": page_id, "day": day, "views": views}
            for (page_id, day), views in sorted(rows.items())
        ]
        session.execute(statement, values)


def _redis(app: Flask):
    """Return a Redis client for the app (one per app)."""
    client = app.extensions.get(EXTENSION + "_redis")
    if client is None:
        from redis import Redis

        client = Redis.from_url(app.config["REDIS_URL"])
        app.extensions[EXTENSION + "_redis"] = client
    return client


def _redis_key(app: Flask) -> str:
    return app.config.get("REACH_REDIS_KEY") or "bottega:reach"


def _to_redis(app: Flask, counts: Counter) -> None:
    """Add counts to the shared hash in Redis."""
    pipe = _redis(app).pipeline(transaction=False)
    for (day, key), views in counts.items():
        pipe.hincrby(_redis_key(app), f"{day.isoformat()}|{key}", views)
    pipe.execute()


def drain_redis(app: Flask) -> None:
    """Move the shared counts from Redis into the database, if no other process is at it."""
    client, key = _redis(app), _redis_key(app)
    if not client.set(f"{key}:lock", "1", nx=True, ex=60):
        return
    batch = f"{key}:batch:{uuid.uuid4().hex}"
    try:
        try:
            client.rename(key, batch)  # atomic: views counted from now on go to a new hash
        except Exception:  # no hash: nothing counted since the last drain
            return
        raw = client.hgetall(batch)
        counts: Counter = Counter()
        for field, views in raw.items():
            day, _, page_key = field.decode().partition("|")
            counts[date.fromisoformat(day), page_key] += int(views)
        try:
            store(counts)
        except Exception:
            db.session.rollback()
            _to_redis(app, counts)  # keep them for the next drain
            raise
        finally:
            client.delete(batch)
    finally:
        client.delete(f"{key}:lock")


def count_view(response):
    """Count a page view served to a person (also from the page cache); after each request."""
    if (
        response.status_code == 200
        and request.endpoint == "pages.view"
        and request.method == "GET"
        and current_app.config.get("REACH_ENABLED", True)
        and _read_by_a_person(request)
    ):
        key = _key_of((request.view_args or {}).get("title", ""))
        if key is not None:
            counter().count(key)
    return response


def count_served(app: Flask, asked: Request, title: str, **_extra) -> None:
    """Count a page view the page cache answered before Flask saw the request."""
    if app.config.get("REACH_ENABLED", True) and _read_by_a_person(asked):
        key = _key_of(title)
        if key is not None:
            counter(app).count(key)


def _read_by_a_person(asked: Request) -> bool:
    """Return whether a page view counts: a browser's, not a program's or a prefetch."""
    # Read from the environ: this runs for every view, also those the front door answers
    # in a few microseconds, where parsing the user agent and the query would show.
    environ = asked.environ
    return (
        not is_bot(environ.get("HTTP_USER_AGENT", ""))
        and "prefetch" not in environ.get("HTTP_SEC_PURPOSE", "")
        and environ.get("HTTP_PURPOSE") != "prefetch"
        and (
            "redirect" not in environ.get("QUERY_STRING", "") or asked.args.get("redirect") != "no"
        )
    )


#: Every app's counter, to write what is left when the process ends.
_counters: "weakref.WeakSet[ViewCounter]" = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    """Write the counts every app of this process still holds (the process is ending)."""
    for found in list(_counters):
        if found.counts:
            found.flush()


def register(app: Flask) -> None:
    """Count page views after each request."""
    found = ViewCounter(app)
    app.extensions[EXTENSION] = found
    _counters.add(found)
    app.after_request(count_view)
    events.page_view_served.connect(count_served, app, weak=False)


# Reading the counts


def views_per_day(page_id: int, days: int) -> dict[date, int]:
    """Return {day: views} of a page over the last `days` days (today included)."""
    since = today() - timedelta(days=days - 1)
    rows = db.session.execute(
        select(PageView.day, PageView.views).where(
            PageView.page_id == page_id, PageView.day >= since
        )
    )
    return {day: views for day, views in rows}


def _shown_pages():
    """Return the condition for pages the lists may show: current, not deleted, no redirect."""
    return (
        Page.deleted.is_(False),
        Page.latest_revision_id.is_not(None),
        Page.redirect_key.is_(None),
    )


def most_read(days: int = 30, limit: int = 10) -> list[tuple[str, int]]:
    """Return (title, views) of the most read pages of the last `days` days."""
    since = today() - timedelta(days=days - 1)
    total = func.sum(PageView.views)
    rows = db.session.execute(
        select(Page.title, total)
        .join(Page, Page.id == PageView.page_id)
        .where(PageView.day >= since, *_shown_pages())
        .group_by(Page.id, Page.title)
        .order_by(total.desc(), Page.title)
        .limit(limit)
    )
    return [(title, int(views)) for title, views in rows]


def trending(days: int = 7, limit: int = 10) -> list[tuple[str, int, int]]:
    """Return (title, views, views the period before) of the pages read more than before,
    the largest rise first; a page needs a few views to trend."""
    start = today() - timedelta(days=days - 1)
    before = start - timedelta(days=days)
    recent = func.sum(PageView.views).filter(PageView.day >= start)
    earlier = func.coalesce(func.sum(PageView.views).filter(PageView.day < start), 0)
    rows = db.session.execute(
        select(Page.title, recent, earlier)
        .join(Page, Page.id == PageView.page_id)
        .where(PageView.day >= before, *_shown_pages())
        .group_by(Page.id, Page.title)
        .having(recent >= 3, recent > earlier)
        # The rise relative to what it was: a page going from 0 to 30 beats 300 to 330.
        .order_by(((recent - earlier) * 1.0 / (earlier + 5)).desc(), Page.title)
        .limit(limit)
    )
    return [(title, int(views), int(old)) for title, views, old in rows]
