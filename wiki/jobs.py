"""Background jobs: work that must neither slow nor break a request (email, webhooks).

With REDIS_URL set, jobs go on an RQ queue in Redis and `flask --app wiki worker` runs
them; without it (the embedded default) a thread in the app process runs them. A job is a
named function registered with @task. Jobs keep their state in the database (outbox rows
claimed before any work), so running one twice, or late, does no harm: a job lost with a
process is done by the next one, or by the sweep the worker runs when it starts.
"""

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import click
from flask import Flask, current_app, has_request_context, request

from .extensions import db

log = logging.getLogger(__name__)

EXTENSION = "bottega_jobs"
#: A thread with nothing to do for this long ends; the next job starts a new one.
IDLE_SECONDS = 10.0
JOB_TIMEOUT = 300

_TASKS: dict[str, Callable] = {}
#: Tasks the worker runs once when it starts, to catch up on work left by a lost job.
_SWEEPS: list[str] = []
#: The app the `worker` command runs jobs in (set by the command).
_worker_app: Flask | None = None


def task(name: str, *, sweep: bool = False) -> Callable[[Callable], Callable]:
    """Register a function as the job called name; sweep: also run it when a worker starts."""

    def register(function: Callable) -> Callable:
        _TASKS[name] = function
        if sweep and name not in _SWEEPS:
            _SWEEPS.append(name)
        return function

    return register


def enqueue(name: str, *args, delay: float = 0.0) -> None:
    """Run a job soon (after delay seconds), outside this request; never raises.

    A job queued from a request makes its absolute links with the request's address.
    """
    if name not in _TASKS:
        raise KeyError(f"no job called {name!r}")
    app = current_app._get_current_object()
    base_url = request.url_root if has_request_context() else ""
    try:
        runner(app).submit(name, list(args), delay, base_url)
    except Exception:  # Redis down: the work stays in the database for the next sweep
        log.exception("could not queue the job %s; the next sweep will do it", name)


def runner(app: Flask):
    """Return the app's job runner: RQ on Redis when REDIS_URL is set, else a thread."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = RedisRunner(app) if app.config.get("REDIS_URL") else ThreadRunner(app)
        app.extensions[EXTENSION] = found
    return found


def wait_idle(app: Flask, timeout: float = 10.0, *, delayed: bool = True) -> bool:
    """Wait until the app's thread has run every job queued so far (and, unless delayed is
    False, every job waiting for its delay); for tests."""
    found = app.extensions.get(EXTENSION)
    return found.wait_idle(timeout, delayed) if isinstance(found, ThreadRunner) else True


def cancel_delayed(app: Flask) -> None:
    """Drop the jobs of the app's thread still waiting for their delay (an app shutting down:
    their work stays in the database for the next sweep)."""
    found = app.extensions.get(EXTENSION)
    if isinstance(found, ThreadRunner):
        found.cancel_delayed()


def run_job(app: Flask, name: str, args: list, base_url: str = "") -> None:
    """Run one job inside an app context (a request context at base_url, if given)."""
    context = app.test_request_context(base_url=base_url) if base_url else app.app_context()
    with context:
        try:
            _TASKS[name](*args)
        except Exception:
            log.exception("the job %s failed", name)
        finally:
            db.session.remove()


class ThreadRunner:
    """Jobs run one at a time by a thread of this process, started when there is work.

    Delayed jobs wait in the same thread's heap (due time, then arrival): a timer thread
    per delayed job cost every save a thread start (0.3 ms, 2% of a save under gunicorn).
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.changed = threading.Condition()
        #: (due, number, delayed, job): ordered by when due, then in the order queued.
        self.heap: list[tuple[float, int, bool, tuple]] = []
        self.numbers = itertools.count()
        self.running = 0
        self.thread: threading.Thread | None = None
        self.pid = os.getpid()

    def submit(self, name: str, args: list, delay: float, base_url: str) -> None:
        """Queue a job, now or after delay seconds."""
        due = time.monotonic() + max(delay, 0.0)
        with self.changed:
            heapq.heappush(self.heap, (due, next(self.numbers), delay > 0, (name, args, base_url)))
            # After a fork the thread is gone although the object says otherwise.
            if self.thread is None or self.pid != os.getpid():
                if self.pid != os.getpid():
                    self.running = 0  # a job running in the parent is not running here
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._loop, name="bottega-jobs", daemon=True)
                self.thread.start()
            else:
                self.changed.notify_all()

    def cancel_delayed(self) -> None:
        """Forget the jobs waiting for their delay."""
        now = time.monotonic()
        with self.changed:
            self.heap = [entry for entry in self.heap if not (entry[2] and entry[0] > now)]
            heapq.heapify(self.heap)
            self.changed.notify_all()

    def _next(self) -> tuple | None:
        """Wait for the next job that is due; None once idle for IDLE_SECONDS (the thread
        then ends, and the next submit starts another)."""
        with self.changed:
            idle_until = time.monotonic() + IDLE_SECONDS
            while True:
                now = time.monotonic()
                if self.heap and self.heap[0][0] <= now:
                    self.running += 1
                    return heapq.heappop(self.heap)[3]
                if not self.heap and now >= idle_until:
                    self.thread = None
                    return None
                self.changed.wait((self.heap[0][0] if self.heap else idle_until) - now)

    def _loop(self) -> None:
        """Run jobs as they come due until there has been nothing to do for IDLE_SECONDS."""
        while (job := self._next()) is not None:
            try:
                run_job(self.app, *job)
            except Exception:
                # Not the task (run_job logs its failures) but its context: a request context
                # that would not open, a session that would not close. The thread goes on,
                # else every job queued after it would wait for a thread that is gone.
                log.exception("the job %s could not be run", job[0])
            finally:
                with self.changed:
                    self.running -= 1
                    self.changed.notify_all()

    def wait_idle(self, timeout: float, delayed: bool = True) -> bool:
        """Wait until no job is queued, running or (if delayed) waiting for its delay; False
        on timeout."""
        deadline = time.monotonic() + timeout

        def busy() -> bool:
            now = time.monotonic()
            return bool(self.running) or any(
                delayed or not is_delayed or due <= now for due, _, is_delayed, _ in self.heap
            )

        with self.changed:  # woken as each job finishes, not polled
            while busy():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                # In turns of 50 ms at most: a delayed job comes due without a notice.
                self.changed.wait(min(left, 0.05))
        return True


