"""Work a save leaves for after its answer (word authorship, the search index): noted in
the save's transaction, done by a job once it commits.

The note is a row (page, kind) written with the save, so it commits or rolls back with it;
the job does each kind's work for the page in its own savepoint and removes the rows it
read (a save meanwhile adds rows of its own: it never waits for the job). A job lost with
its process leaves its rows: the sweep (when a worker starts, and now and then in
requests) queues them again. Every kind's work brings the page up to date from whatever is
stored, so doing it twice, or late, or for several saves at once is harmless.
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, current_app, has_app_context, has_request_context
from sqlalchemy import bindparam, delete, event, func, insert, select
from sqlalchemy.orm import Session

from . import jobs
from .database import write_transaction
from .extensions import db
from .models import PageFollowUp, utcnow
from .periodic import every

log = logging.getLogger(__name__)

JOB = "pages.follow-up"
#: Notes older than this are taken as lost by the sweep (their job should have run).
LOST_AFTER = timedelta(minutes=2)
SWEEP_SECONDS = 300
_NOTED = "follow_ups_noted"
#: What each kind of work does for a page (its id), in the order registered.
_WORK: dict[str, Callable[[int], None]] = {}


def work(kind: str) -> Callable[[Callable[[int], None]], Callable[[int], None]]:
    """Register the function that does a kind of follow-up for a page (given its id)."""

    def register(function: Callable[[int], None]) -> Callable[[int], None]:
        _WORK[kind] = function
        return function

    return register


def note(kind: str, page_id: int) -> None:
    """Leave a kind of work on the page for after the current transaction commits."""
    if kind not in _WORK:
        raise KeyError(f"no follow-up called {kind!r}")
    db.session().info.setdefault(_NOTED, set()).add((page_id, kind))


@event.listens_for(Session, "before_commit")
def _write_notes(session: Session) -> None:
    """Write the transaction's notes with it, as one statement."""
    if session.in_nested_transaction() or not session.info.get(_NOTED):
        return
    now = utcnow()
    rows = [{"page": p, "kind": k, "now": now} for p, k in sorted(session.info[_NOTED])]
    session.execute(_INSERT, rows)


#: Built once (values bound when run): every save writes its notes with it.
_INSERT = insert(PageFollowUp).values(
    page_id=bindparam("page"),
    kind=bindparam("kind"),
    noted_at=bindparam("now", type_=PageFollowUp.__table__.c.noted_at.type),
)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    """Queue a job for each page the committed transaction left work on: from a request,
    once its answer (and the page view it redirects to) has had time to go out."""
    if session.in_nested_transaction():  # a savepoint released: nothing is committed yet
        return
    noted = session.info.pop(_NOTED, None)
    if not noted or not has_app_context():
        return
    # The job's thread shares the process's interpreter: started at once, it took the
    # interpreter from the request finishing its answer (a save 13.7 -> 16.2 ms over HTTP).
    # With Redis the worker is another process: at once (RQ's scheduler adds a second).
    config = current_app.config
    in_process = has_request_context() and not config.get("REDIS_URL")
    delay = config["FOLLOW_UP_AFTER_ANSWER"] if in_process else 0.0
    for page_id in sorted({page_id for page_id, _kind in noted}):
        jobs.enqueue(JOB, page_id, delay=delay)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    """A transaction rolled back (or tried again) left nothing to do."""
    if not session.in_nested_transaction():  # a savepoint's rollback leaves the rest
        session.info.pop(_NOTED, None)


@jobs.task(JOB, sweep=True)
def _follow_up_job(page_id: int | None = None) -> None:
    """Do the work left on a page (on every page with notes older than LOST_AFTER when
    page_id is None: the sweep)."""
    if page_id is not None:
        follow_up(page_id)
        return
    for lost in left_behind(utcnow() - LOST_AFTER):
        follow_up(lost)


def follow_up(page_id: int) -> list[str]:
    """Do each kind of work noted on the page, in a write transaction of its own; return
    the kinds done. A kind that fails is logged and stays noted (the next save's job or the
    sweep tries again); the others are done. Notes written meanwhile (after those read)
    stay for their own job."""
    done = []
    with write_transaction() as session:
        noted = dict(session.execute(_NOTES, {"page": page_id}).all())
        for kind, function in _WORK.items():
            if kind not in noted:
                continue
            try:
                with session.begin_nested():
                    function(page_id)
            except Exception:
                log.exception("the %s follow-up of page %s failed", kind, page_id)
                continue
            session.execute(_REMOVE, {"page": page_id, "kind": kind, "last": noted[kind]})
            done.append(kind)
    return done


_NOTES = (
    select(PageFollowUp.kind, func.max(PageFollowUp.id))
    .where(PageFollowUp.page_id == bindparam("page"))
    .group_by(PageFollowUp.kind)
)
_REMOVE = delete(PageFollowUp).where(
    PageFollowUp.page_id == bindparam("page"),
    PageFollowUp.kind == bindparam("kind"),
    PageFollowUp.id <= bindparam("last"),
)


def left_behind(noted_before) -> list[int]:
    """Return the pages with work noted before that time (their jobs were lost)."""
    query = (
        select(PageFollowUp.page_id)
        .where(PageFollowUp.noted_at < noted_before)
        .distinct()
        .order_by(PageFollowUp.page_id)
    )
    pages = list(db.session.scalars(query))
    db.session.commit()  # end the read: each page's work has its own write transaction
    return pages


def register(app: Flask) -> None:
    """Sweep up lost follow-ups now and then in every process, the first time SWEEP_SECONDS
    after it starts (an RQ worker sweeps when it starts)."""
    throttle = every(app, SWEEP_SECONDS, "follow_up_sweep", lambda: jobs.enqueue(JOB))
    throttle.next_check = time.monotonic() + SWEEP_SECONDS
