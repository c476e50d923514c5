"""Pricing arithmetic: capacity type from node labels, and the price of one GPU-hour on a node.

An instance-type override is a whole-node price divided by the node's GPUs, so the GPU carries
the full cost of the machine it needs; nothing is split by fixed CPU/RAM/GPU ratios.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from exporter.config import ExporterConfig

PRODUCT_LABEL = "nvidia.com/gpu.product"
COUNT_LABEL = "nvidia.com/gpu.count"
INSTANCE_TYPE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
# label -> {value: capacity type}, as each cloud or provisioner writes it.
CAPACITY_LABELS: dict[str, dict[str, str]] = {
    "karpenter.sh/capacity-type": {"spot": "spot", "on-demand": "on_demand"},
    "eks.amazonaws.com/capacityType": {"SPOT": "spot", "ON_DEMAND": "on_demand"},
    "cloud.google.com/gke-spot": {"true": "spot"},
    "cloud.google.com/gke-preemptible": {"true": "spot"},
    "kubernetes.azure.com/scalesetpriority": {"spot": "spot", "regular": "on_demand"},
}


@dataclass(frozen=True, slots=True)
class Node:
    """A node with its labels and GPU count."""

    name: str
    labels: Mapping[str, str]
    gpus: float

    @property
    def gpu_product(self) -> str:
        """gpu-feature-discovery's product label, or "" when the node has none."""
        return self.labels.get(PRODUCT_LABEL, "")

    @property
    def instance_type(self) -> str:
        """The node's instance type label, or ""."""
        for label in INSTANCE_TYPE_LABELS:
            if self.labels.get(label):
                return self.labels[label]
        return ""


@dataclass(frozen=True, slots=True)
class Pod:
    """A pod that holds GPUs on a node."""

    namespace: str
    name: str
    node: str
    gpus: float


def capacity_type(labels: Mapping[str, str], default: str) -> str:
    """spot or on_demand, from the first capacity label the node carries."""
    for label, values in CAPACITY_LABELS.items():
        value = labels.get(label)
        if value is not None and value in values:
            return values[value]
    return default


def gpu_hour_price(node: Node, config: ExporterConfig) -> float | None:
    """USD for one GPU-hour on this node, or None when nothing prices it."""
    if node.gpus <= 0:
        return None
    capacity = capacity_type(node.labels, config.default_capacity_type)
    override = config.instance_prices.get(node.instance_type, {}).get(capacity)
    if override is not None:
        return override / node.gpus
    return config.gpu_prices.get(node.gpu_product, {}).get(capacity)


def gpu_count_from_labels(labels: Mapping[str, str]) -> float:
    """GPUs on a node according to gpu-feature-discovery's count label (0 when absent)."""
    try:
        return max(0.0, float(labels.get(COUNT_LABEL, "0")))
    except ValueError:
        return 0.0
