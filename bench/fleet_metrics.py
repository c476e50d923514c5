"""A synthetic inference fleet as OpenMetrics history, for `promtool tsdb create-blocks-from`.

The series are the ones the project's rules and dashboards read, with the names, labels and
buckets of the real exporters (vLLM 0.33 behind our ServiceMonitor, the DCGM exporter behind the
GPU Operator's, and the bundled cost & quality exporter), and the target labels Prometheus adds.
Every series is written as a gauge family: the TSDB stores no types, so queries see the same data.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from exporter.quality import SCORE_BUCKETS
from rules.catalog import DCGM_JOB, TTFT_BUCKETS

# vLLM's inter-token and end-to-end latency buckets (unchanged since 0.8.5).
ITL_BUCKETS = (
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    20.0, 40.0, 80.0,
)  # fmt: skip
E2E_BUCKETS = (
    0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0,
    240.0, 480.0, 960.0, 1920.0, 7680.0,
)  # fmt: skip
FINISHED_REASONS = ("stop", "length", "abort", "error", "repetition")
H100 = "NVIDIA H100 80GB HBM3"
INFERENCE_HANDLER = "/v1/chat/completions"  # one of INFERENCE_HANDLERS, which the SLO counts
RADIANS_PER_SECOND = 2 * math.pi / 3600  # gauges wave with a period of one hour


@dataclass(frozen=True)
class Fleet:
    """Models, pods and GPU nodes; the first `large_models` serve on four GPUs per pod."""

    models: int = 20
    pods: int = 1000
    nodes: int = 250
    gpus_per_node: int = 8
    large_models: int = 5

    @property
    def gpus(self) -> int:
        """GPUs in the fleet."""
        return self.nodes * self.gpus_per_node


@dataclass(frozen=True)
class Pod:
    """One vLLM pod and the GPUs it holds."""

    model: int
    index: int
    node: int
    gpus: tuple[int, ...]

    @property
    def model_name(self) -> str:
        return f"model-{self.model:02d}"

    @property
    def name(self) -> str:
        return f"{self.model_name}-7d9f8b6c5-{self.index:04d}"


@dataclass(frozen=True)
class Series:
    """One series: value = base + slope * t + amplitude * sin(2 pi t / 1h + phase), t from the
    origin in seconds. Counters have a slope and no amplitude, so they never decrease."""

    name_and_labels: str
    base: float
    slope: float = 0.0
    amplitude: float = 0.0
    phase: float = 0.0


def place_pods(fleet: Fleet) -> list[Pod]:
    """Pods spread over models round-robin, packed onto nodes in order (first fit)."""
    free = [list(range(fleet.gpus_per_node)) for _ in range(fleet.nodes)]
    pods = []
    for index in range(fleet.pods):
        model = index % fleet.models
        wanted = 4 if model < fleet.large_models else 1
        node = next((n for n, gpus in enumerate(free) if len(gpus) >= wanted), None)
        if node is None:
            raise ValueError(f"{fleet.pods} pods do not fit on {fleet.gpus} GPUs")
        held, free[node] = tuple(free[node][:wanted]), free[node][wanted:]
        pods.append(Pod(model, index, node, held))
    return pods


def _labels(**labels: str) -> str:
    return ",".join(f'{key}="{value}"' for key, value in labels.items())


def _pod_target(pod: Pod) -> dict[str, str]:
    """Target labels of a vLLM pod scraped through our ServiceMonitor (model_name is one)."""
    return {
        "container": "vllm",
        "endpoint": "http",
        "instance": f"10.1.{pod.index // 250}.{pod.index % 250}:8000",
        "job": pod.model_name,
        "model_name": pod.model_name,
        "namespace": "inference",
        "pod": pod.name,
        "service": pod.model_name,
    }


def _histogram(
    name: str, target: str, buckets: tuple[float, ...], scale: float, rps: float
) -> Iterator[Series]:
    """A latency histogram: observations at rps per second, exponential with mean `scale`."""
    for upper in (*buckets, math.inf):
        share = 1.0 if math.isinf(upper) else 1.0 - math.exp(-upper / scale)
        le = "+Inf" if math.isinf(upper) else repr(float(upper))
        yield Series(f'{name}_bucket{{{target},le="{le}"}}', 0.0, rps * share)
    yield Series(f"{name}_count{{{target}}}", 0.0, rps)
    yield Series(f"{name}_sum{{{target}}}", 0.0, rps * scale)


def vllm_series(pod: Pod) -> Iterator[Series]:
    """The series one vLLM pod exposes that the rules and dashboards read."""
    target = _labels(**_pod_target(pod), engine="0")
    rps = 2.0 + (pod.index % 7) * 0.25
    ttft_scale = 0.15 + 0.05 * (pod.model % 10)  # a different TTFT per model
    phase = pod.index / 10
    yield Series(f"up{{{_labels(**_pod_target(pod))}}}", 1.0)
    yield Series(f"vllm:num_requests_running{{{target}}}", 8.0, amplitude=4.0, phase=phase)
    yield Series(f"vllm:num_requests_waiting{{{target}}}", 2.0, amplitude=2.0, phase=phase)
    yield Series(f"vllm:kv_cache_usage_perc{{{target}}}", 0.5, amplitude=0.3, phase=phase)
    yield Series(f"vllm:generation_tokens_total{{{target}}}", 0.0, rps * 250)
    yield Series(f"vllm:prompt_tokens_total{{{target}}}", 0.0, rps * 600)
    shares = {"stop": 0.9, "length": 0.08, "abort": 0.01, "error": 0.005, "repetition": 0.005}
    for reason in FINISHED_REASONS:
        yield Series(
            f'vllm:request_success_total{{{target},finished_reason="{reason}"}}',
            0.0,
            rps * shares[reason],
        )
    yield from _histogram("vllm:time_to_first_token_seconds", target, TTFT_BUCKETS, ttft_scale, rps)
    yield from _histogram("vllm:inter_token_latency_seconds", target, ITL_BUCKETS, 0.03, rps * 250)
    yield from _histogram("vllm:e2e_request_latency_seconds", target, E2E_BUCKETS, 8.0, rps)
    http = _labels(**_pod_target(pod), handler=INFERENCE_HANDLER, method="POST")
    for status, share in (("2xx", 0.985), ("4xx", 0.01), ("5xx", 0.005)):
        yield Series(f'http_requests_total{{{http},status="{status}"}}', 0.0, rps * share)


def dcgm_series(fleet: Fleet, pods: list[Pod]) -> Iterator[Series]:
    """Seventeen DCGM fields per GPU, with the holder pod's labels on allocated GPUs."""
    holder = {(pod.node, gpu): pod for pod in pods for gpu in pod.gpus}
    for node in range(fleet.nodes):
        host = f"gpu-node-{node:03d}"
        target = _labels(
            endpoint="gpu-metrics",
            instance=f"10.0.{node // 250}.{node % 250}:9400",
            job=DCGM_JOB,
            service=DCGM_JOB,
        )
        yield Series(f"up{{{target}}}", 1.0)
        for gpu in range(fleet.gpus_per_node):
            pod = holder.get((node, gpu))
            workload = _labels(container="vllm", namespace="inference", pod=pod.name) if pod else ""
            labels = ",".join(
                part
                for part in (
                    target,
                    _labels(
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
            yield Series(f"DCGM_FI_DEV_GPU_UTIL{{{labels}}}", 70.0 if busy else 0.0, 0.0,
                         20.0 if busy else 0.0, phase)  # fmt: skip
            yield Series(f"DCGM_FI_DEV_FB_USED{{{labels}}}", 60000.0 if busy else 0.0)
            yield Series(f"DCGM_FI_DEV_FB_FREE{{{labels}}}", 21000.0 if busy else 81000.0)
            yield Series(f"DCGM_FI_DEV_GPU_TEMP{{{labels}}}", 60.0, amplitude=8.0, phase=phase)
            yield Series(f"DCGM_FI_DEV_POWER_USAGE{{{labels}}}", 450.0, amplitude=150.0,
                         phase=phase)  # fmt: skip
            yield Series(f"DCGM_FI_DEV_SLOWDOWN_TEMP{{{labels}}}", 90.0)
            yield Series(f"DCGM_FI_DEV_ENFORCED_POWER_LIMIT{{{labels}}}", 700.0)
            yield Series(f"DCGM_FI_DEV_POWER_VIOLATION{{{labels}}}", 0.0, 1e6 * (gpu % 2))
            yield Series(f"DCGM_FI_DEV_THERMAL_VIOLATION{{{labels}}}", 0.0)
            yield Series(f"DCGM_FI_DEV_CLOCKS_EVENT_REASONS{{{labels}}}", 1.0)
            # No XID yet: the exporter writes code 0 into err_code (collector/gpu_collector.go).
            yield Series(f'DCGM_FI_DEV_XID_ERRORS{{{labels},err_code="0",err_msg="No Error"}}', 0.0)
            yield Series(f"DCGM_FI_DEV_ECC_DBE_VOL_TOTAL{{{labels}}}", 0.0)
            yield Series(f"DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS{{{labels}}}", 0.0)
            yield Series(f"DCGM_FI_DEV_ROW_REMAP_FAILURE{{{labels}}}", 0.0)
            yield Series(f"DCGM_FI_PROF_SM_ACTIVE{{{labels}}}", 0.5 if busy else 0.0)
            yield Series(f"DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{{{labels}}}", 0.4 if busy else 0.0)
            yield Series(f"DCGM_FI_PROF_DRAM_ACTIVE{{{labels}}}", 0.6 if busy else 0.0)


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
    own = _labels(**exporter, namespace="monitoring", pod=own_pod)
    yield Series(f"up{{{own}}}", 1.0)
    for node in range(fleet.nodes):
        name, spot = f"gpu-node-{node:03d}", node % 4 == 0
        price = 2.2 if spot else 4.1
        yield Series(
            "ai_node_gpu_hourly_cost_dollars{"
            + _labels(
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
            f"ai_node_gpus{{{own},{_labels(node=name, gpu_product='NVIDIA-H100-80GB-HBM3')}}}",
            float(fleet.gpus_per_node),
        )
        yield Series(
            f"ai_gpu_cost_dollars_total{{{own},{_labels(node=name)}}}",
            0.0,
            price * fleet.gpus_per_node / 3600,
        )
    for pod in pods:
        price = (2.2 if pod.node % 4 == 0 else 4.1) * len(pod.gpus)
        labels = _labels(
            **exporter, namespace="inference", pod=pod.name, node=f"gpu-node-{pod.node:03d}"
        )
        yield Series(f"ai_pod_gpu_hourly_cost_dollars{{{labels}}}", price)
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
    target = _labels(
        container="kube-state-metrics",
        endpoint="http",
        instance="10.2.0.11:8080",
        job="kube-state-metrics",
        service="kube-prometheus-stack-kube-state-metrics",
    )
    for pod in pods:
        labels = f'{target},namespace="inference",pod="{pod.name}",uid="{pod.index:08x}-0000"'
        yield Series(f"kube_pod_created{{{labels}}}", -3600.0)
        for condition, value in (("true", 1.0), ("false", 0.0), ("unknown", 0.0)):
            yield Series(f'kube_pod_status_ready{{{labels},condition="{condition}"}}', value)
        yield Series(f'kube_pod_labels{{{labels},label_model_name="{pod.model_name}"}}', 1.0)
    for model in sorted({pod.model_name for pod in pods}):
        replicas = float(sum(pod.model_name == model for pod in pods))
        own = f'{target},pod="kube-prometheus-stack-kube-state-metrics-6b8d9f7c4-q8v2n"'
        labels = f'{own},namespace="inference",deployment="{model}"'
        yield Series(f"kube_deployment_spec_replicas{{{labels}}}", replicas)
        yield Series(f"kube_deployment_status_replicas_available{{{labels}}}", replicas)
        yield Series(f'kube_deployment_labels{{{labels},label_model_name="{model}"}}', 1.0)


def fleet_series(fleet: Fleet) -> list[Series]:
    """Every series of the fleet."""
    pods = place_pods(fleet)
    series = [s for pod in pods for s in vllm_series(pod)]
    series += dcgm_series(fleet, pods)
    series += exporter_series(fleet, pods)
    series += kube_state_series(fleet, pods)
    return series


def _family(series: Series) -> str:
    return series.name_and_labels.split("{", 1)[0]


def write_openmetrics(out: TextIO, series: list[Series], timestamps: range, origin: int) -> int:
    """Write the series at the timestamps (Unix seconds) as one OpenMetrics text; return the
    number of samples. Series of one name must be adjacent in `series`' order per family."""
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
    out.write("# EOF\n")
    return samples


def write_chunk(path: Path, fleet: Fleet, timestamps: range, origin: int) -> int:
    """One OpenMetrics file for a slice of time; returns the number of samples written."""
    with path.open("w", buffering=1 << 22) as out:
        return write_openmetrics(out, fleet_series(fleet), timestamps, origin)


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
