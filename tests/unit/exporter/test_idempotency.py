"""IdempotencyCache: first caller works, repeats replay, other bodies are refused, keys age
out after the TTL and the least recently used go past the capacity."""

from __future__ import annotations

import threading
import time

import pytest

from exporter.idempotency import IdempotencyCache, key_problem
from exporter.quality import RejectionError


def counter() -> tuple[list[int], callable]:
    calls = [0]

    def work() -> tuple[int, dict]:
        calls[0] += 1
        return 202, {"accepted": calls[0]}

    return calls, work


def test_the_first_call_works_and_repeats_replay() -> None:
    cache = IdempotencyCache()
    calls, work = counter()
    assert cache.run("k", b"body", work) == ((202, {"accepted": 1}), False)
    assert cache.run("k", b"body", work) == ((202, {"accepted": 1}), True)
    assert calls == [1]


def test_another_body_under_the_same_key_is_refused() -> None:
    cache = IdempotencyCache()
    _, work = counter()
    cache.run("k", b"body", work)
    with pytest.raises(RejectionError) as refused:
        cache.run("k", b"other", work)
    assert (refused.value.status, refused.value.reason) == (422, "idempotency_key_reused")


def test_keys_expire_after_the_ttl() -> None:
    now = [0.0]
    cache = IdempotencyCache(ttl=600, clock=lambda: now[0])
    calls, work = counter()
    cache.run("k", b"body", work)
    now[0] = 600
    assert cache.run("k", b"body", work)[1] is True  # exactly 10 minutes: still remembered
    now[0] = 600.5
    assert cache.run("other", b"x", work)[1] is False  # a new call purges the expired
    assert cache.run("k", b"body", work)[1] is False
    assert calls == [3]


def test_the_least_recently_used_go_past_the_capacity() -> None:
    cache = IdempotencyCache(capacity=2)
    calls, work = counter()
    cache.run("a", b"1", work)
    cache.run("b", b"1", work)
    cache.run("a", b"1", work)  # a is now the most recent
    cache.run("c", b"1", work)  # b goes
    assert len(cache) == 2
    assert cache.run("a", b"1", work)[1] is True
    assert cache.run("b", b"1", work)[1] is False
    assert calls == [4]


def test_a_repeat_during_the_first_call_waits_for_its_answer() -> None:
    cache = IdempotencyCache()
    inside = threading.Event()
    calls = [0]

    def slow() -> tuple[int, dict]:
        calls[0] += 1
        inside.set()
        time.sleep(0.2)
        return 202, {"accepted": 1}

    results = []
    first = threading.Thread(target=lambda: results.append(cache.run("k", b"b", slow)))
    first.start()
    inside.wait(5)
    results.append(cache.run("k", b"b", slow))
    first.join(5)
    assert sorted(r[1] for r in results) == [False, True]
    assert calls == [1]


def test_a_failed_first_call_leaves_the_key_free() -> None:
    cache = IdempotencyCache()

    def broken() -> tuple[int, dict]:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cache.run("k", b"b", broken)
    _, work = counter()
    assert cache.run("k", b"b", work) == ((202, {"accepted": 1}), False)


@pytest.mark.parametrize(
    "key, valid", [("", False), ("k", True), ("k" * 128, True), ("k" * 129, False)]
)
def test_key_bounds(key: str, valid: bool) -> None:
    assert (key_problem(key) is None) is valid
