"""Many scrapers, one render: concurrent scrapes share one body, gzip when asked, and
SIGTERM while scrapes run still exits 0."""

from __future__ import annotations

import gzip
import http.client
import signal
import threading
import time
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.support.exporter_process import Exporter

SCRAPERS = 20


def fleet(nodes: int, pods: int) -> dict:
    """A static inventory shaped like the bench's (labels as gpu-feature-discovery and
    Karpenter write them)."""
    return {
        "nodes": [
            {
                "name": f"gpu-node-{i:05d}",
                "labels": {
                    "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3",
                    "nvidia.com/gpu.count": "8",
                    "node.kubernetes.io/instance-type": "p5.48xlarge",
                    "karpenter.sh/capacity-type": "on-demand",
                },
            }
            for i in range(nodes)
        ],
        "pods": [
            {
                "namespace": "inference",
                "name": f"m-{i}",
                "node": f"gpu-node-{i % nodes:05d}",
                "gpus": 1,
            }
            for i in range(pods)
        ],
    }


def scrape(exporter: Exporter, headers: dict[str, str] | None = None) -> tuple[dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", exporter.port, timeout=30)
    try:
        connection.request("GET", "/metrics", headers=headers or {})
        answer = connection.getresponse()
        return dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def test_concurrent_scrapers_share_one_render(tmp_path: Path) -> None:
    """The cost counter accrues at every render, so two renders never give the same body:
    twenty identical bodies mean one render served them all."""
    with Exporter(tmp_path, inventory=fleet(1000, 4000)) as exporter:
        bodies: list[bytes] = []
        barrier = threading.Barrier(SCRAPERS)

        def one() -> None:
            barrier.wait()
            bodies.append(scrape(exporter)[1])

        threads = [threading.Thread(target=one) for _ in range(SCRAPERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(bodies) == SCRAPERS
        assert len(set(bodies)) == 1
        time.sleep(1.2)  # older than a second: rendered again
        assert scrape(exporter)[1] != bodies[0]


def test_gzip_when_asked(tmp_path: Path) -> None:
    with Exporter(tmp_path, inventory=fleet(200, 800)) as exporter:
        headers, zipped = scrape(exporter, {"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] == "gzip"
        assert headers["Vary"] == "Accept-Encoding"
        assert int(headers["Content-Length"]) == len(zipped)
        text = gzip.decompress(zipped).decode()
        names = {f.name for f in text_string_to_metric_families(text)}
        assert "ai_node_gpus" in names and "ai_pod_gpu_hourly_cost_dollars" in names
        plain_headers, plain = scrape(exporter)
        assert "Content-Encoding" not in plain_headers
        assert plain_headers["Vary"] == "Accept-Encoding"
        assert len(zipped) < len(plain) / 5
        refused_headers, _ = scrape(exporter, {"Accept-Encoding": "gzip;q=0, identity"})
        assert "Content-Encoding" not in refused_headers


def test_sigterm_while_scrapes_run_exits_0_within_5_seconds(tmp_path: Path) -> None:
    exporter = Exporter(tmp_path, inventory=fleet(1000, 4000)).start()
    stop = threading.Event()

    def keep_scraping() -> None:
        while not stop.is_set():
            try:
                scrape(exporter, {"Cache-Control": "no-cache"})
            except (OSError, http.client.HTTPException):  # the process went away mid-answer
                return

    threads = [threading.Thread(target=keep_scraping, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    started = time.monotonic()
    try:
        assert exporter.stop(signal.SIGTERM) == 0
        assert time.monotonic() - started < 5
    finally:
        stop.set()
    exporter.logs()
