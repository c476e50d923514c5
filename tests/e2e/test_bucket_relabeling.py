"""A real Prometheus scrapes vLLM's histograms through the metricRelabelings our model
ServiceMonitor renders: the dropped bounds never reach the TSDB, every other bucket, +Inf, _sum
and _count do, and the recorded quantile inside the kept range is unchanged."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Histogram

from bench.prometheus_process import Prometheus
from bench.scrape_jobs import prometheus_relabeling
from components.inference.config import ModelConfig
from components.inference.manifests import Serving, model_service_monitor
from rules.buckets import DROPPED, bucket_relabelings, dropped_buckets
from rules.config import RulesConfig
from tests.support.fake_targets import serve
from tests.support.tools import require_tool

MODEL = "llama-3-8b"
# Observations (seconds, or tokens per engine step) inside every histogram's kept range.
OBSERVED = (0.02, 0.3, 0.6, 1.2, 3.0, 7.0)


def vllm_registry() -> CollectorRegistry:
    """vLLM's histograms that lose buckets, with its names, labels and bounds (vLLM registers
    them with prometheus_client: vllm/v1/metrics/loggers.py), a few observations each."""
    registry = CollectorRegistry()
    for name, (bounds, _) in DROPPED.items():
        # A Histogram keeps a name ending in _total: vllm:iteration_tokens_total_bucket.
        histogram = Histogram(
            name,
            f"Histogram of {name.removeprefix('vllm:')}.",
            ["model_name", "engine"],
            buckets=bounds,
            registry=registry,
        ).labels(MODEL, "0")
        for value in OBSERVED:
            histogram.observe(value)
    return registry


def metric_relabel_configs(cfg: RulesConfig) -> list[dict[str, Any]]:
    """The relabelings exactly as the model's ServiceMonitor endpoint carries them."""
    model = ModelConfig.model_validate(
        {"name": MODEL, "backend": "vllm", "huggingFaceId": "meta-llama/Llama-3.1-8B-Instruct"}
    )
    serving = Serving("inference", "15s", metric_relabelings=bucket_relabelings(cfg))
    (endpoint,) = model_service_monitor(model, serving)["spec"]["endpoints"]
    return [prometheus_relabeling(r) for r in endpoint["metricRelabelings"]]


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    require_tool("prometheus")
    directory: Path = tmp_path_factory.mktemp("buckets")
    server = serve(vllm_registry())
    address = f"127.0.0.1:{server.server_address[1]}"
    scrapes = [
        {
            "job_name": job,
            "honor_labels": True,
            "scrape_interval": "1s",
            "scrape_timeout": "1s",
            "static_configs": [{"targets": [address], "labels": {"source": job}}],
            "metric_relabel_configs": relabelings,
        }
        for job, relabelings in (
            ("dropped", metric_relabel_configs(RulesConfig())),
            ("everything", []),  # the control: the same target without the relabelings
        )
    ]
    instance = Prometheus(directory, directory / "data", [], "1s", scrape_configs=scrapes)
    try:
        yield instance
    finally:
        instance.stop()
        server.shutdown()


def bounds(prometheus: Prometheus, histogram: str, source: str) -> set[str]:
    """The `le` values stored for a histogram's buckets from one scrape job, once the job's
    _count series (never dropped) shows the target was scraped."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        count = f'{histogram}_count{{source="{source}"}}'
        if prometheus.get("/api/v1/series", **{"match[]": count}):
            bucket = f'{histogram}_bucket{{source="{source}"}}'
            return {s["le"] for s in prometheus.get("/api/v1/series", **{"match[]": bucket})}
        time.sleep(0.5)
    raise AssertionError(f"{histogram} from {source} never scraped")


@pytest.mark.parametrize("histogram", sorted(DROPPED))
def test_only_the_dropped_bounds_are_missing(prometheus: Prometheus, histogram: str) -> None:
    stored = bounds(prometheus, histogram, "dropped")
    everything = bounds(prometheus, histogram, "everything")
    all_bounds, _ = DROPPED[histogram]
    assert len(everything) == len(all_bounds) + 1  # the control got them all, +Inf included
    gone = {repr(b) for b in dropped_buckets(RulesConfig())[histogram]}
    if histogram.endswith("iteration_tokens_total"):
        assert stored == set()  # no rule reads them: every bucket goes, +Inf too
    else:
        assert stored == everything - gone and "+Inf" in stored
    for suffix in ("_sum", "_count"):
        selector = f'{histogram}{suffix}{{source="dropped"}}'
        assert prometheus.get("/api/v1/series", **{"match[]": selector}), selector


def test_a_quantile_inside_the_kept_range_is_unchanged(prometheus: Prometheus) -> None:
    for source in ("dropped", "everything"):
        bounds(prometheus, "vllm:time_to_first_token_seconds", source)
    time.sleep(2)
    values = {}
    for source in ("dropped", "everything"):
        query = (
            "histogram_quantile(0.5, sum by (le) "
            f'(vllm:time_to_first_token_seconds_bucket{{source="{source}"}}))'
        )
        (sample,) = prometheus.get("/api/v1/query", query=query)["result"]
        values[source] = float(sample["value"][1])
    assert 0.3 <= values["everything"] <= 1.0
    assert values["dropped"] == values["everything"]
