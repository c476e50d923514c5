"""Cost and self metrics as Prometheus text, written straight from a fleet snapshot.

The same text prometheus_client's generate_latest writes (sorted label names, escaped label
values, Go float formatting), without building a Sample per series first: a scrape of 35,000
series costs a fraction of the generic path, which leaves the GIL to evaluation ingest.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from prometheus_client.utils import floatToGoString

from exporter.admission import SKIP_REASONS
from exporter.fleet import Snapshot
from exporter.pricing import Pod

Families = list[str]


def escape(value: str) -> str:
    """A label value as the text format writes it (backslash, double quote, newline)."""
    if "\\" in value or '"' in value or "\n" in value:
        return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
    return value


def _family(out: Families, name: str, kind: str, help_text: str) -> None:
    out.append(f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n")


def _samples(out: Families, name: str, rows: Iterable[tuple[str, float]]) -> None:
    """rows: (label text without braces, value)."""
    out.extend(f"{name}{{{labels}}} {floatToGoString(value)}\n" for labels, value in rows)


def _nodes(out: Families, snap: Snapshot) -> dict[str, float]:
    """The node families; the price of each priced node."""
    priced = {p.node.name: p.price for p in snap.nodes if p.price is not None}
    labels = {p.node.name: (escape(p.node.name), escape(p.node.gpu_product)) for p in snap.nodes}
    _family(
        out, "ai_node_gpu_hourly_cost_dollars", "gauge", "Price of one GPU-hour on the node, USD."
    )
    _samples(
        out,
        "ai_node_gpu_hourly_cost_dollars",
        (
            (
                f'capacity_type="{p.capacity_type}",gpu_product="{labels[p.node.name][1]}",'
                f'instance_type="{escape(p.node.instance_type)}",node="{labels[p.node.name][0]}"',
                p.price,
            )
            for p in snap.nodes
            if p.price is not None
        ),
    )
    _family(out, "ai_node_gpus", "gauge", "Physical GPUs on the node.")
    _samples(
        out,
        "ai_node_gpus",
        (
            (f'gpu_product="{labels[p.node.name][1]}",node="{labels[p.node.name][0]}"', p.gpus)
            for p in snap.nodes
        ),
    )
    return priced  # type: ignore[return-value]


def render(snap: Snapshot) -> bytes:
    """ai_node_*, ai_pod_*, ai_gpu_cost_dollars_total and the inventory self-metrics."""
    out: Families = []
    priced = _nodes(out, snap)
    _family(
        out,
        "ai_pod_gpu_hourly_cost_dollars",
        "gauge",
        "GPU-equivalents the pod holds times the GPU-hour price of its node, USD per hour.",
    )
    held = {(p.namespace, p.name): _held(snap, p) for p in snap.pods}
    texts = {(p.namespace, p.name): _pod_labels(p) for p in snap.pods}  # escaped once
    _samples(
        out,
        "ai_pod_gpu_hourly_cost_dollars",
        (
            (texts[pod.namespace, pod.name], held[pod.namespace, pod.name] * priced[pod.node])
            for pod in snap.pods
            if pod.node in priced
        ),
    )
    _allocations(out, snap, held, texts)
    _family(
        out,
        "ai_gpu_cost_dollars_total",
        "counter",
        "Cost accrued by all GPUs of the node while the exporter watched it, USD.",
    )
    _samples(
        out,
        "ai_gpu_cost_dollars_total",
        ((f'node="{escape(name)}"', snap.accrued.get(name, 0.0)) for name in priced),
    )
    _family(
        out,
        "ai_exporter_unpriced_gpus",
        "gauge",
        "GPUs with no price for their product, instance type and capacity type.",
    )
    _samples(
        out,
        "ai_exporter_unpriced_gpus",
        (
            (
                f'gpu_product="{escape(p.node.gpu_product)}",node="{escape(p.node.name)}"',
                p.gpus,
            )
            for p in snap.nodes
            if p.price is None
        ),
    )
    _health(out, snap)
    return "".join(out).encode()


def _pod_labels(pod: Pod) -> str:
    return f'namespace="{escape(pod.namespace)}",node="{escape(pod.node)}",pod="{escape(pod.name)}"'


def _held(snap: Snapshot, pod: Pod) -> float:
    """GPU-equivalents of the pod (its nvidia.com/gpu when the snapshot has no allocation)."""
    allocation = snap.allocations.get((pod.namespace, pod.name))
    return pod.gpus if allocation is None else allocation.gpus


def _allocations(
    out: Families,
    snap: Snapshot,
    held: dict[tuple[str, str], float],
    texts: dict[tuple[str, str], str],
) -> None:
    """Shares of GPUs per pod and node, unpriced GPU resources, and cost attribution."""
    known = {p.node.name: None for p in snap.nodes}  # in the snapshot's order
    name = "ai_pod_gpu_allocation"
    _family(out, name, "gauge", "GPU-equivalents the pod holds (a time-sliced or MIG share).")
    _samples(
        out,
        name,
        (
            (texts[p.namespace, p.name], held[p.namespace, p.name])
            for p in snap.pods
            if p.node in known
        ),
    )
    per_node: dict[str, float] = dict.fromkeys(known, 0.0)
    for pod in (p for p in snap.pods if p.node in known):
        per_node[pod.node] += held[(pod.namespace, pod.name)]
    name = "ai_node_gpus_allocated"
    _family(out, name, "gauge", "GPU-equivalents the node's pods hold.")
    _samples(out, name, ((f'node="{escape(n)}"', v) for n, v in per_node.items()))
    name = "ai_exporter_unpriced_pod_gpus"
    help_text = "GPU resources a pod holds that cannot be priced (e.g. an unknown MIG profile)."
    _family(out, name, "gauge", help_text)
    rows = []
    for pod in snap.pods:
        allocation = snap.allocations.get((pod.namespace, pod.name))
        for resource in allocation.unpriced if allocation else ():
            count = pod.gpu_resources.get(resource, 0.0)
            labels = f'namespace="{escape(pod.namespace)}",pod="{escape(pod.name)}"'
            rows.append((f'{labels},resource="{escape(resource)}"', count))
    _samples(out, name, rows)
    name = "ai_pod_cost_attribution_info"
    _family(out, name, "gauge", "Who a GPU pod's cost is attributed to (value 1).")
    out.extend(_attribution_lines(snap))


@functools.lru_cache(maxsize=1 << 17)
def _attribution_line(namespace: str, pod: str, attribution: tuple[tuple[str, str], ...]) -> str:
    """One sample line (value 1): the fleet keeps a pod's allocation while nothing about it
    changes, so a scrape mostly reuses lines it wrote before."""
    pairs = sorted([*attribution, ("namespace", namespace), ("pod", pod)])
    labels = ",".join(f'{k}="{escape(v)}"' for k, v in pairs)
    return f"ai_pod_cost_attribution_info{{{labels}}} 1.0\n"


def _attribution_lines(snap: Snapshot) -> list[str]:
    lines = []
    for pod in snap.pods:
        allocation = snap.allocations.get((pod.namespace, pod.name))
        if allocation is not None:
            lines.append(_attribution_line(pod.namespace, pod.name, allocation.attribution))
    return lines


def _health(out: Families, snap: Snapshot) -> None:
    """The inventory self-metrics, one series per source (nodes, pods, or file)."""
    name = "ai_exporter_inventory_last_success_timestamp_seconds"
    help_text = "Unix time of the source's last successful inventory sync (0 before the first)."
    _family(out, name, "gauge", help_text)
    _samples(out, name, ((f'source="{s}"', t or 0.0) for s, t in snap.last_success.items()))
    name = "ai_exporter_inventory_errors_total"
    _family(out, name, "counter", "Failed inventory syncs (list, watch or file read), by source.")
    _samples(out, name, ((f'source="{s}"', float(n)) for s, n in snap.errors.items()))
    name = "ai_exporter_inventory_objects_skipped_total"
    help_text = "Inventory objects left out because they cannot be priced or written, by reason."
    _family(out, name, "counter", help_text)
    _samples(
        out,
        name,
        (
            (f'reason="{reason}",source="{source}"', float(snap.skipped.get((source, reason), 0)))
            for source in snap.errors
            for reason in SKIP_REASONS
        ),
    )
