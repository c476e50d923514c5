"""The exporter under many scrapers (issue 18): peak memory with 20 concurrent scrapers against
one, the gzip body, and evaluation ingest with 10 scrapers running against none.

Scrapers never ask for a fresh render. For memory they loop without pause on the plain body
(the larger one). For ingest they behave as Prometheus does: a keep-alive connection each, gzip,
one scrape per interval (1 s, the shortest anyone configures: with the old exporter, 10 such
scrapers rendered 10 bodies a second and starved ingest); they run in a process of their own so
that their reading does not slow the bench's posting clients. The same with scrapers that loop
without pause (a flood, thousands of scrapes a second) is printed too, as a stress figure."""

from __future__ import annotations

import http.client
import multiprocessing
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def rss_kib(pid: int) -> int:
    """Resident set size of a process now (proc(5) status VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError("no VmRSS")


def scrape(port: int, headers: dict[str, str] | None = None) -> int:
    """One GET /metrics: the body's size."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", "/metrics", headers=headers or {})
        return len(connection.getresponse().read())
    finally:
        connection.close()


def while_running(
    work: Callable[[], object], threads: int, seconds: float, sample: Callable[[], None]
) -> int:
    """Run `work` in a loop on `threads` threads for `seconds`, calling `sample` every 10 ms;
    the number of completed calls."""
    stop = time.monotonic() + seconds
    done = [0] * threads

    def loop(index: int) -> None:
        while time.monotonic() < stop:
            work()
            done[index] += 1

    workers = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    while any(w.is_alive() for w in workers):
        sample()
        time.sleep(0.01)
    return sum(done)


def peak_rss_with_scrapers(port: int, pid: int, scrapers: int, seconds: float) -> tuple[int, int]:
    """Peak resident KiB while `scrapers` clients scrape in a loop, and the scrapes done."""
    peak = [rss_kib(pid)]
    done = while_running(lambda: scrape(port), scrapers, seconds, lambda: peak.append(rss_kib(pid)))
    return max(peak), done


def memory_figures(port: int, pid: int, seconds: float = 10.0) -> None:
    """Peak RSS with one scraper, then with 20, on the same process."""
    one, done_one = peak_rss_with_scrapers(port, pid, 1, seconds)
    twenty, done_twenty = peak_rss_with_scrapers(port, pid, 20, seconds)
    print(
        f"peak resident memory: 1 scraper {one / 1024:.1f} MiB ({done_one} scrapes in "
        f"{seconds:g} s), 20 concurrent scrapers {twenty / 1024:.1f} MiB ({done_twenty} scrapes), "
        f"ratio {twenty / one:.2f} (target <= 1.25)"
    )


def gzip_figures(port: int) -> None:
    """The body's size plain and gzip-compressed."""
    plain = scrape(port)
    zipped = scrape(port, {"Accept-Encoding": "gzip"})
    print(
        f"/metrics body: {plain / 1e6:.2f} MB plain, {zipped / 1e3:.0f} kB with "
        f"Accept-Encoding: gzip ({plain / zipped:.0f}x smaller)"
    )


def ingest_figures(port: int, ingest_rate: Callable[[int, int, float], float]) -> None:
    """Evaluation ingest from 4 keep-alive clients, alone and with 10 scrapers."""
    seconds = 10.0
    alone = ingest_rate(port, 4, seconds)
    for interval, what in ((1.0, "scraping every second"), (0.0, "looping without pause")):
        scrapes = multiprocessing.Value("i", 0)
        scrapers = multiprocessing.Process(
            target=_scrape_loop, args=(port, 10, seconds + 2, scrapes, interval), daemon=True
        )
        scrapers.start()
        try:
            time.sleep(1)
            loaded = ingest_rate(port, 4, seconds)
        finally:
            scrapers.join(seconds + 60)
        target = " (target >= 0.5)" if interval else " (stress, no target)"
        print(
            f"/v1/evaluations over {seconds:g} s from 4 clients: {alone:.0f}/s alone, "
            f"{loaded:.0f}/s with 10 gzip scrapers {what} ({scrapes.value} scrapes), "
            f"ratio {loaded / alone:.2f}{target}"
        )


def _scrape_loop(
    port: int, scrapers: int, seconds: float, count: Any, interval: float = 0.0
) -> None:
    """In a process of its own: `scrapers` threads scraping with gzip for `seconds`, each on
    its own keep-alive connection, one scrape per `interval` (0: no pause)."""
    local = threading.local()

    def one() -> None:
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.monotonic()
        local.connection.request("GET", "/metrics", headers={"Accept-Encoding": "gzip"})
        local.connection.getresponse().read()
        with count.get_lock():
            count.value += 1
        time.sleep(max(0.0, interval - (time.monotonic() - started)))

    while_running(one, scrapers, seconds, lambda: None)
