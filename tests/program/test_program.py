"""The whole program under mocks: each stack builds, registers what it should, wired correctly."""

from __future__ import annotations

import pytest

from components import versions
from components.kube.selection import RELEASE_NAME
from tests.support.harness import ProgramRun, iter_strings
from tests.support.programs import program_run

RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
NAMESPACE = "kubernetes:core/v1:Namespace"
PROVIDER = "pulumi:providers:kubernetes"


def monitoring_secrets(run: ProgramRun) -> list:
    """Secrets of the monitoring core and Thanos (the ones kube-prometheus-stack mounts)."""
    return [s for s in run.of_type(SECRET) if s.name.startswith(("monitoring-", "thanos-"))]


def release_values(run: ProgramRun) -> dict:
    return run.one(RELEASE, "monitoring-kube-prometheus-stack").inputs["values"]


FOUNDATION = {
    (PROVIDER, "kubernetes"),
    ("ai-observability:core:Namespaces", "namespaces"),
    (NAMESPACE, "namespaces-monitoring"),
    (NAMESPACE, "namespaces-inference"),
    ("ai-observability:monitoring:MonitoringCore", "monitoring"),
    ("random:index/randomPassword:RandomPassword", "monitoring-grafana-admin-password"),
    (SECRET, "monitoring-grafana-admin"),
    (SECRET, "monitoring-alertmanager-config"),
    (RELEASE, "monitoring-kube-prometheus-stack"),
}


def test_each_stack_registers_the_foundation(stack_run: ProgramRun) -> None:
    registered = [(r.type, r.name) for r in stack_run.resources]
    assert len(registered) == len(set(registered)), "duplicate registrations"
    assert set(registered) >= FOUNDATION


def test_resource_count_per_stack() -> None:
    """Foundation 9, Thanos components 2, Query 5 with its endpoints ConfigMap (+PDB), bucket Secret, Store 4 (+PDB),
    Compactor 4; GPU component, namespace, counters ConfigMap and release (not in dev);
    Inference component, per model Deployment, Service, ServiceMonitor (+PVC, +PDB), the
    load generator's ConfigMap, Deployment and PodMonitor in dev (and its policy), the Hugging Face token Secret in prod;
    the exporter's component, token, Secret and 8 objects; the rules component and its 9
    PrometheusRules (engine since issue 19, autoscaling since issue 20, chargeback since 22); the dashboards
    component and its 6 ConfigMaps; tracing's component, namespace, 2 releases, 3 RBAC objects,
    collector, PodMonitor and Instrumentation; where a model autoscales (dev 1 model, prod 2),
    the autoscaling component, KEDA's namespace and release, a ScaledObject per autoscaled model
    (and the PDB of a model that may run more than one replica); the NetworkPolicies component
    and its policies: monitoring 6 + Thanos Query 1 (+ Store 1 with a bucket), inference 2,
    tracing 5, gpu-operator 3 (not in dev), keda 5 (with an autoscaled model)."""
    counts = {stack: len(program_run(stack).resources) for stack in ("dev", "staging", "prod")}
    assert counts == {"dev": 90, "staging": 91, "prod": 110}


def test_provider_uses_the_stack_context_and_server_side_apply(stack_run: ProgramRun) -> None:
    provider = stack_run.one(PROVIDER)
    expected = {"dev": "kind-ai-observability", "staging": "staging-gpu", "prod": "prod-gpu"}
    assert provider.inputs["context"] == expected[stack_run.stack]
    assert provider.inputs["enableServerSideApply"] == "true"


def test_every_kubernetes_resource_goes_through_the_explicit_provider(
    stack_run: ProgramRun,
) -> None:
    provider = stack_run.one(PROVIDER)
    kube = [r for r in stack_run.resources if r.type.startswith("kubernetes:")]
    assert len(kube) >= 5
    for resource in kube:
        assert resource.provider.startswith(provider.urn + "::"), (resource.name, resource.provider)


def test_children_are_parented_to_their_component(stack_run: ProgramRun) -> None:
    monitoring = stack_run.one("ai-observability:monitoring:MonitoringCore")
    namespaces = stack_run.one("ai-observability:core:Namespaces")
    for r in stack_run.resources:
        if r.name.startswith("monitoring-"):
            assert r.parent == monitoring.urn, r.name
        if r.name.startswith("namespaces-"):
            assert r.parent == namespaces.urn, r.name


