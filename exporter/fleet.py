"""The GPU fleet the exporter knows about, and the cost it has accrued. Thread-safe."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from exporter.config import ExporterConfig
from exporter.pricing import Node, Pod, capacity_type, gpu_hour_price


@dataclass(frozen=True, slots=True)
class PricedNode:
    """A GPU node with its price (None when unpriced) and capacity type."""

    node: Node
    price: float | None
    capacity_type: str


@dataclass(frozen=True)
class Snapshot:
    """A consistent view of the fleet for one scrape."""

    nodes: tuple[PricedNode, ...]
    pods: tuple[Pod, ...]
    accrued: dict[str, float]
    last_success: dict[str, float | None]  # source -> Unix time of its last successful sync
    errors: dict[str, int]  # source -> failed syncs
    skipped: dict[tuple[str, str], int]  # (source, reason) -> objects left out


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

    def _price(self, node: Node) -> PricedNode:
        return PricedNode(
            node,
            gpu_hour_price(node, self._config),
            capacity_type(node.labels, self._config.default_capacity_type),
        )

    def _accrue_locked(self) -> None:
        """Add what every priced node cost since the last accrual, at the prices in force."""
        now = self._clock()
        hours = max(0.0, now - self._last_accrual) / 3600
        self._last_accrual = now
        for name, priced in self._nodes.items():
            if priced.price is not None:
                self._accrued[name] = (
                    self._accrued.get(name, 0.0) + priced.price * priced.node.gpus * hours
                )

    def replace_nodes(self, nodes: Iterable[Node]) -> None:
        """Replace every node (after a list)."""
        with self._lock:
            self._accrue_locked()
            self._nodes = {n.name: self._price(n) for n in nodes if n.gpus > 0}
            self._accrued = {k: v for k, v in self._accrued.items() if k in self._nodes}

    def upsert_node(self, node: Node) -> None:
        """A node was added or changed."""
        with self._lock:
            self._accrue_locked()
            if node.gpus > 0:
                self._nodes[node.name] = self._price(node)
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
            self._pods = {(p.namespace, p.name): p for p in pods if p.gpus > 0 and p.node}

    def upsert_pod(self, pod: Pod) -> None:
        """A pod was added or changed (a pod without GPUs or node is forgotten)."""
        with self._lock:
            if pod.gpus > 0 and pod.node:
                self._pods[(pod.namespace, pod.name)] = pod
            else:
                self._pods.pop((pod.namespace, pod.name), None)

    def delete_pod(self, namespace: str, name: str) -> None:
        """A pod was deleted."""
        with self._lock:
            self._pods.pop((namespace, name), None)

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

    def snapshot(self) -> Snapshot:
        """Accrue up to now and return a consistent copy."""
        with self._lock:
            self._accrue_locked()
            return Snapshot(
                nodes=tuple(self._nodes.values()),
                pods=tuple(self._pods.values()),
                accrued=dict(self._accrued),
                last_success=dict(self._last_success),
                errors=dict(self._errors),
                skipped=dict(self._skipped),
            )

    def ages(self) -> dict[str, float | None]:
        """Seconds since each source's last successful sync (None before its first)."""
        with self._lock:
            now = self._wall_clock()
            return {
                source: None if last is None else max(0.0, now - last)
                for source, last in self._last_success.items()
            }
