"""Labels and metadata every object of the project carries. Pure: no pulumi import."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PART_OF = {"app.kubernetes.io/part-of": "ai-observability"}
NAME_LABEL = "app.kubernetes.io/name"
INSTANCE_LABEL = "app.kubernetes.io/instance"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"  # set by Kubernetes on every namespace


def selector(name: str, instance: str | None = None) -> dict[str, str]:
    """The labels that select one workload's pods (never change them: selectors are immutable)."""
    labels = {NAME_LABEL: name}
    if instance is not None:
        labels[INSTANCE_LABEL] = instance
    return labels


def metadata(
    name: str,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An object's metadata; cluster-scoped objects have no namespace."""
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = dict(labels) if labels is not None else dict(PART_OF)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta
