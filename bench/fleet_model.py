"""The synthetic fleet's shape: models, pods placed on GPU nodes, and series as functions of
time (bench/fleet_metrics.py and bench/fleet_vllm.py write them)."""

from __future__ import annotations

import math
from dataclasses import dataclass

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


def labels(**labels: str) -> str:
    return ",".join(f'{key}="{value}"' for key, value in labels.items())


def pod_target(pod: Pod) -> dict[str, str]:
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
