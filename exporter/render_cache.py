"""One rendering of /metrics for many scrapers: at most one render at a time, a body shared
for at most `max_age` seconds after it was made, and its gzip made once. A client that asks
for a fresh body (`Cache-Control: no-cache`) gets one whose render began after it asked."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

GZIP_LEVEL = 6  # 9 costs about twice the CPU for a body a few percent smaller


class RenderCache:
    """Single-flight rendering: scrapers that arrive while a render runs wait for it and
    share its body, so memory and CPU do not grow with the number of scrapers. Renders run on
    one thread of their own: their large, short-lived allocations always come from the same
    malloc arena instead of one arena per request thread that happened to render."""

    def __init__(
        self,
        render: Callable[[], bytes],
        max_age: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._render = render
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._body: bytes | None = None
        self._gzipped: bytes | None = None
        self._started_at = 0.0
        self._rendered_at = 0.0
        self.renders = 0
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")

    def body(self, gzipped: bool = False, fresh: bool = False) -> bytes:
        """The exposition (gzip-compressed when asked), rendered within max_age seconds, or
        after this call began when `fresh`."""
        asked_at = self._clock()
        with self._lock:
            stale = (
                self._body is None
                or self._clock() - self._rendered_at > self._max_age
                or (fresh and self._started_at <= asked_at)
            )
            if stale:
                self._body, self._gzipped = None, None  # let the old body go before rendering
                self._started_at = self._clock()
                self._body = self._worker.submit(self._render).result()
                self._rendered_at = self._clock()
                self.renders += 1
            if not gzipped:
                return self._body
            if self._gzipped is None:
                body = self._body
                self._gzipped = self._worker.submit(_gzip, body).result()
            return self._gzipped


def _gzip(body: bytes) -> bytes:
    return gzip.compress(body, GZIP_LEVEL, mtime=0)


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (RFC 9110: q=0 means "not acceptable")."""
    for item in (header or "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        quality = params.strip().lower()
        if quality.startswith("q="):
            try:
                return float(quality[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def wants_fresh(header: str | None) -> bool:
    """Whether a Cache-Control request header forbids a stored body (no-cache, max-age=0)."""
    directives = {d.strip().lower() for d in (header or "").split(",")}
    return "no-cache" in directives or "max-age=0" in directives
