"""Helm values of the NVIDIA GPU Operator, as a pure function of the GPU config.

honorLabels: true plus dropping the target's own pod/namespace/container labels means that on
every GPU series `pod`, `namespace` and `container` name the workload that holds the GPU (as
dcgm-exporter reports it from the kubelet), and a GPU no pod holds has none of the three. With
the chart's default (honorLabels: false) the workload would be in exported_pod/... and `pod`
would name the exporter; with honorLabels alone an idle GPU would look held by the exporter.
"""

from __future__ import annotations

import hashlib
from typing import Any

from components import versions
from components.gpu.config import GpuConfig
from components.gpu.counters import counters_csv
from components.kube.selection import selection_labels

COUNTERS_CONFIGMAP = "dcgm-exporter-counters"
COUNTERS_HASH_ANNOTATION = "ai-observability/dcgm-counters-sha256"
# Target labels that would otherwise stand in for the workload's on GPUs no pod holds.
DROPPED_TARGET_LABELS = "pod|namespace|container"
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
CONTROL_PLANE_TOLERATION = {
    "key": "node-role.kubernetes.io/control-plane",
    "operator": "Equal",
    "value": "",
    "effect": "NoSchedule",
}
MAX_SCRAPE_TIMEOUT_SECONDS = 10


def counters_sha256() -> str:
    """Hash of the counters file: a pod annotation, so a changed list restarts the exporter
    (the operator mounts the file with subPath, which never updates in a running pod)."""
    return hashlib.sha256(counters_csv().encode()).hexdigest()


def dcgm_exporter_values(gpu: GpuConfig) -> dict[str, Any]:
    """The `dcgmExporter` block."""
    exporter = gpu.dcgm_exporter
    image = versions.DCGM_EXPORTER_IMAGE
    repository, _, name = f"{image.registry}/{image.repository}".rpartition("/")
    timeout_seconds = min(MAX_SCRAPE_TIMEOUT_SECONDS, exporter.interval_ms // 1000)
    return {
        "enabled": True,
        "repository": repository,
        "image": name,
        "version": image.tag,
        "resources": exporter.resources.to_k8s(),
        "annotations": {COUNTERS_HASH_ANNOTATION: counters_sha256()},
        # Collect as often as Prometheus scrapes (the exporter's default is every 30 s).
        "env": [{"name": "DCGM_EXPORTER_INTERVAL", "value": str(exporter.interval_ms)}],
        "config": {"name": COUNTERS_CONFIGMAP},
        "serviceMonitor": {
            "enabled": True,
            "interval": exporter.scrape_interval,
            "scrapeTimeout": f"{max(timeout_seconds, 1)}s",
            "honorLabels": True,
            "additionalLabels": selection_labels(),
            "relabelings": [{"action": "labeldrop", "regex": DROPPED_TARGET_LABELS}],
        },
    }


def gpu_operator_values(gpu: GpuConfig) -> dict[str, Any]:
    """All values passed to the gpu-operator release."""
    extra_tolerations = [t.to_k8s() for t in gpu.tolerations]
    values: dict[str, Any] = {
        "driver": {"enabled": gpu.driver},
        "toolkit": {"enabled": gpu.toolkit},
        "devicePlugin": {"enabled": gpu.device_plugin},
        "gfd": {"enabled": gpu.gpu_feature_discovery},
        "nfd": {"enabled": gpu.node_feature_discovery},
        "mig": {"strategy": gpu.mig_strategy},
        "operator": {
            # Keeps CRDs current on chart upgrades (a Helm hook; runs under helm.v3.Release).
            "upgradeCRD": True,
            "nodeSelector": {"kubernetes.io/os": "linux", **gpu.operator_node_selector},
        },
        "daemonsets": {"tolerations": [GPU_TOLERATION, *extra_tolerations]},
        "dcgmExporter": dcgm_exporter_values(gpu),
    }
    if gpu.node_feature_discovery and extra_tolerations:
        values["node-feature-discovery"] = {
            "worker": {
                "tolerations": [CONTROL_PLANE_TOLERATION, GPU_TOLERATION, *extra_tolerations]
            }
        }
    return values
