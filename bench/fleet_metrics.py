"""A synthetic inference fleet as OpenMetrics history, for `promtool tsdb create-blocks-from`.

The series are the ones the project's rules and dashboards read, with the names, labels and
buckets of the real exporters (vLLM 0.33 behind our ServiceMonitor, the DCGM exporter behind the
GPU Operator's, and the bundled cost & quality exporter), and the target labels Prometheus adds.
Every series is written as a gauge family: the TSDB stores no types, so queries see the same data.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from bench.fleet_model import (
    RADIANS_PER_SECOND,
    Fleet,
    Pod,
    Series,
    labels,
    place_pods,
)
from bench.fleet_vllm import vllm_series
from exporter.quality import SCORE_BUCKETS
from rules.catalog import DCGM_JOB

__all__ = ["Fleet", "Series", "fleet_series", "fleet_targets", "place_pods", "write_chunk"]

H100 = "NVIDIA H100 80GB HBM3"


def dcgm_series(fleet: Fleet, pods: list[Pod]) -> Iterator[Series]:
    """Seventeen DCGM fields per GPU, with the holder pod's labels on allocated GPUs."""
    holder = {(pod.node, gpu): pod for pod in pods for gpu in pod.gpus}
    for node in range(fleet.nodes):
        host = f"gpu-node-{node:03d}"
        target = labels(
            endpoint="gpu-metrics",
            instance=f"10.0.{node // 250}.{node % 250}:9400",
            job=DCGM_JOB,
            service=DCGM_JOB,
        )
        yield Series(f"up{{{target}}}", 1.0)
        for gpu in range(fleet.gpus_per_node):
            pod = holder.get((node, gpu))
            workload = labels(container="vllm", namespace="inference", pod=pod.name) if pod else ""
            gpu_labels = ",".join(
                part
                for part in (
                    target,
                    labels(
                        gpu=str(gpu),
                        UUID=f"GPU-{node:04x}{gpu:04x}-0000-0000-0000-000000000000",
                        device=f"nvidia{gpu}",
                        modelName=H100,
                        hostname=host,
                        DCGM_FI_DRIVER_VERSION="595.91.07",
                        pci_bus_id=f"00000000:{gpu + 1:02X}:00.0",
                    ),
                    workload,
                )
                if part
            )
            busy, phase = pod is not None, node + gpu / 8
            yield Series(f"DCGM_FI_DEV_GPU_UTIL{{{gpu_labels}}}", 70.0 if busy else 0.0, 0.0,
                         20.0 if busy else 0.0, phase)  # fmt: skip
            yield Series(f"DCGM_FI_DEV_FB_USED{{{gpu_labels}}}", 60000.0 if busy else 0.0)
            yield Series(f"DCGM_FI_DEV_FB_FREE{{{gpu_labels}}}", 21000.0 if busy else 81000.0)
            yield Series(f"DCGM_FI_DEV_GPU_TEMP{{{gpu_labels}}}", 60.0, amplitude=8.0, phase=phase)
            yield Series(f"DCGM_FI_DEV_POWER_USAGE{{{gpu_labels}}}", 450.0, amplitude=150.0,
                         phase=phase)  # fmt: skip
            yield Series(f"DCGM_FI_DEV_SLOWDOWN_TEMP{{{gpu_labels}}}", 90.0)
            yield Series(f"DCGM_FI_DEV_ENFORCED_POWER_LIMIT{{{gpu_labels}}}", 700.0)
            yield Series(f"DCGM_FI_DEV_POWER_VIOLATION{{{gpu_labels}}}", 0.0, 1e6 * (gpu % 2))
            yield Series(f"DCGM_FI_DEV_THERMAL_VIOLATION{{{gpu_labels}}}", 0.0)
            yield Series(f"DCGM_FI_DEV_CLOCKS_EVENT_REASONS{{{gpu_labels}}}", 1.0)
            # No XID yet: the exporter writes code 0 into err_code (collector/gpu_collector.go).
            xid = f'{gpu_labels},err_code="0",err_msg="No Error"'
            yield Series(f"DCGM_FI_DEV_XID_ERRORS{{{xid}}}", 0.0)
            yield Series(f"DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{{{gpu_labels}}}", 0.0)
            yield Series(f"DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS{{{gpu_labels}}}", 0.0)
            yield Series(f"DCGM_FI_DEV_ROW_REMAP_FAILURE{{{gpu_labels}}}", 0.0)
            yield Series(f"DCGM_FI_PROF_SM_ACTIVE{{{gpu_labels}}}", 0.5 if busy else 0.0)
            yield Series(f"DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{{{gpu_labels}}}", 0.4 if busy else 0.0)
            yield Series(f"DCGM_FI_PROF_DRAM_ACTIVE{{{gpu_labels}}}", 0.6 if busy else 0.0)


