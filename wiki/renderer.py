"""Render Markdown in worker processes, so a pathological page cannot hold up the server.

Python-Markdown needs seconds to minutes for some small inputs ("[" * 16000), and a
thread cannot be stopped, so rendering runs in child processes that are killed when
they overrun. Children are started with "spawn": forking a threaded web server is unsafe.
Every call goes through a child, even for short text: slow inputs need no brackets
("``a`" * 4000, thousands of "* * *" lines), so there is no safe in-process shortcut.
"""

import atexit
import contextlib
import hashlib
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from wiki.core.render import Rendered, RenderError, render_markdown
from wiki.core.titles import N_
from wiki.problems import CannotProcess

DEFAULT_WORKERS = 2
# Starting a child imports Markdown and Pygments; this is not counted in a render's timeout.
STARTUP_TIMEOUT = 60.0
# How long shutdown() waits for a busy worker before stopping it anyway.
SHUTDOWN_WAIT = 5.0
# Texts longer than this may not hold every worker: the slow inputs found are all long.
LARGE_TEXT = 8_000
# How many overrunning texts are refused at once, and for how long.
OVERRAN_KEPT = 256
OVERRAN_SECONDS = 30.0
_READY = "ready"
_CONTEXT = multiprocessing.get_context("spawn")


class RenderTimeout(RenderError, CannotProcess):
    """The text could not be rendered in time, or at all; the message says why, for a person."""

    MESSAGE = N_(
        "This text is too complex to display: it could not be rendered in time. "
        "Simplify deeply nested brackets or very long lines and try again."
    )
    BUSY = N_(
        "The server is busy displaying other texts and could not display this one in time. "
        "Your text is kept: try again in a moment."
    )

    def __init__(self, timeout: float, message: str = MESSAGE, overran: bool = False) -> None:
        super().__init__(message)
        self.timeout = timeout
        #: Whether a worker ran out of time on the text (and was stopped).
        self.overran = overran


class _WorkerDied(Exception):
    """The child process ended or its pipe broke."""


def _serve(conn: Connection) -> None:
    """Render each text received on conn and send back the result, until the pipe closes."""
    # Ctrl-C in a terminal reaches the whole process group; the parent decides when we stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    render_markdown("# Warm up\n\n*Text* [[Page]]\n\n```python\nx = 1\n```\n")
    conn.send(_READY)
    while True:
        try:
            text, readable = conn.recv()
        except EOFError:
            return
        try:
            # The readable text is made here, on this core, while the saving thread goes on.
            rendered = render_markdown(text, readable)
            reply: tuple[str, object] = ("ok", rendered)
        except RenderError as exc:
            reply = ("refused", str(exc))
        except Exception as exc:
            reply = ("failed", f"{type(exc).__name__}: {exc}")
        conn.send(reply)


class _Worker:
    """One child process and the parent's end of its pipe; used by one thread at a time."""

    def __init__(self) -> None:
        self.process: BaseProcess | None = None
        self.conn: Connection | None = None

    def start(self) -> None:
        """Start the child unless it is running, and wait until it is ready."""
        if self.process is not None and self.process.is_alive():
            return
        self.stop()
        conn, child_conn = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=_serve, args=(child_conn,), name="bottega-render", daemon=True
        )
        try:
            process.start()
        except BaseException:
            conn.close()
            raise
        finally:
            # Only the child holds this end now, so its death shows up here as EOF.
            child_conn.close()
        self.process, self.conn = process, conn
        try:
            ready = self.conn.poll(STARTUP_TIMEOUT) and self.conn.recv() == _READY
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise RuntimeError("The Markdown render worker did not start.")

    def render(self, text: str, timeout: float, readable: bool) -> Rendered:
        """Render text in the child (with its readable text if asked), or kill the child and
        raise RenderTimeout."""
        assert self.conn is not None
        try:
            self.conn.send((text, readable))
            if not self.conn.poll(timeout):
                self.stop()
                raise RenderTimeout(timeout, overran=True)
            status, payload = self.conn.recv()
        except (EOFError, OSError) as exc:
            raise _WorkerDied from exc
        if status == "ok" and isinstance(payload, Rendered):
            return payload
        if status == "refused":
            # Too deeply nested: for callers that is the same as too slow, with its own message.
            raise RenderTimeout(timeout, str(payload))
        raise RuntimeError(f"Rendering failed in the worker: {payload}")

    def stop(self) -> None:
        """Kill the child, if any, and release its resources."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.process.close()
            self.process = None

    @property
    def pid(self) -> int | None:
        """Return the child's process id, or None if it is not running."""
        return self.process.pid if self.process is not None else None


