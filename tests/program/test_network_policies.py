"""NetworkPolicies under mocks: Prometheus reaches every scrape target, Grafana reaches Thanos
Query and Tempo, and nothing else is opened."""

from __future__ import annotations

from typing import Any

import pytest

from components.monitoring.network import OPERATOR_PODS as OPERATOR
from tests.support.harness import STACKS, ProgramRun
from tests.support.netpol import Pod, allowed
from tests.support.programs import program_run

MON, INF, TRACING = "monitoring", "inference", "tracing"
PROMETHEUS = Pod("prometheus-0", MON, {"app.kubernetes.io/name": "prometheus"})
GRAFANA = Pod(
    "grafana",
    MON,
    {"app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack"},
)
ALERTMANAGER = Pod("alertmanager-0", MON, {"app.kubernetes.io/name": "alertmanager"})
THANOS_QUERY = Pod("thanos-query", MON, {"app.kubernetes.io/name": "thanos-query"})
THANOS_STORE = Pod("thanos-store-0", MON, {"app.kubernetes.io/name": "thanos-store"})
EXPORTER = Pod("cost-exporter", MON, {"app.kubernetes.io/name": "cost-exporter"})
KSM = Pod("kube-state-metrics", MON, {"app.kubernetes.io/name": "kube-state-metrics"})
OPERATOR_POD = Pod("operator", MON, dict(OPERATOR))
LOADGEN = Pod("load-generator", INF, {"app.kubernetes.io/name": "load-generator"})
TEMPO = Pod("tempo-0", TRACING, {"app.kubernetes.io/name": "tempo"})
STRANGER = Pod("stranger", "default", {"app": "curl"})
DENY_ALL = {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": []}
# Labels as the operators and charts set them. OpenTelemetry Operator: manifestutils.Labels
# (component, instance <namespace>.<name>, name <name>-collector, managed-by, part-of).
COLLECTOR = Pod(
    "ai-observability-collector-0",
    TRACING,
    {
        "app.kubernetes.io/component": "opentelemetry-collector",
        "app.kubernetes.io/instance": "tracing.ai-observability",
        "app.kubernetes.io/name": "ai-observability-collector",
        "app.kubernetes.io/managed-by": "opentelemetry-operator",
        "app.kubernetes.io/part-of": "opentelemetry",
    },
)
# opentelemetry-operator chart: selectorLabels (name, instance) and component controller-manager.
OTEL_OPERATOR = Pod(
    "opentelemetry-operator-0",
    TRACING,
    {
        "app.kubernetes.io/name": "opentelemetry-operator",
        "app.kubernetes.io/instance": "opentelemetry-operator",
        "app.kubernetes.io/component": "controller-manager",
    },
)
# GPU Operator v26.7.0 assets/state-dcgm-exporter: the DaemonSet's pods carry app: <name>.
DCGM_EXPORTER = Pod("nvidia-dcgm-exporter-x", "gpu-operator", {"app": "nvidia-dcgm-exporter"})
NFD_WORKER = Pod(
    "gpu-operator-node-feature-discovery-worker-x",
    "gpu-operator",
    {"app.kubernetes.io/name": "node-feature-discovery", "role": "worker"},
)
API_SERVER = Pod("kube-apiserver", "kube-system", {})


def policies(run: ProgramRun) -> list[dict[str, Any]]:
    return [
        {"metadata": r.inputs["metadata"], "spec": r.inputs["spec"]}
        for r in run.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    ]


def model_pods(run: ProgramRun) -> list[Pod]:
    pods = []
    for r in run.of_type("kubernetes:apps/v1:Deployment"):
        meta = r.inputs["metadata"]
        if meta.get("namespace") == INF and meta["name"] != "load-generator":
            pods.append(
                Pod(meta["name"] + "-0", INF, r.inputs["spec"]["template"]["metadata"]["labels"])
            )
    return pods


@pytest.mark.parametrize("stack", STACKS)
def test_every_namespace_the_stack_creates_denies_ingress_by_default(stack: str) -> None:
    run = program_run(stack)
    created = {r.inputs["metadata"]["name"] for r in run.of_type("kubernetes:core/v1:Namespace")}
    denying = {
        p["metadata"]["namespace"]
        for p in policies(run)
        if p["metadata"]["name"] == "default-deny-ingress" and p["spec"] == DENY_ALL
    }
    assert created == denying
    assert {MON, INF, TRACING} <= created and ("gpu-operator" in created) == (stack != "dev")


@pytest.mark.parametrize("stack", STACKS)
def test_prometheus_reaches_every_scrape_target(stack: str) -> None:
    run = program_run(stack)
    pols = policies(run)
    targets = [(pod, 8000) for pod in model_pods(run)]
    targets += [(THANOS_QUERY, 9090), (THANOS_STORE, 10902), (EXPORTER, 9402), (GRAFANA, 3000),
                (ALERTMANAGER, 9093), (KSM, 8080), (OPERATOR_POD, 8080), (TEMPO, 3200)]  # fmt: skip
    assert model_pods(run)
    for target, port in targets:
        assert allowed(pols, PROMETHEUS, target, port), (target.name, port)


@pytest.mark.parametrize("stack", STACKS)
def test_grafana_reaches_its_datasources(stack: str) -> None:
    pols = policies(program_run(stack))
    assert allowed(pols, GRAFANA, THANOS_QUERY, 9090)
    assert allowed(pols, GRAFANA, TEMPO, 3200)
    assert allowed(pols, GRAFANA, PROMETHEUS, 9090)
    assert allowed(pols, GRAFANA, ALERTMANAGER, 9093)
    assert allowed(pols, THANOS_QUERY, PROMETHEUS, 10901)  # the sidecars
    # The Store Gateway runs only with a bucket (not in dev), and so does its allowance.
    assert allowed(pols, THANOS_QUERY, THANOS_STORE, 10901) == (stack != "dev")
    assert allowed(pols, LOADGEN, model_pods(program_run(stack))[0], 8000)
    assert allowed(pols, API_SERVER, OPERATOR_POD, 10250)  # the admission webhook


@pytest.mark.parametrize("stack", STACKS)
def test_nothing_else_is_opened(stack: str) -> None:
    run = program_run(stack)
    pols = policies(run)
    model = model_pods(run)[0]
    for source, target, port in [
        (STRANGER, model, 8000),
        (STRANGER, PROMETHEUS, 9090),
        (STRANGER, THANOS_QUERY, 9090),
        (STRANGER, ALERTMANAGER, 9093),
        (STRANGER, EXPORTER, 9402),
        (STRANGER, THANOS_STORE, 10901),
        (GRAFANA, model, 8000),
        (GRAFANA, THANOS_STORE, 10901),
        (KSM, PROMETHEUS, 9090),
        (Pod("other-prometheus", "default", {"app.kubernetes.io/name": "prometheus"}), model, 8000),
        (STRANGER, OPERATOR_POD, 8080),
    ]:
        assert not allowed(pols, source, target, port), (source.name, target.name, port)
    # Grafana is meant to be reachable by users (port 3000 only).
    assert allowed(pols, STRANGER, GRAFANA, 3000)
    assert not allowed(pols, STRANGER, GRAFANA, 9090)


def test_configured_client_namespaces_reach_the_models() -> None:
    from tests.support.harness import run_program

    run = run_program("staging", overrides={"hardening.inferenceClientNamespaces": ["gateway"]})
    pols = policies(run)
    model = model_pods(run)[0]
    assert allowed(pols, Pod("router", "gateway", {}), model, 8000)
    assert not allowed(pols, Pod("router", "gateway", {}), model, 9999)
    assert not allowed(pols, STRANGER, model, 8000)


def test_namespaces_carry_pod_security_levels() -> None:
    run = program_run("prod")
    labels = {
        r.inputs["metadata"]["name"]: r.inputs["metadata"]["labels"]
        for r in run.of_type("kubernetes:core/v1:Namespace")
    }
    enforce = {name: ns["pod-security.kubernetes.io/enforce"] for name, ns in labels.items()}
    assert enforce == {
        "monitoring": "privileged",
        "inference": "restricted",
        "gpu-operator": "privileged",
        "tracing": "baseline",
    }
    for name, ns in labels.items():
        if name != "gpu-operator":
            assert ns["pod-security.kubernetes.io/warn"] == "restricted"


def test_inference_pods_meet_the_restricted_profile() -> None:
    """What `enforce: restricted` checks, on every pod template of the inference namespace."""
    for stack in STACKS:
        for r in program_run(stack).of_type("kubernetes:apps/v1:Deployment"):
            if r.inputs["metadata"].get("namespace") != INF:
                continue
            spec = r.inputs["spec"]["template"]["spec"]
            assert spec["securityContext"]["runAsNonRoot"] is True
            assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
            assert not spec.get("hostNetwork") and not spec.get("hostPID")
            for volume in spec.get("volumes", []):
                assert set(volume) - {"name"} <= {
                    "emptyDir",
                    "persistentVolumeClaim",
                    "configMap",
                    "secret",
                }
            for c in spec["containers"]:
                assert c["securityContext"]["allowPrivilegeEscalation"] is False
                assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert spec["automountServiceAccountToken"] is False


def test_alertmanager_does_not_mount_an_api_token() -> None:
    values = (
        program_run("dev")
        .one("kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack")
        .inputs["values"]
    )
    assert values["alertmanager"]["alertmanagerSpec"]["automountServiceAccountToken"] is False


def test_network_policies_can_be_turned_off() -> None:
    from tests.support.harness import run_program

    run = run_program("dev", overrides={"hardening.networkPolicies": False})
    assert [p for p in policies(run) if p["metadata"]["name"] != "cost-exporter"] == []


@pytest.mark.parametrize("stack", STACKS)
def test_tracing_takes_otlp_from_the_model_servers_only(stack: str) -> None:
    run = program_run(stack)
    pols = policies(run)
    (vllm, *_) = model_pods(run)
    for port in (4317, 4318):
        assert allowed(pols, vllm, COLLECTOR, port)
        assert not allowed(pols, STRANGER, COLLECTOR, port)
    assert allowed(pols, COLLECTOR, TEMPO, 4317)
    assert not allowed(pols, vllm, TEMPO, 4317)  # traces go through the collector's sampling
    assert not allowed(pols, STRANGER, TEMPO, 3200)
    assert allowed(pols, PROMETHEUS, COLLECTOR, 8889)  # span metrics
    assert allowed(pols, API_SERVER, OTEL_OPERATOR, 9443)  # the admission webhook
    assert not allowed(pols, STRANGER, OTEL_OPERATOR, 8443)


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_only_prometheus_and_the_operator_reach_the_dcgm_exporter(stack: str) -> None:
    pols = policies(program_run(stack))
    assert allowed(pols, PROMETHEUS, DCGM_EXPORTER, 9400)
    assert allowed(pols, NFD_WORKER, DCGM_EXPORTER, 9400)  # the namespace's own pods
    assert not allowed(pols, STRANGER, DCGM_EXPORTER, 9400)
    assert not allowed(pols, LOADGEN, DCGM_EXPORTER, 9400)