def exporter_series(fleet: Fleet, pods: list[Pod]) -> Iterator[Series]:
    """The cost & quality exporter: prices per node and pod, spend, and judged responses."""
    exporter = {
        "container": "cost-exporter",
        "endpoint": "http",
        "instance": "10.2.0.10:9402",
        "job": "cost-exporter",
        "service": "cost-exporter",
    }
    own_pod = "cost-exporter-6c5d4b7f9-x2x4q"
    own = labels(**exporter, namespace="monitoring", pod=own_pod)
    yield Series(f"up{{{own}}}", 1.0)
    for node in range(fleet.nodes):
        name, spot = f"gpu-node-{node:03d}", node % 4 == 0
        price = 2.2 if spot else 4.1
        yield Series(
            "ai_node_gpu_hourly_cost_dollars{"
            + labels(
                **exporter,
                namespace="monitoring",
                pod=own_pod,
                node=name,
                gpu_product="NVIDIA-H100-80GB-HBM3",
                instance_type="p5.48xlarge",
                capacity_type="spot" if spot else "on-demand",
            )
            + "}",
            price,
        )
        yield Series(
            f"ai_node_gpus{{{own},{labels(node=name, gpu_product='NVIDIA-H100-80GB-HBM3')}}}",
            float(fleet.gpus_per_node),
        )
        yield Series(
            f"ai_gpu_cost_dollars_total{{{own},{labels(node=name)}}}",
            0.0,
            price * fleet.gpus_per_node / 3600,
        )
    held: dict[int, int] = {}
    for pod in pods:
        price = (2.2 if pod.node % 4 == 0 else 4.1) * len(pod.gpus)
        held[pod.node] = held.get(pod.node, 0) + len(pod.gpus)
        gpu_pod = labels(**exporter, namespace="inference", pod=pod.name)
        node = labels(node=f"gpu-node-{pod.node:03d}")
        yield Series(f"ai_pod_gpu_hourly_cost_dollars{{{gpu_pod},{node}}}", price)
        yield Series(f"ai_pod_gpu_allocation{{{gpu_pod},{node}}}", float(len(pod.gpus)))
        team = f"team-{pod.model % 7}"  # attribution.labels' default: team
        yield Series(f'ai_pod_cost_attribution_info{{{gpu_pod},team="{team}"}}', 1.0)
    for node in range(fleet.nodes):
        allocated = labels(node=f"gpu-node-{node:03d}")
        yield Series(f"ai_node_gpus_allocated{{{own},{allocated}}}", float(held.get(node, 0)))
    for model in range(fleet.models):
        quality = f'{own},model_name="model-{model:02d}",evaluator="judge"'
        yield Series(f"ai_quality_evaluations_total{{{quality}}}", 0.0, 0.05)
        yield Series(f"ai_quality_hallucinations_total{{{quality}}}", 0.0, 0.05 * 0.02)
        for upper in (*SCORE_BUCKETS, math.inf):
            le = "+Inf" if math.isinf(upper) else repr(upper)
            share = 1.0 if math.isinf(upper) else min(1.0, upper**4)
            yield Series(f'ai_quality_score_bucket{{{quality},le="{le}"}}', 0.0, 0.05 * share)
        yield Series(f"ai_quality_score_count{{{quality}}}", 0.0, 0.05)
        yield Series(f"ai_quality_score_sum{{{quality}}}", 0.0, 0.05 * 0.85)
    yield Series(f'ai_exporter_evaluations_rejected_total{{{own},reason="invalid"}}', 0.0, 0.001)


def kube_state_series(fleet: Fleet, pods: list[Pod]) -> Iterator[Series]:
    """kube-state-metrics' series the availability rules read: every pod Ready, created an
    hour before the origin, with its model_name label; one Deployment per model."""
    target = labels(
        container="kube-state-metrics",
        endpoint="http",
        instance="10.2.0.11:8080",
        job="kube-state-metrics",
        service="kube-prometheus-stack-kube-state-metrics",
    )
    for pod in pods:
        of_pod = f'{target},namespace="inference",pod="{pod.name}",uid="{pod.index:08x}-0000"'
        yield Series(f"kube_pod_created{{{of_pod}}}", -3600.0)
        for condition, value in (("true", 1.0), ("false", 0.0), ("unknown", 0.0)):
            yield Series(f'kube_pod_status_ready{{{of_pod},condition="{condition}"}}', value)
        yield Series(f'kube_pod_labels{{{of_pod},label_model_name="{pod.model_name}"}}', 1.0)
    own = f'{target},pod="kube-prometheus-stack-kube-state-metrics-6b8d9f7c4-q8v2n"'
    for model in sorted({pod.model_name for pod in pods}):
        replicas = float(sum(pod.model_name == model for pod in pods))
        of_deployment = f'{own},namespace="inference",deployment="{model}"'
        yield Series(f"kube_deployment_spec_replicas{{{of_deployment}}}", replicas)
        yield Series(f"kube_deployment_status_replicas_available{{{of_deployment}}}", replicas)
        yield Series(f'kube_deployment_labels{{{of_deployment},label_model_name="{model}"}}', 1.0)
        # Every model autoscales: KEDA's HPA keda-hpa-<ScaledObject> targets its Deployment.
        of_hpa = f'{own},namespace="inference",horizontalpodautoscaler="keda-hpa-{model}"'
        yield Series(
            f"kube_horizontalpodautoscaler_info{{{of_hpa},"
            f'scaletargetref_kind="Deployment",scaletargetref_name="{model}"}}',
            1.0,
        )
        for kind, value in (("spec_min", 2.0), ("spec_max", 2 * replicas)):
            yield Series(f"kube_horizontalpodautoscaler_{kind}_replicas{{{of_hpa}}}", value)
        for kind in ("current", "desired"):
            yield Series(f"kube_horizontalpodautoscaler_status_{kind}_replicas{{{of_hpa}}}",
                         replicas)  # fmt: skip


