"""Shared GPUs priced as the share they are: time-slicing and MIG. Pure.

Facts from NVIDIA's gpu-feature-discovery (k8s-device-plugin): on a time-sliced node
`nvidia.com/gpu.replicas` > 1, allocatable `nvidia.com/gpu` counts replicas, and the product
label gets `-SHARED` appended (e.g. `Tesla-T4-SHARED`). MIG with the mixed strategy exposes
`nvidia.com/mig-<g>g.<mem>gb` resources and `nvidia.com/gpu.count` counts whole GPUs; with the
single strategy the product label names the profile (`NVIDIA-A100-SXM4-80GB-MIG-1g.10gb`),
allocatable `nvidia.com/gpu` and `nvidia.com/gpu.count` count MIG devices. A MIG slice of g
compute slices is g / (the GPU's compute slices) of the GPU: 7 on A100, H100, H200 and B200,
4 on A30.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

GPU_RESOURCE = "nvidia.com/gpu"
MIG_PREFIX = "nvidia.com/mig-"
REPLICAS_LABEL = "nvidia.com/gpu.replicas"
COUNT_LABEL = "nvidia.com/gpu.count"
SHARED_SUFFIX = "-SHARED"
_PROFILE = r"(?P<g>[1-9]\d?)g\.(?P<mem>\d+)gb"
MIG_RESOURCE = re.compile(rf"nvidia\.com/mig-{_PROFILE}")
SINGLE_MIG_PRODUCT = re.compile(rf"(?P<base>.+)-MIG-{_PROFILE}")
# Compute slices of a whole GPU, by a part of the product name (the first that matches).
COMPUTE_SLICES: tuple[tuple[str, int], ...] = (
    ("A30", 4),
    ("A100", 7),
    ("H100", 7),
    ("H200", 7),
    ("B200", 7),
)


def base_product(product: str) -> str:
    """The product a price is looked up by: without `-SHARED` and without a MIG profile."""
    product = product.removesuffix(SHARED_SUFFIX)
    single = SINGLE_MIG_PRODUCT.fullmatch(product)
    return single["base"] if single else product


def replicas(labels: Mapping[str, str]) -> int:
    """Time-slicing replicas per physical GPU (1 without sharing or with a bad label)."""
    try:
        value = int(labels.get(REPLICAS_LABEL, "1"))
    except ValueError:
        return 1
    return max(1, value)


def compute_slices(product: str, overrides: Mapping[str, int]) -> int | None:
    """How many compute slices a whole GPU of this product has (None: not known)."""
    base = base_product(product)
    if base in overrides:
        return overrides[base]
    return next((n for part, n in COMPUTE_SLICES if part in base), None)


def single_mig_share(product: str, overrides: Mapping[str, int]) -> float | None:
    """The share of a GPU one `nvidia.com/gpu` is on a single-strategy MIG node (None when
    the node is not one, or its profile cannot be priced)."""
    single = SINGLE_MIG_PRODUCT.fullmatch(product.removesuffix(SHARED_SUFFIX))
    if not single:
        return None
    slices = compute_slices(product, overrides)
    return int(single["g"]) / slices if slices else None


def is_single_mig(product: str) -> bool:
    """Whether the product label names a MIG profile (single strategy)."""
    return SINGLE_MIG_PRODUCT.fullmatch(product.removesuffix(SHARED_SUFFIX)) is not None


def gpu_count_from_labels(labels: Mapping[str, str]) -> float:
    """GPUs according to gpu-feature-discovery's count label (0 when absent or bad)."""
    try:
        return max(0.0, float(labels.get(COUNT_LABEL, "0")))
    except ValueError:
        return 0.0


def physical_gpus(
    labels: Mapping[str, str], allocatable: float, overrides: Mapping[str, int]
) -> float:
    """Whole GPUs on a node: allocatable `nvidia.com/gpu` over the time-slicing replicas;
    MIG devices as the GPUs they fill (single strategy); the count label where allocatable
    has no whole GPUs (mixed strategy)."""
    product = labels.get("nvidia.com/gpu.product", "")
    share = single_mig_share(product, overrides)
    if share is not None:
        return float(math.ceil(allocatable * share - 1e-9))
    if allocatable <= 0:
        return gpu_count_from_labels(labels)
    return allocatable / replicas(labels)


def gpu_equivalents(
    resources: Mapping[str, float],
    node_labels: Mapping[str, str],
    overrides: Mapping[str, int],
) -> tuple[float, list[str]]:
    """The GPUs a pod holds on a node, as shares of physical GPUs, and the resources it holds
    that cannot be priced (a MIG profile that does not parse, a product without known slices):
    those count for nothing here and are reported, never priced as whole GPUs."""
    product = node_labels.get("nvidia.com/gpu.product", "")
    total, unpriced = 0.0, []
    for resource, count in resources.items():
        if count <= 0:
            continue
        if resource == GPU_RESOURCE:
            if is_single_mig(product):
                share = single_mig_share(product, overrides)
            else:
                share = 1 / replicas(node_labels)
        elif resource.startswith(MIG_PREFIX):
            found = MIG_RESOURCE.fullmatch(resource)
            slices = compute_slices(product, overrides)
            share = int(found["g"]) / slices if found and slices else None
        else:
            continue
        if share is None or share > 1:
            unpriced.append(resource)
            continue
        total += count * share
    return total, unpriced
