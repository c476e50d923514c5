"""Pricing arithmetic: capacity type from node labels, and the price of one GPU-hour on a node.

An instance-type override is a whole-node price divided by the node's GPUs, so the GPU carries
the full cost of the machine it needs; nothing is split by fixed CPU/RAM/GPU ratios.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from exporter.config import ExporterConfig
from exporter.sharing import GPU_RESOURCE, base_product, physical_gpus
from exporter.sharing import gpu_count_from_labels as gpu_count_from_labels  # re-exported

PRODUCT_LABEL = "nvidia.com/gpu.product"
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
    """A node with its labels and allocatable `nvidia.com/gpu` (time-slicing replicas or MIG
    devices count there; exporter.sharing turns it into whole GPUs)."""

    name: str
    labels: Mapping[str, str]
    gpus: float

    @property
    def gpu_product(self) -> str:
        """The product a GPU of the node is priced as: gpu-feature-discovery's product label
        without `-SHARED` or a MIG profile, or "" when the node has none."""
        return base_product(self.labels.get(PRODUCT_LABEL, ""))

    @property
    def instance_type(self) -> str:
        """The node's instance type label, or ""."""
        for label in INSTANCE_TYPE_LABELS:
            if self.labels.get(label):
                return self.labels[label]
        return ""


@dataclass(frozen=True, slots=True)
class Pod:
    """A pod on a node: its `nvidia.com/gpu`, other GPU resources it requests (MIG slices),
    and its labels (for cost attribution)."""

    namespace: str
    name: str
    node: str
    gpus: float
    resources: Mapping[str, float] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def gpu_resources(self) -> dict[str, float]:
        """Every GPU resource the pod holds (`gpus` as nvidia.com/gpu)."""
        held = {GPU_RESOURCE: self.gpus} if self.gpus else {}
        return {**held, **{k: v for k, v in self.resources.items() if v > 0}}


def capacity_type(labels: Mapping[str, str], default: str) -> str:
    """spot or on_demand, from the first capacity label the node carries."""
    for label, values in CAPACITY_LABELS.items():
        value = labels.get(label)
        if value is not None and value in values:
            return values[value]
    return default


def node_gpus(node: Node, config: ExporterConfig) -> float:
    """Whole physical GPUs on the node."""
    return physical_gpus(node.labels, node.gpus, config.mig_compute_slices)


def gpu_hour_price(node: Node, config: ExporterConfig) -> float | None:
    """USD for one (physical) GPU-hour on this node, or None when nothing prices it."""
    physical = node_gpus(node, config)
    if physical <= 0:
        return None
    capacity = capacity_type(node.labels, config.default_capacity_type)
    override = config.instance_prices.get(node.instance_type, {}).get(capacity)
    if override is not None:
        return override / physical
    return config.gpu_prices.get(node.gpu_product, {}).get(capacity)
