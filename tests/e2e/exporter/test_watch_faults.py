"""The exporter against a Kubernetes API that misbehaves (tests/support/fake_kube_api.py MODES):
watches that close at once, 500s on one kind, requests that hang, streams of garbage. It never
spins, health names the stale source, evaluations keep flowing, and SIGTERM exits 0 fast."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

import pytest

from tests.support.exporter_process import Exporter, eventually
from tests.support.fake_kube_api import FakeKubeAPI, gpu_node, gpu_pod

# "A few requests per second per kind" (issue 18); the exporter spaces them by 0.5 s at least.
MAX_REQUESTS_PER_SECOND = 2.5
GOOD = {"model": "llama-3-8b", "evaluator": "judge", "score": 0.8, "hallucination": False}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (proc(5): fields 14 and 15, in clock ticks)."""
    import os

    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop_within(exporter: Exporter, seconds: float, sig: int = signal.SIGTERM) -> None:
    started = time.monotonic()
    assert exporter.stop(sig) == 0, exporter.stderr[-2000:]
    assert time.monotonic() - started < seconds
    exporter.logs()  # and everything it wrote was JSON lines


def sample(exporter: Exporter, name: str, **labels: str) -> float:
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return exporter.metrics()[f"{name}{{{inner}}}"]


def test_a_watch_closed_at_once_is_renewed_with_backoff_and_relisted(
    api: FakeKubeAPI, watching: Callable[..., Exporter]
) -> None:
    api.apply("nodes", "ADDED", gpu_node("gpu-node-1", 8))
    api.set_mode("nodes", "empty")
    exporter = watching().start()
    try:
        eventually(
            lambda: (
                'ai_node_gpus{gpu_product="NVIDIA-H100-80GB-HBM3",node="gpu-node-1"}'
                in exporter.metrics()
            )
        )
        assert exporter.process is not None
        cpu_before, window_start = cpu_seconds(exporter.process.pid), time.monotonic()
        # A node that only a relist can show: the watch never brings its event.
        api.apply("nodes", "ADDED", gpu_node("gpu-node-2", 4))
        eventually(
            lambda: (
                'ai_node_gpus{gpu_product="NVIDIA-H100-80GB-HBM3",node="gpu-node-2"}'
                in exporter.metrics()
            ),
            timeout=20,
        )
        time.sleep(max(0.0, 6 - (time.monotonic() - window_start)))
        elapsed = time.monotonic() - window_start
        cpu = (cpu_seconds(exporter.process.pid) - cpu_before) / elapsed
        assert api.rate("nodes", elapsed) <= MAX_REQUESTS_PER_SECOND
        assert cpu < 0.2, f"{cpu:.2f} of a core while the watch keeps closing"
        assert sample(exporter, "ai_exporter_inventory_errors_total", source="nodes") >= 1
        assert exporter.get("/healthz")[0] == 200  # the relists keep nodes in sync
    finally:
        stop_within(exporter, 5)


def test_pods_failing_alone_make_health_name_pods_and_evaluations_still_flow(
    api: FakeKubeAPI, watching: Callable[..., Exporter]
) -> None:
    api.apply("nodes", "ADDED", gpu_node("gpu-node-1", 8))
    api.apply("pods", "ADDED", gpu_pod("inference", "llama-0", "gpu-node-1", 1))
    exporter = watching(inventory_staleness_seconds=2, watch_timeout_seconds=1).start()
    try:
        eventually(lambda: exporter.get("/healthz")[0] == 200)
        api.set_mode("pods", "error")
        window_start = time.monotonic()
        eventually(lambda: exporter.get("/healthz")[0] == 503, timeout=15)
        status, body = exporter.get("/healthz")
        health = __import__("json").loads(body)
        assert (status, health["status"], health["stale"]) == (503, "inventory stale", ["pods"])
        assert health["sources"]["nodes"]["age_seconds"] <= 2
        assert health["sources"]["pods"]["age_seconds"] >= 2  # rounded to 0.1 s
        # Readiness and ingest do not depend on the API.
        assert exporter.get("/readyz")[0] == 200
        assert exporter.post(GOOD)[0] == 202
        metrics = exporter.metrics()
        nodes_seen = metrics['ai_exporter_inventory_last_success_timestamp_seconds{source="nodes"}']
        pods_seen = metrics['ai_exporter_inventory_last_success_timestamp_seconds{source="pods"}']
        assert pods_seen < nodes_seen and time.time() - pods_seen > 2
        assert metrics['ai_exporter_inventory_errors_total{source="pods"}'] >= 1
        assert metrics['ai_exporter_inventory_errors_total{source="nodes"}'] == 0
        assert api.rate("pods", time.monotonic() - window_start) <= MAX_REQUESTS_PER_SECOND
        # Kubernetes errors are logged with their status code and reason.
        failures = [r for r in exporter.logs() if r.get("source") == "pods" and "status" in r]
        assert failures and failures[0]["status"] == 500
        assert failures[0]["reason"] and failures[0]["level"] == "error"
        api.set_mode("pods", "ok")
        eventually(lambda: exporter.get("/healthz")[0] == 200, timeout=40)
    finally:
        stop_within(exporter, 5)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_hanging_api_neither_piles_up_requests_nor_blocks_exit(
    api: FakeKubeAPI, watching: Callable[..., Exporter], sig: int
) -> None:
    for kind in ("nodes", "pods", "namespaces"):  # the whole API hangs
        api.set_mode(kind, "hang")
    exporter = watching(inventory_staleness_seconds=1).start()
    try:
        time.sleep(3)
        status, body = exporter.get("/healthz")
        assert status == 503 and "no inventory sync yet" in body
        assert exporter.get("/readyz")[0] == 200
        assert [len(api.hits[k]) for k in ("nodes", "pods", "namespaces")] == [1, 1, 1]
    finally:
        stop_within(exporter, 5, sig)


