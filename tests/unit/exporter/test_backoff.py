"""Backoff doubles to its cap with jitter in [half, all] of each step; Pacer spaces requests."""

from __future__ import annotations

import threading

import pytest

from exporter.backoff import Backoff, Pacer


def test_delays_double_up_to_the_cap_and_reset() -> None:
    high = Backoff(base=0.5, cap=30, rand=lambda: 1.0)
    assert [high.next_delay() for _ in range(9)] == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    assert high.failures == 9
    high.reset()
    assert high.next_delay() == 0.5


def test_jitter_keeps_at_least_half_of_each_step() -> None:
    low = Backoff(base=0.5, cap=30, rand=lambda: 0.0)
    assert [low.next_delay() for _ in range(8)] == [0.25, 0.5, 1, 2, 4, 8, 15, 15]


def test_a_thousand_failures_stay_at_the_cap() -> None:
    backoff = Backoff(base=0.5, cap=30, rand=lambda: 0.5)
    for _ in range(1000):
        delay = backoff.next_delay()
    assert delay == pytest.approx(22.5)


def test_pacer_spaces_requests_and_stops() -> None:
    now = [100.0]
    slept: list[float] = []

    class FakeStop(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            slept.append(timeout or 0.0)
            now[0] += timeout or 0.0
            return self.is_set()

    stop = FakeStop()
    pacer = Pacer(0.5, stop, clock=lambda: now[0])
    assert pacer.wait() and slept == []  # the first request goes at once
    now[0] += 0.2
    assert pacer.wait() and slept == [pytest.approx(0.3)]
    now[0] += 2
    assert pacer.wait() and len(slept) == 1  # long after the last: no wait
    stop.set()
    assert not pacer.wait()
