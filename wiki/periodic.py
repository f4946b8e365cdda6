"""Work requests do now and then: at most once per interval in each process.

Scheduled publication and token expiry warnings have no clock of their own (no cron is
needed): the first request after the interval does the work, before it is handled.
"""

import threading
import time


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
