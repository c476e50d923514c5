"""Fake vLLM and DCGM exporters on loopback: prometheus_client servers with the real metric
names, labels and buckets, whose values change over time like the real ones."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from rules.catalog import TTFT_BUCKETS

TICK_SECONDS = 0.05


def serve(registry: CollectorRegistry) -> ThreadingHTTPServer:
    """Serve a registry in the Prometheus text format on 127.0.0.1.

    Always text 0.0.4, whatever the Accept header: the test server is Debian's Prometheus 2.42,
    which asks for OpenMetrics without `escaping=allow-utf-8`, and prometheus_client then
    rewrites `vllm:` to `vllm_` on sample lines. Prometheus 3 (what the stack deploys) asks for
    allow-utf-8 and gets the names unchanged, as this text format gives them.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = generate_latest(registry)
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPE_PLAIN_0_0_4)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class FakeVllm:
    """One vLLM pod: TTFT, tokens, finished requests, KV cache, queue and HTTP metrics."""

    model: str
    ttft_seconds: float
    tokens_per_second: float
    requests_per_second: float
    kv_cache: float
    error_share: float = 0.0  # of requests that end in a 5xx and finished_reason="error"
    port: int = 0

    def __post_init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ["model_name", "engine"]
        self.ttft = Histogram(
            "vllm:time_to_first_token_seconds",
            "Histogram of time to first token in seconds.",
            labels,
            buckets=TTFT_BUCKETS,
            registry=self.registry,
        ).labels(self.model, "0")
        self.tokens = Counter(
            "vllm:generation_tokens",
            "Number of generation tokens processed.",
            labels,
            registry=self.registry,
        ).labels(self.model, "0")
        self.prompt = Counter(
            "vllm:prompt_tokens",
            "Number of prefill tokens processed.",
            labels,
            registry=self.registry,
        ).labels(self.model, "0")
        success = Counter(
            "vllm:request_success",
            "Count of successfully processed requests.",
            [*labels, "finished_reason"],
            registry=self.registry,
        )
        self.success = {
            r: success.labels(self.model, "0", r)
            for r in ("stop", "length", "abort", "error", "repetition")
        }
        self.kv = Gauge(
            "vllm:kv_cache_usage_perc",
            "KV-cache usage. 1 means 100 percent usage.",
            labels,
            registry=self.registry,
        ).labels(self.model, "0")
        self.running = Gauge(
            "vllm:num_requests_running",
            "Number of requests in model execution batches.",
            labels,
            registry=self.registry,
        ).labels(self.model, "0")
        self.waiting = Gauge(
            "vllm:num_requests_waiting",
            "Number of requests waiting to be processed.",
            labels,
            registry=self.registry,
        ).labels(self.model, "0")
        http = Counter(
            "http_requests",
            "Total number of requests by method, status and handler.",
            ["handler", "method", "status"],
            registry=self.registry,
        )
        self.http_ok = http.labels("/v1/chat/completions", "POST", "2xx")
        self.http_error = http.labels("/v1/chat/completions", "POST", "5xx")
        self.kv.set(self.kv_cache)
        self.running.set(4)
        self.waiting.set(0)
        self._credit = 0.0
        self._errors = 0.0

    def tick(self, seconds: float) -> None:
        """Advance time: tokens and requests at their rates, TTFT observations."""
        self.tokens.inc(self.tokens_per_second * seconds)
        self.prompt.inc(2 * self.tokens_per_second * seconds)
        self._credit += self.requests_per_second * seconds
        while self._credit >= 1:
            self._credit -= 1
            self._errors += self.error_share
            if self._errors >= 1:  # every 1/error_share-th request fails
                self._errors -= 1
                self.success["error"].inc()
                self.http_error.inc()
            else:
                self.success["stop"].inc()
                self.http_ok.inc()
            self.ttft.observe(self.ttft_seconds)
        self.kv.set(self.kv_cache)

    def start(self) -> None:
        self._server = serve(self.registry)
        self.port = self._server.server_address[1]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class FakeDcgm:
    """One node's DCGM exporter; GPU i is held by pods[i] (None: no pod)."""

    hostname: str
    pods: list[tuple[str, str] | None]
    port: int = 0

    def __post_init__(self) -> None:
        self.registry = CollectorRegistry()
        names = [
            "gpu",
            "UUID",
            "device",
            "modelName",
            "hostname",
            "DCGM_FI_DRIVER_VERSION",
            "pci_bus_id",
        ]
        workload = ["container", "namespace", "pod"]
        self.gauges: dict[str, Gauge] = {}
        for metric, help_text in (
            ("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB)."),
            ("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB)."),
            ("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %)."),
            ("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C)."),
            ("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W)."),
        ):
            self.gauges[metric] = Gauge(metric, help_text, names + workload, registry=self.registry)
        for index, holder in enumerate(self.pods):
            labels = self.labels(index, holder)
            self.gauges["DCGM_FI_DEV_FB_USED"].labels(**labels).set(40000 if holder else 0)
            self.gauges["DCGM_FI_DEV_FB_FREE"].labels(**labels).set(40000 if holder else 81000)
            self.gauges["DCGM_FI_DEV_GPU_UTIL"].labels(**labels).set(90 if holder else 0)
            self.gauges["DCGM_FI_DEV_GPU_TEMP"].labels(**labels).set(62)
            self.gauges["DCGM_FI_DEV_POWER_USAGE"].labels(**labels).set(450.5)

    def labels(self, index: int, holder: tuple[str, str] | None) -> dict[str, Any]:
        namespace, pod = holder if holder else ("", "")
        return {
            "gpu": str(index),
            "UUID": f"GPU-{self.hostname}-{index}",
            "device": f"nvidia{index}",
            "modelName": "NVIDIA H100 80GB HBM3",
            "hostname": self.hostname,
            "DCGM_FI_DRIVER_VERSION": "595.91.07",
            "pci_bus_id": f"00000000:{index:02X}:00.0",
            "container": "vllm" if holder else "",
            "namespace": namespace,
            "pod": pod,
        }

    def start(self) -> None:
        self._server = serve(self.registry)
        self.port = self._server.server_address[1]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Clock:
    """Ticks every fake vLLM pod in the background."""

    def __init__(self, pods: list[FakeVllm]) -> None:
        self.pods = pods
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(TICK_SECONDS):
            now = time.monotonic()
            for pod in self.pods:
                pod.tick(now - last)
            last = now

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
