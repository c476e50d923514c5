"""The exporter watching a (fake) Kubernetes API on loopback: it follows changes, counts errors,
reports staleness on /healthz, recovers, and never exits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.exporter_process import BASE_CONFIG, Exporter, eventually
from tests.support.fake_kube_api import FakeKubeAPI, gpu_node, gpu_pod


def errors(samples: dict[str, float]) -> float:
    """Failed syncs of both sources."""
    return sum(
        samples[f'ai_exporter_inventory_errors_total{{source="{source}"}}']
        for source in ("nodes", "pods")
    )


def pod_key(namespace: str, name: str, node: str) -> str:
    return f'ai_pod_gpu_hourly_cost_dollars{{namespace="{namespace}",node="{node}",pod="{name}"}}'


def test_follows_the_cluster_through_an_outage(api: FakeKubeAPI, tmp_path: Path) -> None:
    api.apply("nodes", "ADDED", gpu_node("gpu-node-1", 8))
    api.apply("pods", "ADDED", gpu_pod("inference", "llama-0", "gpu-node-1", 1))
    api.apply("pods", "ADDED", gpu_pod("inference", "llama-1", "gpu-node-1", 1))
    api.apply("pods", "ADDED", gpu_pod("web", "frontend", "gpu-node-1", 0))
    api.apply("pods", "ADDED", gpu_pod("batch", "done", "gpu-node-1", 1, phase="Succeeded"))
    config = {**BASE_CONFIG, "watch_timeout_seconds": 1, "inventory_staleness_seconds": 2}
    env = {"KUBECONFIG": str(api.kubeconfig(tmp_path))}
    env_without_cluster = {k: v for k, v in os.environ.items() if k != "KUBERNETES_SERVICE_HOST"}
    exporter = Exporter(tmp_path, config=config)
    exporter.env = {**env_without_cluster, **env}
    with exporter:
        eventually(lambda: pod_key("inference", "llama-1", "gpu-node-1") in exporter.metrics())
        m = exporter.metrics()
        pods = {k: v for k, v in m.items() if k.startswith("ai_pod_gpu_hourly_cost_dollars")}
        assert pods == {
            pod_key("inference", "llama-0", "gpu-node-1"): 6.88,
            pod_key("inference", "llama-1", "gpu-node-1"): 6.88,
        }  # no pod for the GPU-less frontend nor the finished job
        assert exporter.get("/healthz")[0] == 200

        # A node added and a pod deleted while watching.
        api.apply("nodes", "ADDED", gpu_node("gpu-node-2", 4))
        api.apply("pods", "DELETED", gpu_pod("inference", "llama-1", "gpu-node-1", 1))
        eventually(
            lambda: (
                'ai_node_gpus{gpu_product="NVIDIA-H100-80GB-HBM3",node="gpu-node-2"}'
                in exporter.metrics()
            )
        )
        eventually(lambda: pod_key("inference", "llama-1", "gpu-node-1") not in exporter.metrics())

        # The API goes away: errors are counted, /healthz turns 503 after the staleness limit,
        # and the last known metrics are still served.
        errors_before = errors(exporter.metrics())
        api.set_available(False)
        eventually(lambda: exporter.get("/healthz")[0] == 503, timeout=15)
        m = exporter.metrics()
        assert errors(m) > errors_before
        assert pod_key("inference", "llama-0", "gpu-node-1") in m

        # Changes made during the outage show after recovery (relist), and health returns.
        api.set_available(True)
        api.apply("pods", "ADDED", gpu_pod("inference", "llama-70b-0", "gpu-node-2", 4))
        eventually(lambda: exporter.get("/healthz")[0] == 200, timeout=15)
        eventually(lambda: pod_key("inference", "llama-70b-0", "gpu-node-2") in exporter.metrics())
        assert exporter.metrics()[
            pod_key("inference", "llama-70b-0", "gpu-node-2")
        ] == pytest.approx(4 * 6.88)
        assert exporter.process is not None and exporter.process.poll() is None  # never exited


def test_healthz_is_503_before_the_first_sync(api: FakeKubeAPI, tmp_path: Path) -> None:
    """The API answers 503 from the start: the exporter serves, reports 503, keeps trying."""
    api.set_available(False)
    env = {k: v for k, v in os.environ.items() if k != "KUBERNETES_SERVICE_HOST"}
    exporter = Exporter(tmp_path, config=BASE_CONFIG)
    exporter.env = {**env, "KUBECONFIG": str(api.kubeconfig(tmp_path))}
    with exporter:
        assert exporter.get("/healthz")[0] == 503
        eventually(lambda: errors(exporter.metrics()) >= 2)
        assert api.requests >= 2
        api.set_available(True)
        eventually(lambda: exporter.get("/healthz")[0] == 200)


def test_mig_slices_and_namespace_attribution_from_the_api(
    api: FakeKubeAPI, tmp_path: Path
) -> None:
    """A MIG mixed node (no whole GPU allocatable, the count label, mig-<profile> resources on
    the pod) and a namespace whose label attributes the pod; the label changes while watched."""
    node = gpu_node("a100-node", 0, "NVIDIA-A100-SXM4-80GB")
    node["metadata"]["labels"].update(
        {"nvidia.com/gpu.count": "1", "nvidia.com/mig.strategy": "mixed"}
    )
    node["status"]["allocatable"]["nvidia.com/mig-1g.10gb"] = "7"
    pod = gpu_pod("research", "small-0", "a100-node", 0)
    pod["spec"]["containers"][0]["resources"] = {"limits": {"nvidia.com/mig-1g.10gb": "1"}}
    api.apply("nodes", "ADDED", node)
    api.apply("pods", "ADDED", pod)
    api.apply("namespaces", "ADDED", {"metadata": {"name": "research", "labels": {"team": "ml"}}})
    config = {**BASE_CONFIG, "gpus": {"NVIDIA-A100-SXM4-80GB": {"on_demand": 4.10}}}
    env = {k: v for k, v in os.environ.items() if k != "KUBERNETES_SERVICE_HOST"}
    exporter = Exporter(tmp_path, config=config)
    exporter.env = {**env, "KUBECONFIG": str(api.kubeconfig(tmp_path))}
    info = 'ai_pod_cost_attribution_info{{namespace="research",pod="small-0",team="{}"}}'
    with exporter:
        eventually(lambda: info.format("ml") in exporter.metrics())
        m = exporter.metrics()
        assert round(m[pod_key("research", "small-0", "a100-node")], 4) == 0.5857  # 4.10 / 7
        assert m['ai_node_gpus{gpu_product="NVIDIA-A100-SXM4-80GB",node="a100-node"}'] == 1
        api.apply("namespaces", "MODIFIED", {"metadata": {"name": "research", "labels": {}}})
        eventually(lambda: info.format("unassigned") in exporter.metrics())
        assert exporter.get("/healthz")[0] == 200  # nodes, pods and namespaces in sync