class _Pool:
    """Workers lent to one thread at a time, fairly, with room kept for small texts.

    Large texts (where pathological ones are found) may hold all workers but one; callers
    queue in arrival order, each taking a worker when no earlier caller could take it, and
    give up with a refusal when none is free within their timeout. A text that overran is
    refused at once for a while, so asking again does not take a worker for another timeout.
    """

    def __init__(self, size: int) -> None:
        self.workers = [_Worker() for _ in range(size)]
        # Last in, first out: a lightly loaded server keeps using one warm child.
        self.idle = list(reversed(self.workers))
        self.large_cap = max(1, size - 1)
        self.large_busy = 0
        self.waiting: list[tuple[object, bool]] = []  # callers in arrival order: large or not
        self.changed = threading.Condition()
        self.overran = _Overran()

    def render(
        self, text: str, timeout: float, wait: float | None = None, readable: bool = False
    ) -> Rendered:
        """Render text with the next free worker (waiting for one up to wait seconds, else
        the timeout), or refuse it."""
        self.overran.check(text, timeout)
        large = len(text) > LARGE_TEXT
        worker = self._acquire(large, timeout if wait is None else wait)
        restart = False
        try:
            self.overran.check(text, timeout)  # it may have overrun for another caller meanwhile
            return _render_with(worker, text, timeout, readable)
        except RenderTimeout as exc:
            if exc.overran:
                self.overran.add(text, timeout)
                restart = True
            raise
        except BaseException:
            # Interrupted mid-call, its reply could reach the next caller: start afresh.
            worker.stop()
            raise
        finally:
            if restart:
                # Starting a child takes a while: do it aside, then lend the worker again.
                threading.Thread(target=self._restart, args=(worker, large), daemon=True).start()
            else:
                self._release(worker, large)

    def _acquire(self, large: bool, timeout: float) -> _Worker:
        """Return an idle worker when it is this caller's turn, or raise RenderTimeout."""
        deadline = time.monotonic() + timeout
        me = (object(), large)
        with self.changed:
            self.waiting.append(me)
            try:
                while not self._my_turn(me):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise RenderTimeout(timeout, RenderTimeout.BUSY)
                    self.changed.wait(left)
                self.large_busy += large
                return self.idle.pop()
            finally:
                self.waiting.remove(me)
                self.changed.notify_all()

    def _may_take(self, large: bool) -> bool:
        """Return whether a caller of this kind could take a worker now."""
        return bool(self.idle) and (not large or self.large_busy < self.large_cap)

    def _my_turn(self, me: tuple[object, bool]) -> bool:
        """Return whether this caller may take a worker: no earlier caller could."""
        if not self._may_take(me[1]):
            return False
        earlier = self.waiting[: self.waiting.index(me)]
        return not any(self._may_take(large) for _, large in earlier)

    def _release(self, worker: _Worker, large: bool) -> None:
        """Give a worker back and wake the callers waiting for one."""
        with self.changed:
            self.idle.append(worker)
            self.large_busy -= large
            self.changed.notify_all()

    def _restart(self, worker: _Worker, large: bool) -> None:
        """Start a stopped worker's child again, then give the worker back."""
        try:
            with contextlib.suppress(Exception):  # the next caller tries again and says why
                worker.start()
        finally:
            self._release(worker, large)

    def busy(self) -> tuple[int, int, int]:
        """Return how many workers are lent, how many to large texts, and how many wait."""
        with self.changed:
            return len(self.workers) - len(self.idle), self.large_busy, len(self.waiting)

    def shutdown(self) -> None:
        """Stop every child, waiting a little for those that are busy."""
        deadline = time.monotonic() + SHUTDOWN_WAIT
        with self.changed:
            while len(self.idle) < len(self.workers) and time.monotonic() < deadline:
                self.changed.wait(max(0.0, deadline - time.monotonic()))
        for worker in self.workers:
            worker.stop()


