"""Idempotent ingest: a POST repeated with the same Idempotency-Key answers as the first did."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from exporter.quality import RejectionError

Answer = tuple[int, dict[str, Any]]
MAX_KEY_LENGTH = 128
TTL_SECONDS = 600.0
CAPACITY = 10_000
WAIT_SECONDS = 30.0  # a repeat that arrives while the first is still being recorded waits


@dataclass
class _Entry:
    fingerprint: str
    created: float
    done: threading.Event = field(default_factory=threading.Event)
    answer: Answer | None = None


def key_problem(key: str) -> str | None:
    """Why an Idempotency-Key header cannot be used, or None."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters"
    return None


class IdempotencyCache:
    """The answers to the last CAPACITY keys seen within TTL_SECONDS (least recently used go)."""

    def __init__(
        self,
        ttl: float = TTL_SECONDS,
        capacity: int = CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._capacity = capacity
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _claim(self, key: str, fingerprint: str) -> tuple[_Entry, bool]:
        """The key's entry, and whether this caller is the first (and must do the work)."""
        now = self._clock()
        with self._lock:
            while self._entries:  # oldest first: drop the expired
                oldest = next(iter(self._entries.values()))
                if now - oldest.created <= self._ttl:
                    break
                self._entries.popitem(last=False)
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry, False
            entry = _Entry(fingerprint, now)
            self._entries[key] = entry
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
            return entry, True

    def run(self, key: str, body: bytes, work: Callable[[], Answer]) -> tuple[Answer, bool]:
        """The answer for this key (doing `work` only the first time) and whether it is a
        replay. RejectionError: the key with another body (422), or its first request still
        running after WAIT_SECONDS (409)."""
        fingerprint = hashlib.sha256(body).hexdigest()
        entry, first = self._claim(key, fingerprint)
        if first:
            try:
                entry.answer = work()
            except BaseException:
                with self._lock:  # nothing was answered: a retry may try again
                    self._entries.pop(key, None)
                raise
            finally:
                entry.done.set()
            return entry.answer, False
        if entry.fingerprint != fingerprint:
            raise RejectionError(
                422, "idempotency_key_reused", "Idempotency-Key already used with another body"
            )
        if not entry.done.wait(WAIT_SECONDS) or entry.answer is None:
            raise RejectionError(
                409, "idempotency_key_in_flight", "the first request with this key is still running"
            )
        return entry.answer, True
