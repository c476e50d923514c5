"""NetworkPolicies under mocks: Prometheus reaches every scrape target, Grafana reaches Thanos
Query and Tempo, and nothing else is opened."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.cluster_pods import (
    alertmanager_pod,
    collector_pod,
    container_ports,
    dcgm_exporter_pod,
    grafana_pod,
    keda_pods,
    kube_state_metrics_pod,
    nfd_worker_pod,
    otel_operator_pod,
    prometheus_operator_pod,
    prometheus_pod,
    tempo_pod,
    workload_pods,
)
from tests.support.harness import STACKS, ProgramRun
from tests.support.netpol import Pod, allowed
from tests.support.programs import program_run

MON, INF, TRACING = "monitoring", "inference", "tracing"
# Ports the operators and charts give their pods (prometheus-operator: web 9090, Alertmanager
# web 9093 and cluster mesh 9094 TCP+UDP, Thanos sidecar gRPC 10901, admission webhook 10250;
# kube-state-metrics 8080, the operator's metrics 8080, Grafana 3000, Tempo 3200).
PROMETHEUS_WEB, SIDECAR_GRPC = 9090, 10901
ALERTMANAGER_WEB, ALERTMANAGER_MESH = 9093, 9094
STRANGER = Pod("stranger", "default", {"app": "curl"})
API_SERVER = Pod("kube-apiserver", "kube-system", {})
DENY_ALL = {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": []}


class Pods:
    """The stack's pods, as the registered objects and the operators label them."""

    def __init__(self, run: ProgramRun) -> None:
        workloads = workload_pods(run)
        self.run = run
        self.prometheus = prometheus_pod(run)
        self.alertmanagers = [alertmanager_pod(run, i) for i in range(2)]
        self.grafana = grafana_pod(run)
        self.ksm = kube_state_metrics_pod(run)
        self.operator = prometheus_operator_pod(run)
        self.tempo = tempo_pod(run)
        self.collector = collector_pod(run)
        self.otel_operator = otel_operator_pod(run)
        self.thanos_query = workloads["thanos-query"]
        self.thanos_store = workloads.get("thanos-store")
        self.exporter = workloads["cost-exporter"]
        self.loadgen = workloads.get("load-generator")
        models = {
            name: pod
            for name, pod in workloads.items()
            if pod.labels.get("app.kubernetes.io/component") == "inference"
        }
        self.models = list(models.values())
        self.model_port = container_ports(run, next(iter(models)))["http"]
        self.query_ports = container_ports(run, "thanos-query")
        self.exporter_port = container_ports(run, "cost-exporter")["http"]


def policies(run: ProgramRun) -> list[dict[str, Any]]:
    return [
        {"metadata": r.inputs["metadata"], "spec": r.inputs["spec"]}
        for r in run.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    ]


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
    pods = Pods(program_run(stack))
    pols = policies(pods.run)
    assert pods.models
    targets = [(model, pods.model_port) for model in pods.models] + [
        (pods.thanos_query, pods.query_ports["http"]),
        (pods.exporter, pods.exporter_port),
        (pods.grafana, 3000),
        (pods.alertmanagers[0], ALERTMANAGER_WEB),
        (pods.ksm, 8080),
        (pods.operator, 8080),
        (pods.tempo, 3200),
        (pods.collector, 8889),  # span metrics
    ]
    if pods.thanos_store:
        targets.append((pods.thanos_store, container_ports(pods.run, "thanos-store")["http"]))
    for target, port in targets:
        assert allowed(pols, pods.prometheus, target, port), (target.name, port)


@pytest.mark.parametrize("stack", STACKS)
def test_prometheus_sends_alerts_and_alertmanager_replicas_form_their_mesh(stack: str) -> None:
    pods = Pods(program_run(stack))
    pols = policies(pods.run)
    first, second = pods.alertmanagers
    assert allowed(pols, pods.prometheus, first, ALERTMANAGER_WEB)
    for protocol in ("TCP", "UDP"):  # memberlist gossips over both
        assert allowed(pols, first, second, ALERTMANAGER_MESH, protocol), protocol
        assert allowed(pols, second, first, ALERTMANAGER_MESH, protocol), protocol
        assert not allowed(pols, STRANGER, first, ALERTMANAGER_MESH, protocol), protocol
        assert not allowed(pols, pods.grafana, first, ALERTMANAGER_MESH, protocol), protocol
    assert not allowed(pols, first, second, 9095)


@pytest.mark.parametrize("stack", STACKS)
def test_grafana_reaches_its_datasources(stack: str) -> None:
    pods = Pods(program_run(stack))
    pols = policies(pods.run)
    assert allowed(pols, pods.grafana, pods.thanos_query, pods.query_ports["http"])
    assert allowed(pols, pods.grafana, pods.tempo, 3200)
    assert allowed(pols, pods.grafana, pods.prometheus, PROMETHEUS_WEB)
    assert allowed(pols, pods.grafana, pods.alertmanagers[0], ALERTMANAGER_WEB)
    assert allowed(pols, pods.thanos_query, pods.prometheus, SIDECAR_GRPC)  # the sidecars
    # The Store Gateway runs only with a bucket (not in dev), and so does its allowance.
    assert (pods.thanos_store is not None) == (stack != "dev")
    if pods.thanos_store:
        store_grpc = container_ports(pods.run, "thanos-store")["grpc"]
        assert allowed(pols, pods.thanos_query, pods.thanos_store, store_grpc)
    if pods.loadgen:
        assert allowed(pols, pods.loadgen, pods.models[0], pods.model_port)
    assert allowed(pols, API_SERVER, pods.operator, 10250)  # the admission webhook


