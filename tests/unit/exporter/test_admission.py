"""Label values and GPU counts that can be written and priced; everything else is skipped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from exporter.admission import (
    BAD_GPU_COUNT,
    BAD_LABEL_VALUE,
    ObjectSkippedError,
    check_node,
    check_pod,
    gpu_count,
)
from exporter.labels import MAX_LABEL_VALUE, label_value_problem
from exporter.pricing import Node, Pod


@pytest.mark.parametrize(
    "value, problem",
    [
        ("llama-3-8b", None),
        ("Llama 3 8B (ünïcode)", None),
        ("x" * MAX_LABEL_VALUE, None),
        ("x" * (MAX_LABEL_VALUE + 1), "longer than"),
        ("", "empty"),
        ("bad\ud800", "lone surrogate"),
        ("tab\there", "control character"),
        ("new\nline", "control character"),
        (7, "expected a string"),
    ],
)
def test_label_values(value: object, problem: str | None) -> None:
    found = label_value_problem(value)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize("value", [0, 1, 8, 64, 8.0])
def test_whole_gpu_counts_in_range(value: float) -> None:
    assert gpu_count(value, "x") == value


@pytest.mark.parametrize("value", [-1, 65, 0.5, float("inf"), float("nan"), True, "8", None])
def test_other_gpu_counts_are_skipped(value: object) -> None:
    with pytest.raises(ObjectSkippedError) as skipped:
        gpu_count(value, "node 'n'")
    assert skipped.value.reason == BAD_GPU_COUNT
    assert "node 'n'" in str(skipped.value)


PRODUCT = {"nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3"}


@pytest.mark.parametrize(
    "check, obj, reason",
    [
        (check_node, Node("gpu-1", PRODUCT, 8), None),
        (check_node, Node("gpu-1", {}, 0), None),  # no product label: fine (unpriced)
        (check_node, Node("gpu-\ud800", PRODUCT, 8), BAD_LABEL_VALUE),
        (check_node, Node("gpu-1", {"nvidia.com/gpu.product": "H100\x00"}, 8), BAD_LABEL_VALUE),
        (
            check_node,
            Node("gpu-1", {"node.kubernetes.io/instance-type": "p5\ud800"}, 8),
            BAD_LABEL_VALUE,
        ),
        (check_node, Node("gpu-1", PRODUCT, float("inf")), BAD_GPU_COUNT),
        (check_pod, Pod("inference", "llama-0", "gpu-1", 1), None),
        (check_pod, Pod("inference", "pending", "", 1), None),  # not scheduled yet
        (check_pod, Pod("inference\ud800", "llama-0", "gpu-1", 1), BAD_LABEL_VALUE),
        (check_pod, Pod("inference", "", "gpu-1", 1), BAD_LABEL_VALUE),
        (check_pod, Pod("inference", "llama-0", "gpu\x7f", 1), BAD_LABEL_VALUE),
        (check_pod, Pod("inference", "llama-0", "gpu-1", 65), BAD_GPU_COUNT),
    ],
)
def test_nodes_and_pods(check: Callable[[Any], Any], obj: Node | Pod, reason: str | None) -> None:
    if reason is None:
        assert check(obj) is obj
        return
    with pytest.raises(ObjectSkippedError) as skipped:
        check(obj)
    assert skipped.value.reason == reason
