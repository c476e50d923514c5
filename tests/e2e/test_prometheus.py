"""End to end on loopback: a real Prometheus evaluates the project's rule files over the real
exporter (static inventory) and fake vLLM and DCGM endpoints with the real names and labels."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from rules.config import RulesConfig
from rules.groups import render_rule_file, rule_groups
from rules.stack import StackFacts
from tests.support.exporter_process import BASE_CONFIG, Exporter
from tests.support.fake_targets import Clock, FakeDcgm, FakeVllm
from tests.support.tools import require_tool

H100 = "NVIDIA-H100-80GB-HBM3"
RULES = RulesConfig(rate_window="15s", diagnostics_interval="1s", long_window_interval="1s")
# Groups evaluate as often as Prometheus here (every second, the slower ones too).
FACTS = StackFacts(evaluation_interval="1s")
INVENTORY = {
    "nodes": [
        {
            "name": "gpu-node-1",
            "labels": {
                "nvidia.com/gpu.product": H100,
                "nvidia.com/gpu.count": "8",
                "karpenter.sh/capacity-type": "on-demand",
            },
        }
    ],
    # Attribution: llama-3-8b-0 by its own team label, the others by their namespace's.
    "pods": [
        {"namespace": "inference", "name": "llama-3-8b-0", "node": "gpu-node-1", "gpus": 1,
         "labels": {"team": "search"}},
        {"namespace": "inference", "name": "llama-3-8b-1", "node": "gpu-node-1", "gpus": 1},
        {"namespace": "inference", "name": "mistral-7b-0", "node": "gpu-node-1", "gpus": 1},
    ],
    "namespaces": [{"name": "inference", "labels": {"team": "assistants"}}],
}  # fmt: skip
PODS = {
    # pod: (model, TTFT seconds, tokens/s, requests/s, KV cache, share of requests failing)
    "llama-3-8b-0": ("llama-3-8b", 0.3, 500.0, 20.0, 0.5, 0.0),
    # Held under KV cache pressure from the start (KVCachePressure at 90%).
    "llama-3-8b-1": ("llama-3-8b", 0.3, 500.0, 20.0, 0.95, 0.0),
    # One request in five fails (5xx, finished_reason="error"): HighInferenceErrorRate at 5%.
    "mistral-7b-0": ("mistral-7b", 1.5, 200.0, 10.0, 0.2, 0.2),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Prometheus:
    """Debian's prometheus binary on 127.0.0.1 with a config and rule files in a directory."""

    def __init__(self, directory: Path, scrape_configs: list[dict[str, Any]]) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        rule_files = []
        # The deployed rules with a 15s rate window: with 1s scrapes the test sees settled rates
        # after seconds instead of the 5 minutes a 5m window needs.
        for area, groups in rule_groups(RULES, FACTS).items():
            path = directory / f"{area}.rules.yaml"
            path.write_text(render_rule_file(groups))
            rule_files.append(str(path))
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": rule_files,
            "scrape_configs": scrape_configs,
        }
        (directory / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.process = subprocess.Popen(
            [
                require_tool("prometheus"),
                f"--config.file={directory / 'prometheus.yml'}",
                f"--storage.tsdb.path={directory / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def api(self, path: str, **params: str) -> Any:
        url = f"{self.url}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> dict[tuple[tuple[str, str], ...], float]:
        """Instant query: {sorted labels without __name__: value}."""
        result = self.api("query", query=expr)["result"]
        return {
            tuple(sorted((k, v) for k, v in s["metric"].items() if k != "__name__")): float(
                s["value"][1]
            )
            for s in result
        }

    def wait_ready(self) -> None:
        eventually(lambda: self._ready(), timeout=30)

    def _ready(self) -> bool:
        assert self.process.poll() is None, self.process.stderr.read()
        try:
            with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def eventually(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.5)


def by_model(samples: dict[tuple[tuple[str, str], ...], float]) -> dict[str, float]:
    result = {}
    for labels, value in samples.items():
        assert [k for k, _ in labels] == ["model_name"], labels  # one series per model
        result[labels[0][1]] = value
    return result


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Prometheus, dict[str, FakeVllm]]]:
    require_tool("prometheus")
    directory = tmp_path_factory.mktemp("e2e")
    pods = {name: FakeVllm(*spec) for name, spec in PODS.items()}
    dcgm = FakeDcgm(
        "gpu-node-1",
        [
            ("inference", "llama-3-8b-0"),
            ("inference", "llama-3-8b-1"),
            ("inference", "mistral-7b-0"),
            None,
        ],
    )
    for target in [*pods.values(), dcgm]:
        target.start()
    clock = Clock(list(pods.values()))
    clock.start()
    exporter = Exporter(directory, config=BASE_CONFIG, inventory=INVENTORY).start()
    # What the ServiceMonitors produce: per-pod target labels (namespace, pod, model_name) and
    # honor_labels, as components/*_manifests.py configure them.
    scrape_configs = [
        {
            "job_name": name,
            "honor_labels": True,
            "static_configs": [
                {
                    "targets": [f"127.0.0.1:{pod.port}"],
                    "labels": {"namespace": "inference", "pod": name, "model_name": pod.model},
                }
            ],
        }
        for name, pod in pods.items()
    ] + [
        {
            "job_name": "nvidia-dcgm-exporter",
            "honor_labels": True,
            "static_configs": [{"targets": [f"127.0.0.1:{dcgm.port}"]}],
        },
        {
            "job_name": "cost-exporter",
            "honor_labels": True,
            "static_configs": [
                {
                    "targets": [f"127.0.0.1:{exporter.port}"],
                    "labels": {"namespace": "monitoring", "pod": "cost-exporter-0"},
                }
            ],
        },
    ]
    prometheus = Prometheus(directory, scrape_configs)
    try:
        prometheus.wait_ready()
        yield prometheus, pods
    finally:
        prometheus.stop()
        clock.stop()
        assert exporter.stop() == 0
        for target in [*pods.values(), dcgm]:
            target.stop()
        shutil.rmtree(directory / "data", ignore_errors=True)


def test_recording_rules_per_model_with_the_expected_values(
    stack: tuple[Prometheus, dict[str, FakeVllm]],
) -> None:
    prometheus, _ = stack

    def settled() -> bool:
        tokens = by_model(prometheus.query("ai:tokens_per_second"))
        cost = by_model(prometheus.query("ai:cost_per_million_tokens_dollars"))
        return (
            tokens.get("llama-3-8b", 0) > 950
            and tokens.get("mistral-7b", 0) > 190
            and len(cost) == 2
        )

    eventually(settled, timeout=60)
    # All TTFT observations in one bucket: 0.3 s in (0.25, 0.5], 1.5 s in (1, 2.5].
    assert by_model(prometheus.query("ai:ttft_seconds:p50")) == pytest.approx(
        {"llama-3-8b": 0.375, "mistral-7b": 1.75}
    )
    assert by_model(prometheus.query("ai:ttft_seconds:p99")) == pytest.approx(
        {"llama-3-8b": 0.4975, "mistral-7b": 2.485}
    )
    tokens = by_model(prometheus.query("ai:tokens_per_second"))
    assert tokens == pytest.approx({"llama-3-8b": 1000, "mistral-7b": 200}, rel=0.1)
    assert by_model(prometheus.query("ai:model_cost_dollars_per_hour")) == pytest.approx(
        {"llama-3-8b": 13.76, "mistral-7b": 6.88}
    )
    cost = by_model(prometheus.query("ai:cost_per_million_tokens_dollars"))
    # 13.76 $/h / 3600 / ~1,000 tokens/s * 1e6 = ~3.82 $ (the rate is measured, hence ~).
    assert cost["llama-3-8b"] == pytest.approx(3.822, rel=0.15)
    assert cost["mistral-7b"] == pytest.approx(6.88 / 3600 / 200 * 1e6, rel=0.15)
    assert by_model(prometheus.query("ai:kv_cache_usage_percent")) == pytest.approx(
        {"llama-3-8b": 72.5, "mistral-7b": 20}
    )
    errors = by_model(prometheus.query("ai:error_ratio"))
    assert errors["llama-3-8b"] == 0
    assert errors["mistral-7b"] == pytest.approx(0.2, rel=0.15)


def test_gpu_and_cost_rules_over_the_real_exporter(
    stack: tuple[Prometheus, dict[str, FakeVllm]],
) -> None:
    prometheus, _ = stack
    eventually(lambda: len(prometheus.query("ai:gpu_memory_used:ratio")) == 4)
    ratios = prometheus.query("ai:gpu_memory_used:ratio")
    held = {dict(k).get("pod"): v for k, v in ratios.items()}
    assert held == {"llama-3-8b-0": 0.5, "llama-3-8b-1": 0.5, "mistral-7b-0": 0.5, None: 0.0}
    for labels in ratios:  # the scrape target's labels are gone, the GPU's identity stays
        keys = dict(labels)
        assert "instance" not in keys and "job" not in keys
        assert keys["hostname"] == "gpu-node-1" and keys["UUID"].startswith("GPU-")
    node_cost = prometheus.query("ai:gpu_cost_dollars_per_hour")
    assert list(node_cost.values()) == pytest.approx([6.88 * 8])
    assert dict(next(iter(node_cost)))["node"] == "gpu-node-1"


def test_team_and_namespace_cost_from_the_exporters_attribution(
    stack: tuple[Prometheus, dict[str, FakeVllm]],
) -> None:
    prometheus, _ = stack
    eventually(lambda: len(prometheus.query("ai:team_cost_dollars_per_hour")) == 2)
    teams = {
        dict(k)["team"]: v for k, v in prometheus.query("ai:team_cost_dollars_per_hour").items()
    }
    assert teams == pytest.approx({"search": 6.88, "assistants": 2 * 6.88})
    namespaces = prometheus.query("ai:namespace_cost_dollars_per_hour")
    assert {dict(k)["namespace"]: v for k, v in namespaces.items()} == pytest.approx(
        {"inference": 3 * 6.88}
    )
    # Three of the node's eight GPUs held: five idle at 6.88.
    idle = prometheus.query("ai:idle_gpu_cost_dollars_per_hour")
    assert list(idle.values()) == pytest.approx([5 * 6.88])


def alerts_named(prometheus: Prometheus, name: str) -> list[dict[str, Any]]:
    return [a for a in prometheus.api("alerts")["alerts"] if a["labels"]["alertname"] == name]


def test_kv_cache_pressure_on_one_pod_makes_its_alert_pending(
    stack: tuple[Prometheus, dict[str, FakeVllm]],
) -> None:
    prometheus, _ = stack
    eventually(lambda: len(alerts_named(prometheus, "KVCachePressure")) == 1, timeout=30)
    (alert,) = alerts_named(prometheus, "KVCachePressure")
    assert alert["state"] == "pending"  # for: 5m, and the test runs for seconds
    assert alert["labels"] == {
        "alertname": "KVCachePressure",
        "model_name": "llama-3-8b",
        "namespace": "inference",
        "pod": "llama-3-8b-1",
        "severity": "warning",
    }
    assert alert["annotations"]["runbook_url"].endswith("#kvcachepressure")


def test_a_model_failing_one_request_in_five_makes_the_error_alert_pending(
    stack: tuple[Prometheus, dict[str, FakeVllm]],
) -> None:
    prometheus, _ = stack
    eventually(lambda: len(alerts_named(prometheus, "HighInferenceErrorRate")) == 1, timeout=30)
    (alert,) = alerts_named(prometheus, "HighInferenceErrorRate")
    assert alert["state"] == "pending"
    assert alert["labels"]["model_name"] == "mistral-7b"
    assert float(alert["value"]) == pytest.approx(0.2, rel=0.15)


def test_rule_groups_load_and_evaluate_without_errors(
    stack: tuple[Prometheus, dict[str, FakeVllm]],
) -> None:
    prometheus, _ = stack
    groups = prometheus.api("rules")["groups"]
    assert {g["name"] for g in groups} >= {
        "ai-inference.rules",
        "ai-gpu.alerts",
        "ai-cost.rules",
        "ai-slo-ttft-2-5s.rules",
    }

    def evaluated() -> bool:
        rules = [r for g in prometheus.api("rules")["groups"] for r in g["rules"]]
        return all(r["health"] != "unknown" for r in rules)

    eventually(evaluated, timeout=30)  # every rule evaluated at least once
    for group in prometheus.api("rules")["groups"]:
        for rule in group["rules"]:
            assert rule["health"] == "ok", (rule["name"], rule.get("lastError"))
