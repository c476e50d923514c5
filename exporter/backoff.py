"""Exponential backoff with jitter, and a pacer that spaces requests to one source."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable


class Backoff:
    """Delays that double from `base` up to `cap`, each drawn in [half, all] of its step
    ("equal jitter"), so that many exporters do not retry in step."""

    def __init__(
        self,
        base: float = 0.5,
        cap: float = 30.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._base = base
        self._cap = cap
        self._rand = rand
        self._failures = 0

    @property
    def failures(self) -> int:
        """Consecutive failures since the last reset."""
        return self._failures

    def next_delay(self) -> float:
        """The delay before the next attempt after one more failure."""
        step = min(self._cap, self._base * 2 ** min(self._failures, 32))
        self._failures += 1
        return step / 2 + step / 2 * self._rand()

    def reset(self) -> None:
        """A success: the next failure starts from `base` again."""
        self._failures = 0


class Pacer:
    """At most one request per `interval` seconds, whatever the caller does."""

    def __init__(
        self, interval: float, stop: threading.Event, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._interval = interval
        self._stop = stop
        self._clock = clock
        self._last: float | None = None

    def wait(self) -> bool:
        """Sleep until the next request may go; False when stopped meanwhile."""
        if self._last is not None:
            remaining = self._last + self._interval - self._clock()
            if remaining > 0 and self._stop.wait(remaining):
                return False
        self._last = self._clock()
        return not self._stop.is_set()
