"""Cost and self metrics, rebuilt from a fleet snapshot on every scrape."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from exporter.admission import SKIP_REASONS
from exporter.fleet import Fleet, Snapshot


class CostCollector(Collector):
    """ai_node_*, ai_pod_*, ai_gpu_cost_dollars_total and the inventory self-metrics."""

    def __init__(self, fleet: Fleet) -> None:
        self._fleet = fleet

    def collect(self) -> Iterator[Metric]:
        """One scrape's metric families."""
        snap = self._fleet.snapshot()
        hourly = GaugeMetricFamily(
            "ai_node_gpu_hourly_cost_dollars",
            "Price of one GPU-hour on the node, USD.",
            labels=["node", "gpu_product", "instance_type", "capacity_type"],
        )
        gpus = GaugeMetricFamily(
            "ai_node_gpus", "GPUs on the node.", labels=["node", "gpu_product"]
        )
        unpriced = GaugeMetricFamily(
            "ai_exporter_unpriced_gpus",
            "GPUs with no price for their product, instance type and capacity type.",
            labels=["node", "gpu_product"],
        )
        cost = CounterMetricFamily(
            "ai_gpu_cost_dollars",
            "Cost accrued by all GPUs of the node while the exporter watched it, USD.",
            labels=["node"],
        )
        node_price: dict[str, float] = {}
        for priced in snap.nodes:
            node = priced.node
            gpus.add_metric([node.name, node.gpu_product], node.gpus)
            if priced.price is None:
                unpriced.add_metric([node.name, node.gpu_product], node.gpus)
                continue
            node_price[node.name] = priced.price
            hourly.add_metric(
                [node.name, node.gpu_product, node.instance_type, priced.capacity_type],
                priced.price,
            )
            cost.add_metric([node.name], snap.accrued.get(node.name, 0.0))
        pod_cost = GaugeMetricFamily(
            "ai_pod_gpu_hourly_cost_dollars",
            "GPUs the pod requests times the GPU-hour price of its node, USD per hour.",
            labels=["namespace", "pod", "node"],
        )
        for pod in snap.pods:
            price = node_price.get(pod.node)
            if price is not None:
                pod_cost.add_metric([pod.namespace, pod.name, pod.node], pod.gpus * price)
        yield from (hourly, gpus, pod_cost, cost, unpriced, *self._health(snap))

    @staticmethod
    def _health(snap: Snapshot) -> tuple[Metric, ...]:
        """The inventory self-metrics, one series per source (nodes, pods, or file)."""
        last_success = GaugeMetricFamily(
            "ai_exporter_inventory_last_success_timestamp_seconds",
            "Unix time of the source's last successful inventory sync (0 before the first).",
            labels=["source"],
        )
        for source, when in snap.last_success.items():
            last_success.add_metric([source], when or 0.0)
        errors = CounterMetricFamily(
            "ai_exporter_inventory_errors",
            "Failed inventory syncs (list, watch or file read), by source.",
            labels=["source"],
        )
        for source, count in snap.errors.items():
            errors.add_metric([source], count)
        skipped = CounterMetricFamily(
            "ai_exporter_inventory_objects_skipped",
            "Inventory objects left out because they cannot be priced or written, by reason.",
            labels=["source", "reason"],
        )
        for source in snap.errors:
            for reason in SKIP_REASONS:
                skipped.add_metric([source, reason], snap.skipped.get((source, reason), 0))
        return last_success, errors, skipped