class RedisRunner:
    """Jobs put on an RQ queue in Redis, run by `flask --app wiki worker`."""

    def __init__(self, app: Flask) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(app.config["REDIS_URL"])
        self.queue = Queue(queue_name(app), connection=self.connection)

    def submit(self, name: str, args: list, delay: float, base_url: str) -> None:
        """Put a job on the queue, now or after delay seconds (the worker's scheduler)."""
        options = {"job_timeout": JOB_TIMEOUT, "result_ttl": 0, "failure_ttl": 86400}
        if delay > 0:
            self.queue.enqueue_in(
                timedelta(seconds=delay), run_queued, name, args, base_url, **options
            )
        else:
            self.queue.enqueue(run_queued, name, args, base_url, **options)


def queue_name(app: Flask) -> str:
    """Return the name of the app's queue in Redis."""
    return app.config.get("JOBS_QUEUE") or "bottega"


def run_queued(name: str, args: list, base_url: str = "") -> None:
    """Run a job taken from the Redis queue (RQ calls this in the worker)."""
    global _worker_app
    if _worker_app is None:  # an RQ worker started without `flask worker`
        from . import create_app

        _worker_app = create_app()
    run_job(_worker_app, name, args, base_url)


def register(app: Flask) -> None:
    """Add `flask --app wiki worker`."""

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
    def worker(burst: bool) -> None:
        """Run background jobs (email, webhooks) from the Redis queue (needs WIKI_REDIS_URL)."""
        global _worker_app
        if not app.config.get("REDIS_URL"):
            raise click.ClickException(
                "Set WIKI_REDIS_URL to run a worker; without Redis the app server runs "
                "background jobs in a thread of its own."
            )
        from rq import SimpleWorker

        _worker_app = app
        jobs = runner(app)
        for name in _SWEEPS:
            jobs.submit(name, [], 0, "")

        class Worker(SimpleWorker):
            def subscribe(self) -> None:
                """Listen for RQ's commands (stop a job, shut down) in turns of a second.

                RQ listens in turns of 60 s, and redis-py joins the listening thread when
                the worker stops: a SIGTERM (a deploy, systemd) took up to a minute.
                """
                self.pubsub = self.connection.pubsub()
                self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
                self.pubsub_thread = self.pubsub.run_in_thread(
                    sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
                )

        class BurstWorker(SimpleWorker):
            def subscribe(self) -> None:
                """Listen for no commands: a burst ends once the queue is empty."""

        # SimpleWorker runs jobs in this process: the app, its pools and caches stay warm.
        kind = BurstWorker if burst else Worker
        worker = kind([jobs.queue], connection=jobs.connection)
        worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