class _Overran:
    """Recently overrunning texts (by hash), with the timeout they overran."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.texts: dict[bytes, tuple[float, float]] = {}  # hash: (timeout, when)

    def add(self, text: str, timeout: float) -> None:
        """Remember that text overran this timeout."""
        with self.lock:
            if len(self.texts) >= OVERRAN_KEPT:
                del self.texts[next(iter(self.texts))]
            self.texts[_digest(text)] = (timeout, time.monotonic())

    def check(self, text: str, timeout: float) -> None:
        """Raise RenderTimeout if text overran a timeout at least this long, lately."""
        with self.lock:
            seen = self.texts.get(_digest(text))
        if seen and timeout <= seen[0] and time.monotonic() - seen[1] < OVERRAN_SECONDS:
            raise RenderTimeout(timeout)


def _digest(text: str) -> bytes:
    """Return a digest of text to remember it by."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).digest()


def _render_with(worker: _Worker, text: str, timeout: float, readable: bool) -> Rendered:
    """Render with worker, replacing its child once if the child has died."""
    for _ in range(2):
        worker.start()
        try:
            return worker.render(text, timeout, readable)
        except _WorkerDied:
            worker.stop()
    # The child died twice on this text (killed for memory, say): it cannot be shown.
    raise RenderTimeout(timeout)


_lock = threading.Lock()
_pool: _Pool | None = None
_size = DEFAULT_WORKERS
#: How long a render may wait for a free worker (None: as long as its own timeout).
_wait: float | None = None


def _current_pool() -> _Pool:
    """Return the pool, creating it on first use."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = _Pool(_size)
        return _pool


def render_bounded(text: str, timeout: float = 1.0, readable: bool = False) -> Rendered:
    """Render like render_markdown; raise RenderTimeout if that fails or overruns timeout.

    readable: also make the result's plain text (Rendered.plain), for the search index."""
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    return _current_pool().render(text, timeout, _wait, readable)


def configure(workers: int = DEFAULT_WORKERS, wait: float | None = None) -> None:
    """Set how many worker processes may render at once (running workers are stopped if
    that changes) and how long a render may wait for one (None: its own timeout).

    Waiting is not rendering: a page saved while others render (a 20 KB page is a large
    text, which may hold all workers but one) waits its turn; only the render itself is
    bounded by the timeout, and texts that overran are refused at once anyway.
    """
    global _pool, _size, _wait
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if wait is not None and wait <= 0:
        raise ValueError("wait must be positive")
    with _lock:
        _wait = wait
        if workers == _size:
            return
        old, _pool, _size = _pool, None, workers
    if old is not None:
        old.shutdown()


def shutdown() -> None:
    """Stop all worker processes; the next render starts them again."""
    with _lock:
        pool = _pool
    if pool is not None:
        pool.shutdown()


def load() -> tuple[int, int, int]:
    """Return how many workers are rendering, how many of them large texts, how many wait."""
    with _lock:
        pool = _pool
    return pool.busy() if pool is not None else (0, 0, 0)


def worker_pids() -> list[int]:
    """Return the process ids of the running workers, for monitoring and tests."""
    with _lock:
        pool = _pool
    workers = pool.workers if pool is not None else []
    return [pid for pid in (worker.pid for worker in workers) if pid is not None]


def _forget_parent_workers() -> None:
    """In a forked child, drop the parent's workers (they are not our children) and lock."""
    global _lock, _pool
    _lock, _pool = threading.Lock(), None


atexit.register(shutdown)
os.register_at_fork(after_in_child=_forget_parent_workers)