def test_release_is_pinned_named_and_waits_for_its_secrets(stack_run: ProgramRun) -> None:
    release = stack_run.one(RELEASE, "monitoring-kube-prometheus-stack")
    assert release.inputs["name"] == RELEASE_NAME
    assert release.inputs["chart"] == "kube-prometheus-stack"
    assert release.inputs["version"] == versions.KUBE_PROMETHEUS_STACK.version == "88.5.3"
    assert release.inputs["repositoryOpts"]["repo"] == versions.KUBE_PROMETHEUS_STACK.repository
    assert release.inputs["namespace"] == "monitoring"
    secret_urns = {r.urn for r in monitoring_secrets(stack_run)}
    assert secret_urns <= set(release.dependencies)
    monitoring_ns = stack_run.one(NAMESPACE, "namespaces-monitoring")
    assert monitoring_ns.urn in release.dependencies


def test_secrets_live_in_the_monitoring_namespace(stack_run: ProgramRun) -> None:
    for secret in monitoring_secrets(stack_run):
        assert secret.inputs["metadata"]["namespace"] == "monitoring"
    names = {s.inputs["metadata"]["name"] for s in monitoring_secrets(stack_run)}
    values = release_values(stack_run)
    assert values["grafana"]["admin"]["existingSecret"] in names
    assert values["alertmanager"]["alertmanagerSpec"]["configSecret"] in names


def test_namespaces_carry_their_configured_names_and_environment() -> None:
    run = program_run("prod")
    names = {r.inputs["metadata"]["name"] for r in run.of_type(NAMESPACE)}
    assert names == {"monitoring", "inference", "gpu-operator", "tracing", "keda"}
    assert {r.inputs["metadata"]["name"] for r in program_run("dev").of_type(NAMESPACE)} == {
        "monitoring",
        "inference",
        "tracing",
        "keda",
    }
    for ns in run.of_type(NAMESPACE):
        assert ns.inputs["metadata"]["labels"]["ai-observability/environment"] == "prod"


def test_dev_requests_no_gpu_anywhere() -> None:
    run = program_run("dev")
    for resource in run.resources:
        for text, _ in iter_strings(resource.inputs):
            assert "nvidia.com/gpu" not in text, resource.name


def test_prod_runs_two_prometheus_replicas_on_volumes() -> None:
    spec = release_values(program_run("prod"))["prometheus"]["prometheusSpec"]
    assert spec["replicas"] == 2
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == "500Gi"
    assert claim["storageClassName"] == "gp3"


def test_outputs(stack_run: ProgramRun) -> None:
    out = stack_run.outputs
    assert out["monitoringNamespace"] == "monitoring"
    assert out["grafanaService"] == "kube-prometheus-stack-grafana"
    assert out["prometheusService"] == "kube-prometheus-stack-prometheus"
    assert out["alertmanagerService"] == "kube-prometheus-stack-alertmanager"
    context = stack_run.one(PROVIDER).inputs["context"]
    assert out["grafanaPortForward"] == (
        f"kubectl --context {context} -n monitoring port-forward "
        "svc/kube-prometheus-stack-grafana 3000:80"
    )
    assert stack_run.secret_outputs == {"grafanaAdminPassword", "exporterIngestToken"}


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_a_second_run_registers_the_same_inputs(stack: str) -> None:
    """The program is deterministic: a preview on an unchanged stack shows no diff."""
    from tests.support.harness import run_program

    first, second = program_run(stack), run_program(stack)
    by_name = {(r.type, r.name): r.inputs for r in first.resources}
    assert len(by_name) == len(first.resources) == len(second.resources)
    assert by_name == {(r.type, r.name): r.inputs for r in second.resources}


def test_config_passed_the_way_the_cli_does_gives_the_same_program() -> None:
    """The CLI's language host hands config over in PULUMI_CONFIG, not via set_all_config."""
    from tests.support.harness import run_program

    via_env = run_program("prod", via_environment=True)
    expected = {(r.type, r.name): r.inputs for r in program_run("prod").resources}
    assert {(r.type, r.name): r.inputs for r in via_env.resources} == expected
    assert "grafanaAdminPassword" in via_env.secret_outputs
