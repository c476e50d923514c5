"""Which inventory objects the exporter can price and write: names usable as label values,
GPU counts that are whole numbers in [0, MAX_GPUS]. The rest is skipped and counted."""

from __future__ import annotations

import math

from exporter.config import MAX_GPUS
from exporter.labels import label_value_problem
from exporter.pricing import Node, Pod

BAD_LABEL_VALUE = "bad_label_value"
BAD_GPU_COUNT = "bad_gpu_count"
SKIP_REASONS = (BAD_LABEL_VALUE, BAD_GPU_COUNT)


class ObjectSkippedError(ValueError):
    """An object left out of the fleet: `reason` is the counter's label, the message the why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def gpu_count(value: object, where: str) -> float:
    """A GPU count: a whole number in [0, MAX_GPUS]; ObjectSkippedError otherwise."""
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    valid = (
        number is not None and math.isfinite(number) and number == int(number)
    ) and 0 <= number <= MAX_GPUS
    if not valid:
        raise ObjectSkippedError(
            BAD_GPU_COUNT, f"{where}: GPUs must be a whole number in [0, {MAX_GPUS}]"
        )
    return float(number)  # type: ignore[arg-type]


def _label(value: str, where: str, optional: bool = False) -> None:
    if optional and value == "":
        return
    problem = label_value_problem(value)
    if problem is not None:
        raise ObjectSkippedError(BAD_LABEL_VALUE, f"{where}: {problem}")


def check_node(node: Node) -> Node:
    """The node when every value it puts in a label is writable and its GPUs count."""
    _label(node.name, "node name")
    _label(node.gpu_product, f"node {node.name!r} GPU product", optional=True)
    _label(node.instance_type, f"node {node.name!r} instance type", optional=True)
    gpu_count(node.gpus, f"node {node.name!r}")
    return node


def check_pod(pod: Pod) -> Pod:
    """The pod when its namespace, name, node, GPU resource names and label values are
    writable and every GPU resource counts."""
    where = f"pod {pod.namespace}/{pod.name}"
    _label(pod.namespace, "pod namespace")
    _label(pod.name, "pod name")
    _label(pod.node, f"{where} node", optional=True)
    gpu_count(pod.gpus, where)
    for resource, count in pod.resources.items():
        _label(resource, f"{where} resource")
        gpu_count(count, f"{where} {resource}")
    for key, value in pod.labels.items():
        _label(value, f"{where} label {key}", optional=True)
    return pod