@pytest.mark.parametrize("stack", STACKS)
def test_nothing_else_is_opened(stack: str) -> None:
    pods = Pods(program_run(stack))
    pols = policies(pods.run)
    model = pods.models[0]
    other_prometheus = Pod("other-prometheus-0", "default", dict(pods.prometheus.labels))
    for source, target, port in [
        (STRANGER, model, pods.model_port),
        (STRANGER, pods.prometheus, PROMETHEUS_WEB),
        (STRANGER, pods.thanos_query, pods.query_ports["http"]),
        (STRANGER, pods.alertmanagers[0], ALERTMANAGER_WEB),
        (STRANGER, pods.exporter, pods.exporter_port),
        (pods.grafana, model, pods.model_port),
        (pods.ksm, pods.prometheus, PROMETHEUS_WEB),
        (other_prometheus, model, pods.model_port),  # the same labels in another namespace
        (STRANGER, pods.operator, 8080),
    ]:
        assert not allowed(pols, source, target, port), (source.name, target.name, port)
    if pods.thanos_store:
        assert not allowed(pols, STRANGER, pods.thanos_store, 10901)
        assert not allowed(pols, pods.grafana, pods.thanos_store, 10901)
    # Grafana is meant to be reachable by users (port 3000 only).
    assert allowed(pols, STRANGER, pods.grafana, 3000)
    assert not allowed(pols, STRANGER, pods.grafana, 9090)


def test_configured_client_namespaces_reach_the_models() -> None:
    from tests.support.harness import run_program

    run = run_program("staging", overrides={"hardening.inferenceClientNamespaces": ["gateway"]})
    pods = Pods(run)
    pols = policies(run)
    model = pods.models[0]
    assert allowed(pols, Pod("router", "gateway", {}), model, pods.model_port)
    assert not allowed(pols, Pod("router", "gateway", {}), model, 9999)
    assert not allowed(pols, STRANGER, model, pods.model_port)


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
        "keda": "restricted",
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
    pods = Pods(program_run(stack))
    pols = policies(pods.run)
    vllm = pods.models[0]
    for port in (4317, 4318):
        assert allowed(pols, vllm, pods.collector, port)
        assert not allowed(pols, STRANGER, pods.collector, port)
    assert allowed(pols, pods.collector, pods.tempo, 4317)
    assert not allowed(pols, vllm, pods.tempo, 4317)  # traces go through the collector's sampling
    assert not allowed(pols, STRANGER, pods.tempo, 3200)
    assert allowed(pols, pods.prometheus, pods.collector, 8889)  # span metrics
    assert allowed(pols, API_SERVER, pods.otel_operator, 9443)  # the admission webhook
    assert not allowed(pols, STRANGER, pods.otel_operator, 8443)


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_only_prometheus_and_the_operator_reach_the_dcgm_exporter(stack: str) -> None:
    run = program_run(stack)
    pods, pols = Pods(run), policies(run)
    dcgm = dcgm_exporter_pod(run)
    assert allowed(pols, pods.prometheus, dcgm, 9400)
    assert allowed(pols, nfd_worker_pod(run), dcgm, 9400)  # the namespace's own pods
    assert not allowed(pols, STRANGER, dcgm, 9400)
    assert not allowed(pols, pods.models[0], dcgm, 9400)


# The keda chart 2.20.2: the metrics server's APIService on 6443, the admission webhooks on 9443,
# the operator's gRPC metrics service on 9666, every part's /metrics on 8080.
KEDA_METRICS_API, KEDA_WEBHOOK, KEDA_GRPC, KEDA_METRICS = 6443, 9443, 9666, 8080


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_keda_reaches_thanos_query_and_the_api_server_reaches_keda(stack: str) -> None:
    run = program_run(stack)
    pods, keda, pols = Pods(run), keda_pods(run), policies(run)
    operator, metrics_server, webhooks = keda["operator"], keda["metrics-server"], keda["webhooks"]
    # The triggers query Thanos Query (Thanos runs in every stack), not Prometheus directly.
    assert allowed(pols, operator, pods.thanos_query, pods.query_ports["http"])
    assert not allowed(pols, operator, pods.prometheus, PROMETHEUS_WEB)
    assert not allowed(pols, STRANGER, pods.thanos_query, pods.query_ports["http"])
    assert allowed(pols, API_SERVER, metrics_server, KEDA_METRICS_API)
    assert allowed(pols, API_SERVER, webhooks, KEDA_WEBHOOK)
    assert allowed(pols, metrics_server, operator, KEDA_GRPC)
    for part in keda.values():
        assert allowed(pols, pods.prometheus, part, KEDA_METRICS), part.name
    for source, target, port in [
        (STRANGER, operator, KEDA_GRPC),
        (API_SERVER, operator, KEDA_GRPC),
        (STRANGER, webhooks, KEDA_METRICS),
        (API_SERVER, operator, KEDA_METRICS_API),
        (pods.grafana, metrics_server, KEDA_METRICS_API + 1),
    ]:
        assert not allowed(pols, source, target, port), (source.name, target.name, port)


def test_without_thanos_keda_queries_prometheus() -> None:
    from tests.support.harness import run_program

    run = run_program("dev", overrides={"thanos.enabled": False})
    prometheus, keda, pols = prometheus_pod(run), keda_pods(run), policies(run)
    assert allowed(pols, keda["operator"], prometheus, PROMETHEUS_WEB)
    assert not allowed(pols, keda["webhooks"], prometheus, PROMETHEUS_WEB)
    assert not allowed(pols, STRANGER, prometheus, PROMETHEUS_WEB)
