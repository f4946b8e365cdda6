"""Work requests do now and then: at most once per interval in each process.

Scheduled publication and token expiry warnings have no clock of their own (no cron is
needed): the first request after the interval does the work, before it is handled.
"""

import threading
import time
from collections.abc import Callable

from flask import Flask, current_app

from .extensions import db


class Throttle:
    """Lets one request per process through every `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.next_check = 0.0
        self.lock = threading.Lock()

    def due(self) -> bool:
        """Return True for the first caller once the interval has passed, else False."""
        with self.lock:
            now = time.monotonic()
            if now < self.next_check:
                return False
            self.next_check = now + self.seconds
            return True


def every(
    app: Flask, seconds: float, name: str, work: Callable[[], object], when=lambda: True
) -> Throttle:
    """Run work before a request at most every `seconds` in each process (and only while
    when() holds); a failure is logged and never fails the request. The throttle is kept
    in app.extensions[name] (tests set its next_check to 0 to look at once)."""
    throttle = Throttle(seconds)
    app.extensions[name] = throttle

    @app.before_request
    def _now_and_then():
        if throttle.due() and when():
            try:
                work()
            except Exception:  # the reader's request goes on
                db.session.rollback()
                current_app.logger.exception("%s failed", name)

    return throttle
