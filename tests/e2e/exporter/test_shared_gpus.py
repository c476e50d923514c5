"""Shared GPUs and cost attribution, against the real exporter process with a static inventory
shaped as the API gives it. Node labels are gpu-feature-discovery's (k8s-device-plugin):
`nvidia.com/gpu.replicas` and `-SHARED` on time-sliced nodes, allocatable counting replicas;
`nvidia.com/mig.strategy: mixed` with `nvidia.com/mig-<g>g.<mem>gb` pod resources and
`nvidia.com/gpu.count` counting whole GPUs."""

from __future__ import annotations

import pytest

from tests.support.exporter_process import BASE_CONFIG, Exporter

CONFIG = {
    **BASE_CONFIG,
    "gpus": {
        **BASE_CONFIG["gpus"],
        "NVIDIA-L4": {"on_demand": 0.80},
        "NVIDIA-A100-SXM4-80GB": {"on_demand": 4.10},
    },
}
FLEET = {
    "nodes": [
        {  # one L4, time-sliced 4 ways: allocatable nvidia.com/gpu is 4
            "name": "l4-node",
            "gpus": 4,
            "labels": {
                "nvidia.com/gpu.product": "NVIDIA-L4-SHARED",
                "nvidia.com/gpu.count": "1",
                "nvidia.com/gpu.replicas": "4",
                "nvidia.com/gpu.sharing-strategy": "time-slicing",
            },
        },
        {  # one A100 80GB in MIG mixed mode: no whole nvidia.com/gpu allocatable
            "name": "a100-node",
            "gpus": 0,
            "labels": {
                "nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB",
                "nvidia.com/gpu.count": "1",
                "nvidia.com/mig.strategy": "mixed",
            },
        },
    ],
    "pods": [
        {"namespace": "search", "name": "embed-0", "node": "l4-node", "gpus": 1,
         "labels": {"team": "search-infra"}},
        {"namespace": "research", "name": "small-0", "node": "a100-node",
         "resources": {"nvidia.com/mig-1g.10gb": 1}},
        {"namespace": "research", "name": "medium-0", "node": "a100-node",
         "resources": {"nvidia.com/mig-3g.40gb": 1}},
        {"namespace": "sandbox", "name": "odd-0", "node": "a100-node",
         "resources": {"nvidia.com/mig-weird-profile": 1}},
    ],
    "namespaces": [
        {"name": "research", "labels": {"team": "ml-research"}},
        {"name": "sandbox", "labels": {}},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def metrics(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, float], list[dict]]:
    with Exporter(tmp_path_factory.mktemp("shared"), config=CONFIG, inventory=FLEET) as exporter:
        return exporter.metrics(), exporter.logs()


def value(metrics: dict[str, float], name: str, **labels: str) -> float:
    found = [
        v
        for k, v in metrics.items()
        if k.split("{")[0] == name and all(f'{key}="{val}"' in k for key, val in labels.items())
    ]
    assert len(found) == 1, (name, labels, found)
    return found[0]


def test_a_time_sliced_gpu_costs_its_share(metrics) -> None:
    m, _ = metrics
    pod = {"namespace": "search", "pod": "embed-0"}
    assert value(m, "ai_pod_gpu_hourly_cost_dollars", **pod) == pytest.approx(0.20)
    assert value(m, "ai_pod_gpu_allocation", **pod) == pytest.approx(0.25)
    # The node: one physical L4 at its base product's price, a quarter of it allocated.
    assert value(m, "ai_node_gpus", node="l4-node") == 1
    assert value(
        m, "ai_node_gpu_hourly_cost_dollars", node="l4-node", gpu_product="NVIDIA-L4"
    ) == pytest.approx(0.80)
    assert value(m, "ai_node_gpus_allocated", node="l4-node") == pytest.approx(0.25)


def test_mig_slices_cost_their_compute_share(metrics) -> None:
    m, _ = metrics
    small = value(m, "ai_pod_gpu_hourly_cost_dollars", namespace="research", pod="small-0")
    medium = value(m, "ai_pod_gpu_hourly_cost_dollars", namespace="research", pod="medium-0")
    assert round(small, 4) == 0.5857  # 4.10 / 7
    assert round(medium, 4) == 1.7571  # 4.10 * 3 / 7
    assert value(m, "ai_node_gpus", node="a100-node") == 1
    assert value(m, "ai_node_gpus_allocated", node="a100-node") == pytest.approx(4 / 7)


def test_an_unparsable_profile_is_unpriced_counted_and_logged(metrics) -> None:
    m, logs = metrics
    pod = {"namespace": "sandbox", "pod": "odd-0"}
    # Never priced as a whole GPU: it holds nothing priced.
    assert value(m, "ai_pod_gpu_allocation", **pod) == 0
    assert value(m, "ai_pod_gpu_hourly_cost_dollars", **pod) == 0
    assert (
        value(m, "ai_exporter_unpriced_pod_gpus", resource="nvidia.com/mig-weird-profile", **pod)
        == 1
    )
    warnings = [r for r in logs if r.get("resource") == "nvidia.com/mig-weird-profile"]
    assert len(warnings) == 1 and warnings[0]["level"] == "warning"


def test_cost_is_attributed_by_pod_label_then_namespace_label_else_unassigned(metrics) -> None:
    m, _ = metrics
    teams = {
        k.split('pod="')[1].split('"')[0]: k.split('team="')[1].split('"')[0]
        for k in m
        if k.startswith("ai_pod_cost_attribution_info{")
    }
    assert teams == {
        "embed-0": "search-infra",  # its own label
        "small-0": "ml-research",  # its namespace's
        "medium-0": "ml-research",
        "odd-0": "unassigned",  # neither
    }
    assert all(v == 1 for k, v in m.items() if k.startswith("ai_pod_cost_attribution_info{"))