def test_a_garbled_watch_stream_is_an_error_and_a_relist_not_a_spin(
    api: FakeKubeAPI, watching: Callable[..., Exporter]
) -> None:
    api.apply("nodes", "ADDED", gpu_node("gpu-node-1", 8))
    api.set_mode("nodes", "garbage")
    exporter = watching().start()
    try:
        window_start = time.monotonic()
        eventually(
            lambda: sample(exporter, "ai_exporter_inventory_errors_total", source="nodes") >= 2,
            timeout=15,
        )
        time.sleep(2)
        assert api.rate("nodes", time.monotonic() - window_start) <= MAX_REQUESTS_PER_SECOND
        assert exporter.get("/healthz")[0] == 200  # the lists themselves succeed
        errors = [r for r in exporter.logs() if r.get("msg", "").startswith("inventory sync")]
        assert errors and all(r["retry_in_seconds"] <= 30 for r in errors)
    finally:
        stop_within(exporter, 5)


@pytest.mark.parametrize("state", ["watching", "backing-off"])
def test_sigterm_exits_0_within_5_seconds(
    api: FakeKubeAPI, watching: Callable[..., Exporter], state: str
) -> None:
    api.apply("nodes", "ADDED", gpu_node("gpu-node-1", 8))
    exporter = watching().start()
    eventually(lambda: exporter.get("/healthz")[0] == 200)
    if state == "backing-off":
        api.set_available(False)
        eventually(
            lambda: (
                sum(
                    sample(exporter, "ai_exporter_inventory_errors_total", source=s)
                    for s in ("nodes", "pods")
                )
                >= 1
            ),
            timeout=40,
        )
    stop_within(exporter, 5)


def test_objects_that_cannot_be_written_are_skipped_and_counted(
    api: FakeKubeAPI, watching: Callable[..., Exporter]
) -> None:
    """JSON from the API may carry a lone surrogate (\\ud800) no exposition can encode, and
    allocatable may hold any quantity string."""
    api.apply("nodes", "ADDED", gpu_node("gpu-node-1", 8))
    api.apply("nodes", "ADDED", gpu_node("gpu-node-\ud800", 8))
    api.apply("nodes", "ADDED", gpu_node("gpu-node-huge", 10**9))
    api.apply("pods", "ADDED", gpu_pod("inference", "llama-\ud800", "gpu-node-1", 1))
    api.apply("pods", "ADDED", gpu_pod("inference", "llama-0", "gpu-node-1", 1))
    exporter = watching().start()
    try:
        eventually(lambda: exporter.get("/healthz")[0] == 200)
        m = exporter.metrics()  # parsed with prometheus_client: every scrape stays valid
        skipped = "ai_exporter_inventory_objects_skipped_total"
        assert m[f'{skipped}{{reason="bad_label_value",source="nodes"}}'] == 1
        assert m[f'{skipped}{{reason="bad_gpu_count",source="nodes"}}'] == 1
        assert m[f'{skipped}{{reason="bad_label_value",source="pods"}}'] == 1
        nodes = {k for k in m if k.startswith("ai_node_gpus{")}
        assert nodes == {'ai_node_gpus{gpu_product="NVIDIA-H100-80GB-HBM3",node="gpu-node-1"}'}
        # The same from a watch event, after the list.
        api.apply("pods", "ADDED", gpu_pod("batch", "job-\ud800", "gpu-node-1", 1))
        eventually(lambda: sample(exporter, skipped, reason="bad_label_value", source="pods") == 2)
        warnings = [r for r in exporter.logs() if r.get("msg") == "object skipped"]
        assert len(warnings) == 4 and {r["reason"] for r in warnings} == {
            "bad_label_value",
            "bad_gpu_count",
        }
    finally:
        stop_within(exporter, 5)
