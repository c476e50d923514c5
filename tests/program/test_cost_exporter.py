"""The exporter's Pulumi component under mocks: RBAC, config, token, Deployment, monitoring,
network policy, config errors; and its rendered config accepted by the real exporter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from components.kube.selection import selection_labels
from exporter.config import parse_config
from tests.support.exporter_process import Exporter
from tests.support.harness import STACKS, ProgramRun, run_failing_program
from tests.support.programs import program_run


def objects(run: ProgramRun, kind: str) -> dict[str, dict[str, Any]]:
    """cost-exporter objects of one type token suffix, by name."""
    return {
        r.inputs["metadata"]["name"]: r.inputs
        for r in run.resources
        if r.type.endswith(f":{kind}") and r.name.startswith("cost-exporter")
    }


def pod_spec(run: ProgramRun) -> dict[str, Any]:
    return objects(run, "Deployment")["cost-exporter"]["spec"]["template"]["spec"]


@pytest.mark.parametrize("stack", STACKS)
def test_rbac_is_read_only_on_nodes_pods_and_namespaces(stack: str) -> None:
    run = program_run(stack)
    role = objects(run, "ClusterRole")["ai-observability-cost-exporter"]
    # Namespaces: their labels attribute the cost of pods without their own.
    resources = ["nodes", "pods", "namespaces"]
    assert role["rules"] == [
        {"apiGroups": [""], "resources": resources, "verbs": ["get", "list", "watch"]}
    ]
    binding = objects(run, "ClusterRoleBinding")["ai-observability-cost-exporter"]
    assert binding["roleRef"]["name"] == "ai-observability-cost-exporter"
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "cost-exporter", "namespace": "monitoring"}
    ]
    assert pod_spec(run)["serviceAccountName"] == "cost-exporter"
    assert "cost-exporter" in objects(run, "ServiceAccount")


def test_config_comes_from_the_stack() -> None:
    run = program_run("prod")
    document = yaml.safe_load(objects(run, "ConfigMap")["cost-exporter"]["data"]["config.yaml"])
    assert document["models"] == ["llama-3-70b", "llama-3-8b"]
    assert document["evaluators"] == ["judge", "groundedness"]
    assert document["gpus"] == {"NVIDIA-H100-80GB-HBM3": {"on_demand": 5.2, "spot": 2.16}}
    assert document["instance_types"] == {"p5.48xlarge": {"on_demand": 41.6}}
    assert document["ingest_token_file"] == "/var/run/secrets/ingest/token"
    # The exporter's own validation accepts it (without the token file, which lives in a Secret).
    parse_config({k: v for k, v in document.items() if k != "ingest_token_file"})


def test_rendered_config_runs_the_real_exporter(tmp_path: Path) -> None:
    document = yaml.safe_load(
        objects(program_run("dev"), "ConfigMap")["cost-exporter"]["data"]["config.yaml"]
    )
    (tmp_path / "token").write_text("t0ken")
    document["ingest_token_file"] = str(tmp_path / "token")
    with Exporter(tmp_path, config=document, inventory={"nodes": [], "pods": []}) as exporter:
        good = {"model": "mistral-7b", "evaluator": "judge", "score": 1, "hallucination": False}
        assert exporter.post(good, {"Authorization": "Bearer t0ken"})[0] == 202
        assert exporter.get("/healthz")[0] == 200


@pytest.mark.parametrize("stack", STACKS)
def test_deployment_is_restricted_and_wired(stack: str) -> None:
    run = program_run(stack)
    spec = pod_spec(run)
    container = spec["containers"][0]
    assert container["image"] == (
        "ai-observability-exporter:0.1.0"
        if stack == "dev"
        else "ghcr.io/acme/ai-observability-exporter:0.1.0"
    )
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert (
        set(container["resources"]["requests"]) == {"cpu", "memory"}
        and container["resources"]["limits"]["memory"]
    )
    # Ready while it serves (an API outage must not refuse evaluations); restarted only when
    # the inventory stays stale.
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    # The exporter binds loopback by default: the pod must listen where Prometheus scrapes it,
    # and always with its ingest token.
    args = container["args"]
    assert args[args.index("--host") + 1] == "0.0.0.0"
    assert "--insecure-no-auth" not in args
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["config"]["configMap"]["name"] in objects(run, "ConfigMap")
    token = next(
        r
        for r in run.of_type("kubernetes:core/v1:Secret")
        if r.name == "cost-exporter-ingest-token"
    )
    assert volumes["ingest-token"]["secret"]["secretName"] == token.inputs["metadata"]["name"]


@pytest.mark.parametrize("stack", STACKS)
def test_service_monitor_and_network_policy(stack: str) -> None:
    run = program_run(stack)
    pod_labels = objects(run, "Deployment")["cost-exporter"]["spec"]["template"]["metadata"][
        "labels"
    ]
    service = objects(run, "Service")["cost-exporter"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    monitor = objects(run, "ServiceMonitor")["cost-exporter"]
    assert selection_labels().items() <= monitor["metadata"]["labels"].items()
    assert (
        monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    )
    assert monitor["spec"]["endpoints"][0]["port"] in {p["name"] for p in service["spec"]["ports"]}
    assert monitor["spec"]["endpoints"][0]["honorLabels"] is True  # keeps ai_pod_*'s namespace/pod
    policy = objects(run, "NetworkPolicy")["cost-exporter"]["spec"]
    assert policy["podSelector"]["matchLabels"].items() <= pod_labels.items()
    rule = policy["ingress"][0]
    namespaces = rule["from"][0]["namespaceSelector"]["matchExpressions"][0]["values"]
    expected = {
        "dev": ["inference", "monitoring"],
        "staging": ["inference", "monitoring"],
        "prod": ["evaluation", "inference", "monitoring"],
    }
    assert namespaces == expected[stack]
    assert [int(p["port"]) for p in rule["ports"]] == [9402]


ERRORS = [
    ("image-missing", {"exporter.image": ""}, "ai-observability:exporter.image: required"),
    (
        "image-latest",
        {"exporter.image": "ghcr.io/acme/exporter:latest"},
        "ai-observability:exporter.image: expected an image pinned",
    ),
    (
        "image-untagged",
        {"exporter.image": "ghcr.io/acme/exporter"},
        "ai-observability:exporter.image: expected an image pinned",
    ),
    (
        "negative-price",
        {"exporter.gpuPrices": {"NVIDIA-L4": {"on_demand": -1}}},
        "ai-observability:exporter.gpuPrices.NVIDIA-L4.on_demand: must be a non-negative price",
    ),
    (
        "unknown-capacity",
        {"exporter.instancePrices": {"g6.xlarge": {"reserved": 1}}},
        "ai-observability:exporter.instancePrices.g6.xlarge.reserved: unknown capacity type",
    ),
    (
        "default-capacity",
        {"exporter.defaultCapacityType": "spotty"},
        "ai-observability:exporter.defaultCapacityType: expected one of on_demand, spot",
    ),
    (
        "no-evaluators",
        {"exporter.evaluators": []},
        "ai-observability:exporter.evaluators: must not be empty",
    ),
    (
        "no-models",
        {"inference.models": [], "inference.loadGenerator.enabled": False},
        "ai-observability:exporter.extraModels: the exporter needs a model name",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "prefix"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_exporter_config_errors(overrides: dict[str, Any], prefix: str) -> None:
    message, registered = run_failing_program("dev", overrides=overrides)
    assert message.startswith(prefix), message
    assert registered == []
