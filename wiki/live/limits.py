"""A token bucket: how many messages one live connection may send, in bursts and over time."""


class Bucket:
    """Allow `burst` messages at once and `rate` a second after that."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.at = burst, None

    def take(self, now: float) -> bool:
        """Spend one token if there is one; return whether the message may pass."""
        if self.at is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
