"""Token buckets on the emulator clock (so a virtual clock refills them too)."""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Hashable
from dataclasses import dataclass

__all__ = ["RateDecision", "RateLimiter", "TokenBucket", "retry_after_header"]


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    window: float  # seconds
    retry_after: float  # seconds until a request would be allowed (0 when allowed)

    @property
    def retry_after_header(self) -> str:
        """Whole seconds, rounded up, at least 1 when refused."""
        return retry_after_header(self.retry_after) if not self.allowed else "0"


def retry_after_header(seconds: float) -> str:
    """A ``Retry-After`` value for a wait: whole seconds, rounded up, at least 1 for
    any wait at all (0 only for none: a fault's ``retry_after: 0s``, retry at once)."""
    return "0" if seconds <= 0 else str(max(1, math.ceil(seconds)))


class TokenBucket:
    """``requests`` per ``per`` seconds, refilled continuously.

    With a ``penalty`` (above zero), running out blocks the caller for that
    long and every refused request during the block restarts it
    (RingCentral's rule); without one, a refused caller waits for the refill.
    A block lasts at least until a token is back, so a caller that waits out the
    ``Retry-After`` it was given is let through.
    """

    def __init__(self, requests: int, per: float, penalty: float | None = None) -> None:
        self.capacity, self.per, self.penalty = requests, per, penalty
        self.tokens = float(requests)
        self.updated: float | None = None
        self.blocked_until = -math.inf

    def take(self, now: float) -> RateDecision:
        if self.updated is not None and self.per > 0:
            refill = (now - self.updated) * self.capacity / self.per
            self.tokens = min(float(self.capacity), self.tokens + max(0.0, refill))
        self.updated = now
        wait = (1.0 - self.tokens) * self.per / self.capacity if self.capacity else self.per
        # to the clock's microsecond: float error must not make 3 s read 3.0000000000000004
        # and a whole-second Retry-After one second too long, nor a token a hair short
        # at epoch-sized times (0.9999999999 after its refill) refuse with a wait of 0
        wait = round(max(wait, 0.0), 6)
        if wait == 0.0 and now >= self.blocked_until:
            self.tokens = max(0.0, self.tokens - 1.0)
            return RateDecision(True, self.capacity, int(self.tokens), self.per, 0.0)
        if self.penalty:  # a block starts, or restarts: the penalty, or the refill if longer
            wait = max(self.penalty, wait)
            self.blocked_until = now + wait
        return RateDecision(False, self.capacity, 0, self.per, wait)

    def is_fresh(self, now: float) -> bool:
        """Whether it is as a new bucket would be at ``now``: full, and blocking no one."""
        if now < self.blocked_until:
            return False
        if self.updated is None or self.per <= 0:
            return self.updated is None or self.tokens >= self.capacity
        refill = (now - self.updated) * self.capacity / self.per
        return self.tokens + max(0.0, refill) >= self.capacity


class RateLimiter:
    """Buckets by key (e.g. provider, group and caller).

    Past ``max_buckets`` (callers are whoever a request claims to be), buckets a new
    one would equal (full, no block) are forgotten, then the least recently used.
    """

    def __init__(self, max_buckets: int = 10_000) -> None:
        self._buckets: dict[Hashable, TokenBucket] = {}
        self._lock = threading.Lock()
        self._max_buckets = max_buckets

    def take(
        self,
        key: Hashable,
        now: float,
        requests: int,
        per: float,
        penalty: float | None = None,
    ) -> RateDecision:
        with self._lock:
            bucket = self._buckets.pop(key, None)  # put back last: dict order is use order
            if bucket is None or (bucket.capacity, bucket.per, bucket.penalty) != (
                requests,
                per,
                penalty,
            ):
                bucket = TokenBucket(requests, per, penalty)
                if len(self._buckets) >= self._max_buckets:
                    self._forget(now)
            self._buckets[key] = bucket
            return bucket.take(now)

    def _forget(self, now: float) -> None:
        fresh = [key for key, bucket in self._buckets.items() if bucket.is_fresh(now)]
        for key in fresh:
            del self._buckets[key]
        # Down to 90 %, so a flood of new callers does not scan them all each time.
        keep = self._max_buckets * 9 // 10
        for key in list(itertools.islice(self._buckets, max(0, len(self._buckets) - keep))):
            del self._buckets[key]

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
