"""A real Prometheus scrapes a KEDA operator's metrics the way the keda chart's ServiceMonitor
makes prometheus-operator scrape them (no honorLabels, KEDA's namespace as a target label),
with the metricRelabelings of our values: the ScaledObject's namespace must end up in
`namespace`, as the autoscaling rules and the dashboard read it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge

from bench.prometheus_process import Prometheus
from bench.scrape_jobs import prometheus_relabeling
from components.autoscaling.values import keda_values
from tests.support.fake_targets import serve
from tests.support.tools import require_tool

# The target labels prometheus-operator gives a ServiceMonitor endpoint of the keda-operator
# Service in the keda namespace.
TARGET = {
    "namespace": "keda",
    "service": "keda-operator",
    "pod": "keda-operator-7f9c6d8b5-x4k2m",
    "container": "keda-operator",
    "endpoint": "metrics",
    "job": "keda-operator",
}


def metric_relabel_configs() -> list[dict[str, Any]]:
    monitor = keda_values()["prometheus"]["operator"]["serviceMonitor"]
    return [prometheus_relabeling(rule) for rule in monitor["metricRelabelings"]]


def keda_registry() -> CollectorRegistry:
    """What KEDA 2.20's operator writes (pkg/metricscollector/prommetrics.go): errors per
    ScaledObject with its namespace, and build info without one."""
    registry = CollectorRegistry()
    errors = Counter(
        "keda_scaled_object_errors",
        "The number of errors that have occurred for each ScaledObject.",
        ["namespace", "scaledObject"],
        registry=registry,
    )
    errors.labels("inference", "llama-3-8b").inc(3)
    info = Gauge(
        "keda_build_info",
        "Info metric, with static information about KEDA build.",
        ["version", "git_commit", "goversion", "goos", "goarch"],
        registry=registry,
    )
    info.labels("2.20.2", "abc123", "go1.24.6", "linux", "amd64").set(1)
    return registry


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    require_tool("prometheus")
    directory: Path = tmp_path_factory.mktemp("keda")
    server = serve(keda_registry())
    address = f"127.0.0.1:{server.server_address[1]}"
    scrape = {
        "job_name": "serviceMonitor/keda/keda-operator/0",
        "scrape_interval": "1s",
        "scrape_timeout": "1s",
        "static_configs": [{"targets": [address], "labels": TARGET}],
        "metric_relabel_configs": metric_relabel_configs(),
    }
    instance = Prometheus(directory, directory / "data", [], "1s", scrape_configs=[scrape])
    try:
        yield instance
    finally:
        instance.stop()
        server.shutdown()


def series(prometheus: Prometheus, name: str) -> list[dict[str, str]]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = prometheus.get("/api/v1/series", **{"match[]": name})
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"{name} never scraped")


def test_the_scaled_objects_namespace_is_namespace(prometheus: Prometheus) -> None:
    (errors,) = series(prometheus, "keda_scaled_object_errors_total")
    assert errors["namespace"] == "inference"
    assert errors["scaledObject"] == "llama-3-8b"
    assert "exported_namespace" not in errors
    assert errors["service"] == "keda-operator"


def test_series_without_a_namespace_of_their_own_keep_kedas(prometheus: Prometheus) -> None:
    (info,) = series(prometheus, "keda_build_info")
    assert info["namespace"] == "keda" and "exported_namespace" not in info


def test_without_the_relabeling_the_namespace_would_be_kedas() -> None:
    """Control: the relabeling is what moves it (Prometheus renames a clashing label
    exported_<name> when honor_labels is false, before metric relabeling)."""
    rules = metric_relabel_configs()
    assert rules[0]["source_labels"] == ["exported_namespace"]
    assert rules[0]["target_label"] == "namespace"
    assert rules[1] == {"action": "labeldrop", "regex": "exported_namespace"}
