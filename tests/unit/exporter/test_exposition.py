"""The cost families written straight from a snapshot are the text prometheus_client itself
writes for the same samples (its generate_latest is the reference), for awkward names too."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.parser import text_string_to_metric_families

from exporter.exposition import render
from exporter.fleet import Allocation, PricedNode, Snapshot
from exporter.pricing import Node, Pod

H100 = {
    "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3",
    "node.kubernetes.io/instance-type": "p5.48xlarge",
}
ODD = 'we"ird\\name\nline ünï'  # a quote, a backslash, a newline and non-ASCII


def snapshot() -> Snapshot:
    nodes = (
        PricedNode(Node("gpu-node-1", H100, 8.0), 6.88, "on_demand"),
        PricedNode(Node(ODD, {"nvidia.com/gpu.product": ODD}, 4.0), 1 / 3, "spot"),
        PricedNode(
            Node("gpu-node-3", {"nvidia.com/gpu.product": "NVIDIA-B300"}, 8.0), None, "on_demand"
        ),
    )
    pods = (
        Pod("inference", "llama-0", "gpu-node-1", 1.0),
        Pod(ODD, ODD, ODD, 2.0),
        Pod("research", "b300-job", "gpu-node-3", 8.0),  # unpriced node: no pod cost
    )
    return Snapshot(
        nodes=nodes,
        pods=pods,
        accrued={"gpu-node-1": 1234.5678901234, ODD: 1e-9},
        last_success={"nodes": 1_795_000_000.25, "pods": None},
        errors={"nodes": 0, "pods": 3},
        skipped={("pods", "bad_label_value"): 2},
        # A quarter of a time-sliced GPU; two GPUs of which one MIG slice cannot be priced.
        allocations={
            ("inference", "llama-0"): Allocation(0.25, (), (("team", "search"),)),
            (ODD, ODD): Allocation(2.0, ("nvidia.com/mig-9g.99gb",), (("team", ODD),)),
        },
    )


def reference(snap: Snapshot) -> bytes:
    """The same samples through prometheus_client's own families and writer."""
    hourly = GaugeMetricFamily(
        "ai_node_gpu_hourly_cost_dollars",
        "Price of one GPU-hour on the node, USD.",
        labels=["node", "gpu_product", "instance_type", "capacity_type"],
    )
    gpus = GaugeMetricFamily(
        "ai_node_gpus", "Physical GPUs on the node.", labels=["node", "gpu_product"]
    )
    pod_cost = GaugeMetricFamily(
        "ai_pod_gpu_hourly_cost_dollars",
        "GPU-equivalents the pod holds times the GPU-hour price of its node, USD per hour.",
        labels=["namespace", "pod", "node"],
    )
    allocation = GaugeMetricFamily(
        "ai_pod_gpu_allocation",
        "GPU-equivalents the pod holds (a time-sliced or MIG share).",
        labels=["namespace", "pod", "node"],
    )
    node_allocated = GaugeMetricFamily(
        "ai_node_gpus_allocated", "GPU-equivalents the node's pods hold.", labels=["node"]
    )
    unpriced_pods = GaugeMetricFamily(
        "ai_exporter_unpriced_pod_gpus",
        "GPU resources a pod holds that cannot be priced (e.g. an unknown MIG profile).",
        labels=["namespace", "pod", "resource"],
    )
    attribution = GaugeMetricFamily(
        "ai_pod_cost_attribution_info",
        "Who a GPU pod's cost is attributed to (value 1).",
        labels=["namespace", "pod", "team"],
    )
    cost = CounterMetricFamily(
        "ai_gpu_cost_dollars",
        "Cost accrued by all GPUs of the node while the exporter watched it, USD.",
        labels=["node"],
    )
    unpriced = GaugeMetricFamily(
        "ai_exporter_unpriced_gpus",
        "GPUs with no price for their product, instance type and capacity type.",
        labels=["node", "gpu_product"],
    )
    price = {}
    for p in snap.nodes:
        n = p.node
        gpus.add_metric([n.name, n.gpu_product], n.gpus)
        if p.price is None:
            unpriced.add_metric([n.name, n.gpu_product], n.gpus)
            continue
        price[n.name] = p.price
        hourly.add_metric([n.name, n.gpu_product, n.instance_type, p.capacity_type], p.price)
        cost.add_metric([n.name], snap.accrued.get(n.name, 0.0))
    held = {}
    for pod in snap.pods:
        share = snap.allocations.get((pod.namespace, pod.name))
        held[pod.namespace, pod.name] = pod.gpus if share is None else share.gpus
        if pod.node in price:
            pod_cost.add_metric(
                [pod.namespace, pod.name, pod.node], held[pod.namespace, pod.name] * price[pod.node]
            )
    per_node = {p.node.name: 0.0 for p in snap.nodes}
    for pod in snap.pods:
        if pod.node in per_node:
            allocation.add_metric(
                [pod.namespace, pod.name, pod.node], held[pod.namespace, pod.name]
            )
            per_node[pod.node] += held[pod.namespace, pod.name]
        share = snap.allocations.get((pod.namespace, pod.name))
        if share is not None:
            for resource in share.unpriced:
                unpriced_pods.add_metric([pod.namespace, pod.name, resource], 0.0)
            attribution.add_metric([pod.namespace, pod.name, dict(share.attribution)["team"]], 1)
    for node, value in per_node.items():
        node_allocated.add_metric([node], value)
    last = GaugeMetricFamily(
        "ai_exporter_inventory_last_success_timestamp_seconds",
        "Unix time of the source's last successful inventory sync (0 before the first).",
        labels=["source"],
    )
    errors = CounterMetricFamily(
        "ai_exporter_inventory_errors",
        "Failed inventory syncs (list, watch or file read), by source.",
        labels=["source"],
    )
    skipped = CounterMetricFamily(
        "ai_exporter_inventory_objects_skipped",
        "Inventory objects left out because they cannot be priced or written, by reason.",
        labels=["source", "reason"],
    )
    for source, when in snap.last_success.items():
        last.add_metric([source], when or 0.0)
        errors.add_metric([source], snap.errors[source])
        for reason in ("bad_label_value", "bad_gpu_count"):
            skipped.add_metric([source, reason], snap.skipped.get((source, reason), 0))
    families = [hourly, gpus, pod_cost, allocation, node_allocated, unpriced_pods, attribution]
    families += [cost, unpriced, last, errors, skipped]

    class Fixed:
        def collect(self):
            return families

    registry = CollectorRegistry()
    registry.register(Fixed())  # type: ignore[arg-type]
    return generate_latest(registry)


def test_the_text_is_what_prometheus_client_writes() -> None:
    snap = snapshot()
    assert render(snap).decode() == reference(snap).decode()


def test_awkward_values_parse_back_as_they_were() -> None:
    text = render(snapshot()).decode()
    pods = {
        (s.labels["namespace"], s.labels["pod"], s.labels["node"]): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "ai_pod_gpu_hourly_cost_dollars"
    }
    # A quarter of a GPU at 6.88 USD; two GPUs at a third of a dollar.
    assert pods == {("inference", "llama-0", "gpu-node-1"): 6.88 / 4, (ODD, ODD, ODD): 2 / 3}
