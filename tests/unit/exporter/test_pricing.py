"""Pricing arithmetic: per-GPU prices, instance overrides, capacity type per cloud, unpriced GPUs."""

from __future__ import annotations

import pytest

from exporter.config import parse_config
from exporter.pricing import Node, capacity_type, gpu_count_from_labels, gpu_hour_price

CONFIG = parse_config(
    {
        "gpus": {"NVIDIA-H100-80GB-HBM3": {"on_demand": 6.88, "spot": 2.10}},
        "instance_types": {"p5.48xlarge": {"on_demand": 55.04}, "g6f.large": {"on_demand": 0.202}},
        "models": ["m"],
        "evaluators": ["judge"],
    }
)
H100 = {"nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"}


def test_per_gpu_price_from_the_product_table() -> None:
    assert gpu_hour_price(Node("n", H100, 8), CONFIG) == 6.88


def test_instance_override_is_the_whole_node_price_over_its_gpus() -> None:
    labels = {**H100, "node.kubernetes.io/instance-type": "p5.48xlarge"}
    assert gpu_hour_price(Node("n", labels, 8), CONFIG) == pytest.approx(55.04 / 8)
    # A fractional GPU (g6f.large is 1/8 of an L4) carries the whole instance price.
    g6f = {"nvidia.com/gpu.product": "NVIDIA-L4", "node.kubernetes.io/instance-type": "g6f.large"}
    assert gpu_hour_price(Node("n", g6f, 0.125), CONFIG) == pytest.approx(0.202 / 0.125)


def test_spot_node_without_a_spot_override_uses_the_product_spot_price() -> None:
    labels = {
        **H100,
        "node.kubernetes.io/instance-type": "p5.48xlarge",
        "karpenter.sh/capacity-type": "spot",
    }
    assert gpu_hour_price(Node("n", labels, 8), CONFIG) == 2.10


@pytest.mark.parametrize(
    ("label", "value", "expected"),
    [
        ("karpenter.sh/capacity-type", "spot", "spot"),
        ("karpenter.sh/capacity-type", "on-demand", "on_demand"),
        ("eks.amazonaws.com/capacityType", "SPOT", "spot"),
        ("eks.amazonaws.com/capacityType", "ON_DEMAND", "on_demand"),
        ("cloud.google.com/gke-spot", "true", "spot"),
        ("cloud.google.com/gke-preemptible", "true", "spot"),
        ("kubernetes.azure.com/scalesetpriority", "spot", "spot"),
        ("kubernetes.azure.com/scalesetpriority", "regular", "on_demand"),
    ],
)
def test_capacity_type_from_each_clouds_label(label: str, value: str, expected: str) -> None:
    assert capacity_type({label: value}, "on_demand" if expected == "spot" else "spot") == expected


def test_default_capacity_type_without_a_label() -> None:
    assert capacity_type({}, "spot") == "spot"
    assert capacity_type({"karpenter.sh/capacity-type": "reserved"}, "on_demand") == "on_demand"


def test_unpriced_gpus_are_none_never_zero() -> None:
    assert gpu_hour_price(Node("n", {"nvidia.com/gpu.product": "NVIDIA-B300"}, 8), CONFIG) is None
    assert gpu_hour_price(Node("n", {}, 8), CONFIG) is None
    assert gpu_hour_price(Node("n", H100, 0), CONFIG) is None


def test_default_table_is_used_and_overridable() -> None:
    assert gpu_hour_price(Node("n", {"nvidia.com/gpu.product": "Tesla-T4"}, 1), CONFIG) == 0.526
    assert CONFIG.gpu_prices["NVIDIA-H100-80GB-HBM3"]["spot"] == 2.10  # overrides the default 2.16


@pytest.mark.parametrize(
    "labels, gpus",
    [
        ({"nvidia.com/gpu.count": "8"}, 8.0),  # gpu-feature-discovery's label, a string
        ({"nvidia.com/gpu.count": "0"}, 0.0),
        ({}, 0.0),  # no GPU feature discovery on the node
        ({"nvidia.com/gpu.count": "eight"}, 0.0),
        ({"nvidia.com/gpu.count": "-2"}, 0.0),  # never a negative count
        ({"nvidia.com/gpu.count": ""}, 0.0),
    ],
)
def test_gpu_count_from_the_feature_discovery_label(labels: dict[str, str], gpus: float) -> None:
    assert gpu_count_from_labels(labels) == gpus
