"""The GPU fleet the exporter knows about, and the cost it has accrued. Thread-safe."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from exporter.config import ExporterConfig, prometheus_label
from exporter.log import log
from exporter.pricing import Node, Pod, capacity_type, gpu_hour_price, node_gpus
from exporter.sharing import gpu_equivalents

UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True)
class PricedNode:
    """A GPU node with its price per physical GPU-hour (None when unpriced), capacity type
    and physical GPUs (None: its allocatable count)."""

    node: Node
    price: float | None
    capacity_type: str
    physical: float | None = None

    @property
    def gpus(self) -> float:
        """Whole physical GPUs on the node."""
        return self.node.gpus if self.physical is None else self.physical


@dataclass(frozen=True, slots=True)
class Allocation:
    """What a pod holds on its node: GPU-equivalents, the resources that cannot be priced,
    and the values of the attribution labels (label name -> value)."""

    gpus: float
    unpriced: tuple[str, ...]
    attribution: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Snapshot:
    """A consistent view of the fleet for one scrape."""

    nodes: tuple[PricedNode, ...]
    pods: tuple[Pod, ...]
    accrued: dict[str, float]
    last_success: dict[str, float | None]  # source -> Unix time of its last successful sync
    errors: dict[str, int]  # source -> failed syncs
    skipped: dict[tuple[str, str], int]  # (source, reason) -> objects left out
    # (namespace, pod) -> its allocation
    allocations: dict[tuple[str, str], Allocation] = field(default_factory=dict)


class Fleet:
    """Nodes and GPU pods, the cost accrued per node, and the health of each inventory source
    (the Kubernetes API's nodes and pods, or a static file), kept apart so that one stale
    source cannot hide behind another's success."""

    def __init__(
        self,
        config: ExporterConfig,
        sources: Sequence[str] = ("file",),
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._config = config
        self._clock = clock
        self._wall_clock = wall_clock
        self._lock = threading.Lock()
        self._nodes: dict[str, PricedNode] = {}
        self._pods: dict[tuple[str, str], Pod] = {}
        self._accrued: dict[str, float] = {}
        self._last_accrual = clock()
        self._last_success: dict[str, float | None] = dict.fromkeys(sources)
        self._errors: dict[str, int] = dict.fromkeys(sources, 0)
        self._skipped: dict[tuple[str, str], int] = {}
        self._namespaces: dict[str, dict[str, str]] = {}
        self._reported: set[tuple[str, str, str]] = set()  # unpriced resources already logged
        # (namespace, pod) -> (pod, node labels, namespace labels, allocation): an allocation
        # is computed again only when one of the three objects it came from was replaced.
        self._allocations: dict[tuple[str, str], tuple[Pod, Any, Any, Allocation]] = {}

    def _price(self, node: Node) -> PricedNode:
        return PricedNode(
            node,
            gpu_hour_price(node, self._config),
            capacity_type(node.labels, self._config.default_capacity_type),
            node_gpus(node, self._config),
        )

    def _accrue_locked(self) -> None:
        """Add what every priced node cost since the last accrual, at the prices in force."""
        now = self._clock()
        hours = max(0.0, now - self._last_accrual) / 3600
        self._last_accrual = now
        for name, priced in self._nodes.items():
            if priced.price is not None:
                self._accrued[name] = (
                    self._accrued.get(name, 0.0) + priced.price * priced.gpus * hours
                )

    def replace_nodes(self, nodes: Iterable[Node]) -> None:
        """Replace every node (after a list)."""
        with self._lock:
            self._accrue_locked()
            priced = (self._price(n) for n in nodes)
            self._nodes = {p.node.name: p for p in priced if p.gpus > 0}
            self._accrued = {k: v for k, v in self._accrued.items() if k in self._nodes}

    def upsert_node(self, node: Node) -> None:
        """A node was added or changed."""
        with self._lock:
            self._accrue_locked()
            priced = self._price(node)
            if priced.gpus > 0:
                self._nodes[node.name] = priced
            else:
                self._remove_node_locked(node.name)

    def delete_node(self, name: str) -> None:
        """A node was deleted."""
        with self._lock:
            self._accrue_locked()
            self._remove_node_locked(name)

    def _remove_node_locked(self, name: str) -> None:
        self._nodes.pop(name, None)
        self._accrued.pop(name, None)

    def replace_pods(self, pods: Iterable[Pod]) -> None:
        """Replace every GPU pod (after a list)."""
        with self._lock:
            self._pods = {(p.namespace, p.name): p for p in pods if p.gpu_resources and p.node}

    def upsert_pod(self, pod: Pod) -> None:
        """A pod was added or changed (a pod without GPUs or node is forgotten)."""
        with self._lock:
            if pod.gpu_resources and pod.node:
                self._pods[(pod.namespace, pod.name)] = pod
            else:
                self._pods.pop((pod.namespace, pod.name), None)

    def delete_pod(self, namespace: str, name: str) -> None:
        """A pod was deleted."""
        with self._lock:
            self._pods.pop((namespace, name), None)

    def replace_namespaces(self, namespaces: Iterable[tuple[str, dict[str, str]]]) -> None:
        """Replace every namespace's labels (after a list)."""
        with self._lock:
            self._namespaces = dict(namespaces)

    def upsert_namespace(self, name: str, labels: dict[str, str]) -> None:
        """A namespace was added or its labels changed."""
        with self._lock:
            self._namespaces[name] = labels

    def delete_namespace(self, name: str) -> None:
        """A namespace was deleted."""
        with self._lock:
            self._namespaces.pop(name, None)

    def _allocation_locked(self, pod: Pod) -> Allocation:
        """The pod's GPU-equivalents on its node, and its attribution: each configured label
        from the pod, else from its namespace, else `unassigned`."""
        priced = self._nodes.get(pod.node)
        labels = priced.node.labels if priced else None
        namespace = self._namespaces.get(pod.namespace)
        key = (pod.namespace, pod.name)
        cached = self._allocations.get(key)
        if cached and cached[0] is pod and cached[1] is labels and cached[2] is namespace:
            return cached[3]
        allocation = self._allocate(pod, labels or {}, namespace or {})
        self._allocations[key] = (pod, labels, namespace, allocation)
        return allocation

    def _allocate(
        self, pod: Pod, labels: Mapping[str, str], namespace: Mapping[str, str]
    ) -> Allocation:
        gpus, unpriced = gpu_equivalents(pod.gpu_resources, labels, self._config.mig_compute_slices)
        attribution = tuple(
            (prometheus_label(key), pod.labels.get(key) or namespace.get(key) or UNASSIGNED)
            for key in self._config.attribution_labels
        )
        return Allocation(gpus, tuple(unpriced), attribution)

    def mark_success(self, source: str) -> None:
        """The source is in sync with its source of truth now."""
        with self._lock:
            self._last_success[source] = self._wall_clock()

    def record_error(self, source: str) -> None:
        """The source failed to sync once."""
        with self._lock:
            self._errors[source] = self._errors.get(source, 0) + 1

    def record_skipped(self, source: str, reason: str) -> None:
        """An object of the source was left out (it could not be priced or written)."""
        with self._lock:
            key = (source, reason)
            self._skipped[key] = self._skipped.get(key, 0) + 1

    def _report_unpriced_locked(self, allocations: dict[tuple[str, str], Allocation]) -> None:
        """Log each pod's unpriced GPU resource once (it is counted on every scrape)."""
        for (namespace, pod), allocation in allocations.items():
            for resource in allocation.unpriced:
                if (namespace, pod, resource) not in self._reported:
                    self._reported.add((namespace, pod, resource))
                    log(
                        "warning",
                        "GPU resource cannot be priced; left unpriced, never as a whole GPU",
                        namespace=namespace,
                        pod=pod,
                        resource=resource,
                    )

    def snapshot(self) -> Snapshot:
        """Accrue up to now and return a consistent copy."""
        with self._lock:
            self._accrue_locked()
            allocations = {key: self._allocation_locked(p) for key, p in self._pods.items()}
            for gone in self._allocations.keys() - allocations.keys():
                del self._allocations[gone]
            self._report_unpriced_locked(allocations)
            return Snapshot(
                nodes=tuple(self._nodes.values()),
                pods=tuple(self._pods.values()),
                accrued=dict(self._accrued),
                last_success=dict(self._last_success),
                errors=dict(self._errors),
                skipped=dict(self._skipped),
                allocations=allocations,
            )

    def ages(self) -> dict[str, float | None]:
        """Seconds since each source's last successful sync (None before its first)."""
        with self._lock:
            now = self._wall_clock()
            return {
                source: None if last is None else max(0.0, now - last)
                for source, last in self._last_success.items()
            }
