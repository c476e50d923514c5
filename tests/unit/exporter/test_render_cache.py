"""RenderCache: one render at a time, shared for a second, fresh on request; gzip once."""

from __future__ import annotations

import gzip
import threading
import time

import pytest

from exporter.render_cache import RenderCache, accepts_gzip, wants_fresh


def test_a_body_is_shared_for_max_age_then_rendered_again() -> None:
    now = [0.0]
    count = [0]

    def render() -> bytes:
        count[0] += 1
        return f"body {count[0]}".encode()

    cache = RenderCache(render, max_age=1.0, clock=lambda: now[0])
    assert cache.body() == b"body 1"
    now[0] = 1.0
    assert cache.body() == b"body 1"  # exactly max_age old: still shared
    now[0] = 1.01
    assert cache.body() == b"body 2"
    assert cache.body(fresh=True) == b"body 3"  # rendered before the call: not fresh enough
    assert gzip.decompress(cache.body(gzipped=True)) == b"body 3"
    assert cache.renders == 3


def test_gzip_is_compressed_once_per_render() -> None:
    cache = RenderCache(lambda: b"x" * 10_000)
    first = cache.body(gzipped=True)
    assert cache.body(gzipped=True) is first
    assert len(first) < 100


def test_concurrent_callers_wait_for_the_running_render() -> None:
    started = threading.Event()
    count = [0]

    def slow_render() -> bytes:
        count[0] += 1
        started.set()
        time.sleep(0.3)
        return b"metrics"

    cache = RenderCache(slow_render, max_age=60)
    results: list[bytes] = []
    threads = [threading.Thread(target=lambda: results.append(cache.body())) for _ in range(10)]
    threads[0].start()
    started.wait(5)
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert results == [b"metrics"] * 10
    assert count[0] == 1


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, False),
        ("", False),
        ("gzip", True),
        ("GZIP", True),
        ("deflate, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0", False),
        ("gzip;q=abc", False),
        ("*", True),
        ("identity", False),
        ("br, deflate", False),
        ("x-gzip", True),
    ],
)
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, False),
        ("no-cache", True),
        ("No-Cache", True),
        ("max-age=0", True),
        ("max-age=60", False),
        ("no-store", False),
        ("private, no-cache", True),
    ],
)
def test_wants_fresh(header: str | None, expected: bool) -> None:
    assert wants_fresh(header) is expected
