"""The GPU Operator values and the GPU namespace policies from the pure builders."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.gpu.config import DcgmExporterConfig, GpuConfig, Toleration
from components.gpu.network import gpu_operator_policies
from components.gpu.values import (
    COUNTERS_HASH_ANNOTATION,
    DROPPED_TARGET_LABELS,
    counters_sha256,
    gpu_operator_values,
)
from components.kube.selection import selection_labels
from tests.support.netpol import Pod, allowed


def test_scrape_interval_drives_timeout_and_collection_interval() -> None:
    fast = GpuConfig(dcgm_exporter=DcgmExporterConfig(scrape_interval="5s"))
    exporter = gpu_operator_values(fast)["dcgmExporter"]
    assert exporter["serviceMonitor"]["interval"] == "5s"
    assert exporter["serviceMonitor"]["scrapeTimeout"] == "5s"
    assert exporter["env"] == [{"name": "DCGM_EXPORTER_INTERVAL", "value": "5000"}]
    slow = GpuConfig(dcgm_exporter=DcgmExporterConfig(scrape_interval="1m"))
    monitor = gpu_operator_values(slow)["dcgmExporter"]["serviceMonitor"]
    assert (monitor["interval"], monitor["scrapeTimeout"]) == ("1m", "10s")


def test_the_exporter_service_monitor_names_the_workload_not_the_exporter() -> None:
    monitor = gpu_operator_values(GpuConfig())["dcgmExporter"]["serviceMonitor"]
    assert monitor["honorLabels"] is True
    assert monitor["relabelings"] == [{"action": "labeldrop", "regex": DROPPED_TARGET_LABELS}]
    assert monitor["additionalLabels"] == selection_labels()


def test_a_changed_counters_list_restarts_the_exporter() -> None:
    exporter = gpu_operator_values(GpuConfig())["dcgmExporter"]
    assert exporter["annotations"] == {COUNTERS_HASH_ANNOTATION: counters_sha256()}
    assert exporter["config"] == {"name": "dcgm-exporter-counters"}


def test_tolerations_reach_the_daemonsets_and_node_feature_discovery() -> None:
    taint = {"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}
    values = gpu_operator_values(GpuConfig.model_validate({"tolerations": [taint]}))
    assert taint in values["daemonsets"]["tolerations"]
    assert taint in values["node-feature-discovery"]["worker"]["tolerations"]
    assert "node-feature-discovery" not in gpu_operator_values(GpuConfig())


def test_toleration_rules_of_kubernetes() -> None:
    with pytest.raises(ValidationError, match="required unless operator is Exists"):
        Toleration.model_validate({"operator": "Equal"})
    with pytest.raises(ValidationError, match="only applies to effect NoExecute"):
        Toleration.model_validate({"key": "k", "effect": "NoSchedule", "tolerationSeconds": 30})
    assert Toleration.model_validate({"operator": "Exists"}).to_k8s() == {"operator": "Exists"}


def test_dcgm_scrape_interval_bounds() -> None:
    with pytest.raises(ValidationError, match="between 1s and 5m"):
        DcgmExporterConfig.model_validate({"scrapeInterval": "10m"})


def test_only_prometheus_and_the_namespace_reach_the_exporter() -> None:
    # GPU Operator v26.7.0 state-dcgm-exporter: the DaemonSet's pods carry app: <name>.
    exporter = Pod("dcgm", "gpu-operator", {"app": "nvidia-dcgm-exporter"})
    prometheus = Pod("prometheus-0", "monitoring", {"app.kubernetes.io/name": "prometheus"})
    policies = gpu_operator_policies("gpu-operator", "monitoring")
    assert allowed(policies, prometheus, exporter, 9400)
    assert not allowed(
        policies, Pod("x", "inference", {"app.kubernetes.io/name": "prometheus"}), exporter, 9400
    )
