"""Every series family the exporters emit, once, as Prometheus stores it: the catalog's families
(rules/catalog.py) and the deployed DCGM counters (components/gpu/counters.py), each with all
its labels (the exporter's and the scrape target's), served as Prometheus text on loopback.

A real Prometheus scraping it (honor_labels, so the target labels come from the text) runs every
rule of the project, so the labels of every recorded series can be read back from it instead of
being written down by hand. Label values are one per name across families, so joins match.
Values and serving are the benchmark fleet's (bench/fleet_metrics.py, bench/fleet_target.py).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator

from bench.fleet_metrics import Series
from bench.fleet_target import FleetTarget
from components.gpu.counters import COUNTERS
from rules.catalog import (
    EXPORTER_METRICS,
    HTTP_METRICS,
    KEDA_METRICS,
    KUBE_STATE_METRICS,
    LOADGEN_METRICS,
    VLLM_METRICS,
    Family,
    dcgm_family,
)

POD = "m-6d4cf56db6-9xk2p"
VALUES = {
    "model_name": "m", "label_model_name": "m", "deployment": "m", "engine": "0",
    "namespace": "inference", "pod": POD, "uid": "5e8f7a6b-4c3d-4e2f-8a1b-2c3d4e5f6a7b",
    "node": "gpu-node-1", "hostname": "gpu-node-1", "gpu": "0", "device": "nvidia0",
    "UUID": "GPU-5fb5a4a1-3c2e-6d7b-8f9a-0b1c2d3e4f50", "modelName": "NVIDIA H100 80GB HBM3",
    "pci_bus_id": "00000000:18:00.0", "DCGM_FI_DRIVER_VERSION": "570.133.20",
    "err_code": "79", "err_msg": "GPU has fallen off the bus", "xid": "79",
    "gpu_product": "NVIDIA-H100-80GB-HBM3", "instance_type": "p5.48xlarge",
    "capacity_type": "on_demand", "evaluator": "judge", "reason": "invalid", "method": "POST",
    "handler": "/v1/chat/completions", "endpoint": "http",
    # The HPA KEDA owns for ScaledObject m (kube-state-metrics), and KEDA's own labels.
    "horizontalpodautoscaler": "keda-hpa-m", "scaletargetref_kind": "Deployment",
    "scaletargetref_name": "m", "scaletargetref_api_version": "apps/v1",
    "scaledObject": "m",
}  # fmt: skip
# Labels with one series per value (the 5xx and error series exist next to the good ones).
SPREAD = {
    "status": ("2xx", "5xx"),
    "finished_reason": ("stop", "error"),
    "condition": ("true", "false", "unknown"),
}
# Optional labels left out: the simulator's spelling, MIG instances.
LEFT_OUT = {"finish_reason", "GPU_I_PROFILE", "GPU_I_ID"}
# Cumulative share of observations per bucket: a quarter above 2.5 s, so the TTFT SLO burns.
BUCKETS = {"0.5": 0.25, "1.0": 0.5, "2.5": 0.75, "+Inf": 1.0}
TARGETS = {
    "vllm": {"job": "m", "service": "m", "container": "vllm", "instance": "10.244.1.17:8000"},
    "dcgm": {
        "job": "nvidia-dcgm-exporter",
        "service": "nvidia-dcgm-exporter",
        "endpoint": "gpu-metrics",
        "instance": "10.244.2.5:9400",
        "container": "vllm",  # of the pod holding the GPU (Kubernetes mode)
    },
    "ksm": {
        "job": "kube-state-metrics",
        "service": "kube-prometheus-stack-kube-state-metrics",
        "container": "kube-state-metrics",
        "instance": "10.244.0.12:8080",
    },
    "loadgen": {
        "job": "inference/load-generator",
        "endpoint": "metrics",
        "container": "load-generator",
        "pod": "load-generator-7d9f8c6b5-q2w4e",
        "instance": "10.244.1.40:9100",
    },
    "keda": {
        "job": "keda-operator",
        "service": "keda-operator",
        "container": "keda-operator",
        "instance": "10.244.3.7:8080",
        "endpoint": "metrics",
        "pod": "keda-operator-7f9c6d8b5-x4k2m",
    },
    "exporter": {
        "job": "cost-exporter",
        "service": "cost-exporter",
        "container": "cost-exporter",
        "instance": "10.244.0.20:9402",
    },
}


def families() -> Iterator[tuple[str, Family, str]]:
    """(name, family, which target) of every family served."""
    for catalog, target in (
        (VLLM_METRICS, "vllm"),
        (HTTP_METRICS, "vllm"),
        (KUBE_STATE_METRICS, "ksm"),
        (KEDA_METRICS, "keda"),
        (LOADGEN_METRICS, "loadgen"),
        (EXPORTER_METRICS, "exporter"),
    ):
        for name, family in catalog.items():
            yield name, family, target
    for counter in COUNTERS:
        if counter.type != "label":
            yield counter.field, dcgm_family(counter.field, counter.type), "dcgm"


def label_sets(name: str, family: Family, target: str) -> list[dict[str, str]]:
    """Every series of one family: all its labels, one series per SPREAD value."""
    names = sorted((family.labels | family.optional) - LEFT_OUT)
    fixed = {n: TARGETS[target].get(n, VALUES.get(n, "x")) for n in names if n not in SPREAD}
    if name.startswith(("kube_deployment", "kube_horizontalpodautoscaler")):
        fixed["pod"] = "kube-state-metrics-6b8d9f7c4-q8v2n"  # the target's, not a workload's
    # The exporter's per-pod families name the GPU pod (honorLabels); the rest the exporter.
    per_pod = name.startswith("ai_pod_") or name == "ai_exporter_unpriced_pod_gpus"
    if target == "exporter" and not per_pod:
        fixed |= {"namespace": "monitoring", "pod": "cost-exporter-5c9d7b8f4-h2kqm"}
    spread = [[(n, v) for v in SPREAD[n]] for n in names if n in SPREAD]
    return [{**fixed, **dict(combination)} for combination in itertools.product(*spread)]


def _level(name: str, labels: dict[str, str]) -> float:
    """A plausible constant for a gauge."""
    if name == "kube_pod_status_ready":
        return 1.0 if labels["condition"] == "true" else 0.0
    # The GPU is busy and thermally throttled (0x20 software thermal slowdown, 0x1 idle off),
    # so the throttle panel has something to show.
    levels = {
        "DCGM_FI_DEV_GPU_TEMP": 60.0,
        "DCGM_FI_DEV_SLOWDOWN_TEMP": 90.0,
        "DCGM_FI_DEV_CLOCKS_EVENT_REASONS": 32.0,
    }
    return levels.get(name, 1.0)


def _selector(name: str, labels: dict[str, str]) -> str:
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def universe_series(origin: int) -> list[Series]:
    """Every series, as the benchmark fleet's Series: counters grow one per second from
    `origin` (the pods were created then), gauges hold a level."""
    series = []
    for name, family, target in families():
        for labels in label_sets(name, family, target):
            if family.kind == "histogram":
                for le, share in BUCKETS.items():
                    series.append(
                        Series(_selector(f"{name}_bucket", {**labels, "le": le}), 0, share)
                    )
                series.append(Series(_selector(f"{name}_count", labels), 0.0, 1.0))
                series.append(Series(_selector(f"{name}_sum", labels), 0.0, 0.4))
            elif name == "kube_pod_created":
                series.append(Series(_selector(name, labels), float(origin)))
            elif family.kind == "counter" or name.endswith("_total"):
                series.append(Series(_selector(name, labels), 0.0, 1.0))
            else:
                series.append(Series(_selector(name, labels), _level(name, labels)))
    return series


def serve_universe() -> FleetTarget:
    """The universe on 127.0.0.1, served like the benchmark's fleet (`.address`, `.stop()`)."""
    origin = int(time.time())
    return FleetTarget(universe_series(origin), origin)
