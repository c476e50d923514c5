"""The exporter process with a static inventory: every metric's value for a known fleet."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from tests.support.exporter_process import BASE_CONFIG, Exporter

H100 = "NVIDIA-H100-80GB-HBM3"
FILE = '{source="file"}'  # the static inventory's source label (exporter/static_inventory.py)
FLEET = {
    "nodes": [
        {  # on-demand p5: the instance override, 55.04 / 8 = 6.88 per GPU
            "name": "gpu-node-1",
            "labels": {
                "nvidia.com/gpu.product": H100,
                "nvidia.com/gpu.count": "8",
                "node.kubernetes.io/instance-type": "p5.48xlarge",
                "karpenter.sh/capacity-type": "on-demand",
            },
        },
        {  # spot by EKS's label, no override for spot: the product's spot price 2.10
            "name": "gpu-node-2",
            "labels": {
                "nvidia.com/gpu.product": H100,
                "nvidia.com/gpu.count": "4",
                "node.kubernetes.io/instance-type": "p5.48xlarge",
                "eks.amazonaws.com/capacityType": "SPOT",
            },
        },
        {  # a product nobody priced
            "name": "gpu-node-3",
            "labels": {"nvidia.com/gpu.product": "NVIDIA-B300", "nvidia.com/gpu.count": "8"},
        },
        {"name": "cpu-node", "labels": {"node.kubernetes.io/instance-type": "m7i.large"}},
    ],
    "pods": [
        {"namespace": "inference", "name": "llama-3-8b-0", "node": "gpu-node-1", "gpus": 1},
        {"namespace": "inference", "name": "llama-3-8b-1", "node": "gpu-node-1", "gpus": 1},
        {"namespace": "inference", "name": "llama-3-70b-0", "node": "gpu-node-2", "gpus": 2},
        {"namespace": "research", "name": "b300-job", "node": "gpu-node-3", "gpus": 8},
        {"namespace": "web", "name": "frontend", "node": "cpu-node", "gpus": 0},
    ],
}


def by_prefix(samples: dict[str, float], name: str) -> dict[str, float]:
    return {k: v for k, v in samples.items() if k.split("{")[0] == name}


def test_every_metric_for_a_known_fleet(tmp_path: Path) -> None:
    with Exporter(tmp_path, inventory=FLEET) as exporter:
        m = exporter.metrics()
    hourly = by_prefix(m, "ai_node_gpu_hourly_cost_dollars")
    assert hourly == {
        'ai_node_gpu_hourly_cost_dollars{capacity_type="on_demand",gpu_product="NVIDIA-H100-80GB-HBM3",instance_type="p5.48xlarge",node="gpu-node-1"}': pytest.approx(
            6.88
        ),
        'ai_node_gpu_hourly_cost_dollars{capacity_type="spot",gpu_product="NVIDIA-H100-80GB-HBM3",instance_type="p5.48xlarge",node="gpu-node-2"}': 2.10,
    }
    assert by_prefix(m, "ai_node_gpus") == {
        'ai_node_gpus{gpu_product="NVIDIA-H100-80GB-HBM3",node="gpu-node-1"}': 8,
        'ai_node_gpus{gpu_product="NVIDIA-H100-80GB-HBM3",node="gpu-node-2"}': 4,
        'ai_node_gpus{gpu_product="NVIDIA-B300",node="gpu-node-3"}': 8,
    }
    pods = by_prefix(m, "ai_pod_gpu_hourly_cost_dollars")
    assert pods == {
        'ai_pod_gpu_hourly_cost_dollars{namespace="inference",node="gpu-node-1",pod="llama-3-8b-0"}': pytest.approx(
            6.88
        ),
        'ai_pod_gpu_hourly_cost_dollars{namespace="inference",node="gpu-node-1",pod="llama-3-8b-1"}': pytest.approx(
            6.88
        ),
        'ai_pod_gpu_hourly_cost_dollars{namespace="inference",node="gpu-node-2",pod="llama-3-70b-0"}': pytest.approx(
            4.20
        ),
    }
    llama_8b = sum(v for k, v in pods.items() if 'pod="llama-3-8b-' in k)
    assert llama_8b == pytest.approx(13.76)  # 2 pods x 1 H100 x 6.88 $/h
    assert by_prefix(m, "ai_exporter_unpriced_gpus") == {
        'ai_exporter_unpriced_gpus{gpu_product="NVIDIA-B300",node="gpu-node-3"}': 8
    }
    assert set(by_prefix(m, "ai_gpu_cost_dollars_total")) == {
        'ai_gpu_cost_dollars_total{node="gpu-node-1"}',
        'ai_gpu_cost_dollars_total{node="gpu-node-2"}',
    }
    assert m[f"ai_exporter_inventory_errors_total{FILE}"] == 0
    assert abs(m[f"ai_exporter_inventory_last_success_timestamp_seconds{FILE}"] - time.time()) < 30


def test_cost_counter_grows_at_price_times_gpus(tmp_path: Path) -> None:
    with Exporter(tmp_path, inventory=FLEET) as exporter:
        key = 'ai_gpu_cost_dollars_total{node="gpu-node-1"}'
        first, t0 = exporter.metrics()[key], time.monotonic()
        time.sleep(2.0)
        second, t1 = exporter.metrics()[key], time.monotonic()
    per_second = 6.88 * 8 / 3600
    assert second - first == pytest.approx(per_second * (t1 - t0), rel=0.1)


def test_inventory_file_is_reread_and_a_bad_file_is_counted(tmp_path: Path) -> None:
    config = {**BASE_CONFIG, "static_refresh_seconds": 0.2}
    exporter = Exporter(tmp_path, config=config, inventory=FLEET)
    with exporter:
        smaller = {**FLEET, "pods": FLEET["pods"][:1]}
        exporter.write_inventory(smaller)
        time.sleep(0.8)
        pods = by_prefix(exporter.metrics(), "ai_pod_gpu_hourly_cost_dollars")
        assert list(pods) == [
            'ai_pod_gpu_hourly_cost_dollars{namespace="inference",node="gpu-node-1",pod="llama-3-8b-0"}'
        ]
        exporter.inventory_path.write_text("nodes: [unclosed")
        time.sleep(0.8)
        m = exporter.metrics()
        assert m[f"ai_exporter_inventory_errors_total{FILE}"] >= 1
        assert len(by_prefix(m, "ai_pod_gpu_hourly_cost_dollars")) == 1  # the last good file
        status, _ = exporter.get("/healthz")
        assert status == 200  # still inside the staleness limit


def test_healthz_and_unknown_paths(tmp_path: Path) -> None:
    with Exporter(tmp_path, inventory=FLEET) as exporter:
        status, body = exporter.get("/healthz")
        assert status == 200 and '"ok"' in body
        assert exporter.get("/nope")[0] == 404


def test_gpu_counts_that_are_not_whole_numbers_in_range_are_skipped(tmp_path: Path) -> None:
    """`gpus: .inf` made the cost counter +Inf; now such entries are left out and counted."""
    inventory = {
        "nodes": [
            FLEET["nodes"][0],
            {
                "name": "gpu-node-inf",
                "labels": {"nvidia.com/gpu.product": H100},
                "gpus": float("inf"),
            },
            {
                "name": "gpu-node-nan",
                "labels": {"nvidia.com/gpu.product": H100},
                "gpus": float("nan"),
            },
            {"name": "gpu-node-65", "labels": {"nvidia.com/gpu.product": H100}, "gpus": 65},
            {"name": "gpu-node-half", "labels": {"nvidia.com/gpu.product": H100}, "gpus": 0.5},
        ],
        "pods": [
            {"namespace": "inference", "name": "ok", "node": "gpu-node-1", "gpus": 64},
            {"namespace": "inference", "name": "neg", "node": "gpu-node-1", "gpus": -1},
            {"namespace": "inference", "name": "inf", "node": "gpu-node-1", "gpus": float("inf")},
        ],
    }
    with Exporter(tmp_path, inventory=inventory) as exporter:
        time.sleep(0.2)
        m = exporter.metrics()
        assert set(by_prefix(m, "ai_node_gpus")) == {
            f'ai_node_gpus{{gpu_product="{H100}",node="gpu-node-1"}}'
        }
        assert set(by_prefix(m, "ai_pod_gpu_hourly_cost_dollars")) == {
            'ai_pod_gpu_hourly_cost_dollars{namespace="inference",node="gpu-node-1",pod="ok"}'
        }
        skipped = (
            'ai_exporter_inventory_objects_skipped_total{reason="bad_gpu_count",source="file"}'
        )
        assert m[skipped] == 6
        assert all(math.isfinite(v) for v in m.values())
        records = [r for r in exporter.logs() if r["msg"] == "inventory entries skipped"]
        assert records[0]["count"] == 6 and "gpu-node-inf" in records[0]["first"]