def keda_series(fleet: Fleet) -> Iterator[Series]:
    """KEDA's operator: one error counter per ScaledObject (no errors)."""
    target = labels(
        container="keda-operator",
        endpoint="metrics",
        instance="10.2.0.12:8080",
        job="keda-operator",
        namespace="inference",  # the ScaledObject's, after our relabeling
        pod="keda-operator-7f6c9d8b5-k2m4p",
        service="keda-operator",
    )
    for model in range(fleet.models):
        yield Series(
            f'keda_scaled_object_errors_total{{{target},scaledObject="model-{model:02d}"}}', 0.0
        )


def fleet_targets(fleet: Fleet) -> dict[str, list[Series]]:
    """The fleet's series by scrape job, as the stack scrapes them: the model servers, the
    DCGM exporters, the cost & quality exporter, and the rest at the default interval
    (kube-state-metrics, KEDA)."""
    pods = place_pods(fleet)
    return {
        "inference": [s for pod in pods for s in vllm_series(pod)],
        "gpu": list(dcgm_series(fleet, pods)),
        "exporter": list(exporter_series(fleet, pods)),
        "default": [*kube_state_series(fleet, pods), *keda_series(fleet)],
    }


def fleet_series(fleet: Fleet) -> list[Series]:
    """Every series of the fleet."""
    return [s for series in fleet_targets(fleet).values() for s in series]


def _family(series: Series) -> str:
    return series.name_and_labels.split("{", 1)[0]


def write_openmetrics(
    out: TextIO, series: list[Series], timestamps: range, origin: int, close: bool = True
) -> int:
    """Write the series at the timestamps (Unix seconds) as OpenMetrics text (closed with
    # EOF unless `close` is false); return the number of samples."""
    families: dict[str, list[Series]] = {}
    for one in series:
        families.setdefault(_family(one), []).append(one)
    offsets = [t - origin for t in timestamps]
    samples = 0
    for family, members in families.items():
        out.write(f"# TYPE {family} gauge\n")
        for one in members:
            prefix, base, slope = one.name_and_labels, one.base, one.slope
            if one.amplitude:
                amplitude, phase = one.amplitude, one.phase
                waves = [math.sin(dt * RADIANS_PER_SECOND + phase) for dt in offsets]
                lines = [
                    f"{prefix} {base + amplitude * w:.4f} {dt + origin}\n"
                    for dt, w in zip(offsets, waves, strict=True)
                ]
            else:
                lines = [f"{prefix} {base + slope * dt!r} {dt + origin}\n" for dt in offsets]
            out.write("".join(lines))
            samples += len(lines)
    if close:
        out.write("# EOF\n")
    return samples


def write_chunk(
    path: Path, fleet: Fleet, timestamps: range, origin: int, jobs: tuple[str, ...] = ()
) -> int:
    """One OpenMetrics file for a slice of time of the named scrape jobs (all when none are
    named); returns the number of samples written."""
    targets = fleet_targets(fleet)
    series = [s for job in jobs or tuple(targets) for s in targets[job]]
    with path.open("w", buffering=1 << 22) as out:
        return write_openmetrics(out, series, timestamps, origin)


def exposition(series: list[Series], now: float, origin: int) -> bytes:
    """The fleet's current values in the Prometheus text format (what a scrape would return)."""
    dt = now - origin
    wave = dt * RADIANS_PER_SECOND
    families: dict[str, list[str]] = {}
    for one in series:
        value = one.base + one.slope * dt
        if one.amplitude:
            value += one.amplitude * math.sin(wave + one.phase)
        families.setdefault(_family(one), []).append(f"{one.name_and_labels} {value!r}\n")
    parts = []
    for family, lines in families.items():
        parts.append(f"# TYPE {family} untyped\n")
        parts.extend(lines)
    return "".join(parts).encode()
