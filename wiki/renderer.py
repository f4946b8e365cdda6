"""Render Markdown in worker processes, so a pathological page cannot hold up the server.

Python-Markdown needs seconds to minutes for some small inputs ("[" * 16000), and a
thread cannot be stopped, so rendering runs in child processes that are killed when
they overrun. Children are started with "spawn": forking a threaded web server is unsafe.
Every call goes through a child, even for short text: slow inputs need no brackets
("``a`" * 4000, thousands of "* * *" lines), so there is no safe in-process shortcut.
"""

import atexit
import multiprocessing
import os
import queue
import signal
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from wiki.core.render import Rendered, RenderError, render_markdown
from wiki.core.titles import N_

DEFAULT_WORKERS = 2
# Starting a child imports Markdown and Pygments; this is not counted in a render's timeout.
STARTUP_TIMEOUT = 60.0
# How long shutdown() waits for a busy worker before stopping it anyway.
SHUTDOWN_WAIT = 5.0
_READY = "ready"
_CONTEXT = multiprocessing.get_context("spawn")


class RenderTimeout(RenderError):
    """The text could not be rendered in time, or at all; the message says why, for a person."""

    MESSAGE = N_(
        "This text is too complex to display: it could not be rendered in time. "
        "Simplify deeply nested brackets or very long lines and try again."
    )

    def __init__(self, timeout: float, message: str = MESSAGE) -> None:
        super().__init__(message)
        self.timeout = timeout


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
            text = conn.recv()
        except EOFError:
            return
        try:
            reply: tuple[str, object] = ("ok", render_markdown(text))
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

    def render(self, text: str, timeout: float) -> Rendered:
        """Render text in the child, or kill the child and raise RenderTimeout."""
        assert self.conn is not None
        try:
            self.conn.send(text)
            if not self.conn.poll(timeout):
                self.stop()
                raise RenderTimeout(timeout)
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
    """A fixed number of workers, each started when first needed and lent to one thread."""

    def __init__(self, size: int) -> None:
        self.workers = [_Worker() for _ in range(size)]
        # Last in, first out: a lightly loaded server keeps using one warm child.
        self.idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        for worker in reversed(self.workers):
            self.idle.put(worker)

    def render(self, text: str, timeout: float) -> Rendered:
        """Render text with the next free worker."""
        worker = self.idle.get()
        try:
            return _render_with(worker, text, timeout)
        except RenderError:
            raise
        except BaseException:
            # Interrupted mid-call, its reply could reach the next caller: start afresh.
            worker.stop()
            raise
        finally:
            self.idle.put(worker)

    def shutdown(self) -> None:
        """Stop every child, waiting a little for those that are busy."""
        borrowed = []
        deadline = time.monotonic() + SHUTDOWN_WAIT
        for _ in self.workers:
            try:
                borrowed.append(self.idle.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        for worker in self.workers:
            worker.stop()
        for worker in borrowed:
            self.idle.put(worker)


def _render_with(worker: _Worker, text: str, timeout: float) -> Rendered:
    """Render with worker, replacing its child once if the child has died."""
    for _ in range(2):
        worker.start()
        try:
            return worker.render(text, timeout)
        except _WorkerDied:
            worker.stop()
    # The child died twice on this text (killed for memory, say): it cannot be shown.
    raise RenderTimeout(timeout)


_lock = threading.Lock()
_pool: _Pool | None = None
_size = DEFAULT_WORKERS


def _current_pool() -> _Pool:
    """Return the pool, creating it on first use."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = _Pool(_size)
        return _pool


def render_bounded(text: str, timeout: float = 1.0) -> Rendered:
    """Render like render_markdown; raise RenderTimeout if that fails or overruns timeout."""
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    return _current_pool().render(text, timeout)


def configure(workers: int = DEFAULT_WORKERS) -> None:
    """Set how many worker processes may render at once; running workers are stopped."""
    global _pool, _size
    if workers < 1:
        raise ValueError("workers must be at least 1")
    with _lock:
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
