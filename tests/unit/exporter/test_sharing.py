"""Shared GPUs as shares: gpu-feature-discovery's labels (k8s-device-plugin) on time-sliced,
MIG mixed and MIG single nodes, and the GPU-equivalents a pod's resources are."""

from __future__ import annotations

import pytest

from exporter.sharing import base_product, compute_slices, gpu_equivalents, physical_gpus

TIME_SLICED = {
    "nvidia.com/gpu.product": "Tesla-T4-SHARED",
    "nvidia.com/gpu.replicas": "4",
    "nvidia.com/gpu.sharing-strategy": "time-slicing",
    "nvidia.com/gpu.count": "2",
}
MIXED = {
    "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB",
    "nvidia.com/mig.strategy": "mixed",
    "nvidia.com/gpu.count": "2",
}
SINGLE = {
    "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3-MIG-3g.40gb",
    "nvidia.com/mig.strategy": "single",
    "nvidia.com/gpu.count": "4",
}
A30 = {"nvidia.com/gpu.product": "NVIDIA-A30", "nvidia.com/mig.strategy": "mixed"}


@pytest.mark.parametrize(
    ("product", "base"),
    [
        ("Tesla-T4-SHARED", "Tesla-T4"),
        ("NVIDIA-A100-SXM4-80GB-MIG-1g.10gb", "NVIDIA-A100-SXM4-80GB"),
        ("NVIDIA-H100-NVL-MIG-1g.12gb", "NVIDIA-H100-NVL"),
        ("NVIDIA-H100-80GB-HBM3", "NVIDIA-H100-80GB-HBM3"),
    ],
)
def test_prices_come_from_the_base_product(product: str, base: str) -> None:
    assert base_product(product) == base


def test_physical_gpus_of_each_kind_of_node() -> None:
    assert physical_gpus(TIME_SLICED, 8, {}) == 2  # 8 replicas of 2 GPUs
    assert physical_gpus(MIXED, 0, {}) == 2  # no whole GPU allocatable: the count label
    assert physical_gpus(SINGLE, 4, {}) == 2  # four 3g devices fill ceil(12/7) = 2 GPUs
    assert physical_gpus({"nvidia.com/gpu.count": "8"}, 8, {}) == 8


def test_gpu_equivalents_of_a_pods_resources() -> None:
    assert gpu_equivalents({"nvidia.com/gpu": 1}, TIME_SLICED, {}) == (0.25, [])
    held = {"nvidia.com/mig-1g.10gb": 2, "nvidia.com/mig-3g.40gb": 1}
    assert gpu_equivalents(held, MIXED, {}) == (pytest.approx(5 / 7), [])
    assert gpu_equivalents({"nvidia.com/gpu": 1}, SINGLE, {}) == (pytest.approx(3 / 7), [])
    assert gpu_equivalents({"nvidia.com/mig-2g.12gb": 1}, A30, {}) == (0.5, [])  # 4 slices
    assert gpu_equivalents({"nvidia.com/gpu": 2}, {}, {}) == (2, [])


def test_what_cannot_be_priced_is_reported_not_priced_as_a_whole_gpu() -> None:
    odd = {"nvidia.com/mig-weird": 1, "nvidia.com/gpu": 1}
    assert gpu_equivalents(odd, MIXED, {}) == (1, ["nvidia.com/mig-weird"])
    unknown = {"nvidia.com/gpu.product": "NVIDIA-RTX-PRO-6000", "nvidia.com/mig.strategy": "mixed"}
    assert gpu_equivalents({"nvidia.com/mig-1g.24gb": 1}, unknown, {}) == (
        0,
        ["nvidia.com/mig-1g.24gb"],
    )
    # A per-product override prices it.
    overrides = {"NVIDIA-RTX-PRO-6000": 4}
    assert compute_slices("NVIDIA-RTX-PRO-6000", overrides) == 4
    assert gpu_equivalents({"nvidia.com/mig-1g.24gb": 1}, unknown, overrides) == (0.25, [])
    # More slices than the GPU has is no share of it.
    assert gpu_equivalents({"nvidia.com/mig-9g.90gb": 1}, MIXED, {}) == (
        0,
        ["nvidia.com/mig-9g.90gb"],
    )
