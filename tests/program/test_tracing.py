"""Tracing: the collector config builder, the operator and Tempo values, the objects under
mocks, and the tracing config errors."""

from __future__ import annotations

from typing import Any

import pytest

from components import versions
from components.tracing.manifests import collector_grpc_endpoint
from tests.support.harness import STACKS, ProgramRun, run_failing_program
from tests.support.programs import program_run


def test_the_operator_generates_its_webhook_certificate_once_for_ten_years() -> None:
    cfg = program_run("dev")
    release = cfg.one("kubernetes:helm.sh/v3:Release", "tracing-operator")
    values = release.inputs["values"]
    webhooks = values["admissionWebhooks"]
    assert webhooks["certManager"]["enabled"] is False
    assert webhooks["autoGenerateCert"] == {
        "enabled": True,
        "recreate": False,
        "certPeriodDays": 3650,
    }


def crs(run: ProgramRun, kind: str) -> list[Any]:
    return [
        r
        for r in run.resources
        if r.type.endswith(f":{kind}") and r.type.startswith("kubernetes:opentelemetry.io")
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_tracing_objects_under_mocks(stack: str) -> None:
    run = program_run(stack)
    (collector,) = crs(run, "OpenTelemetryCollector")
    assert collector.type == "kubernetes:opentelemetry.io/v1beta1:OpenTelemetryCollector"
    assert collector.inputs["metadata"] == {"name": "ai-observability", "namespace": "tracing"}
    assert collector.inputs["spec"]["image"] == versions.COLLECTOR_IMAGE.reference
    (instrumentation,) = crs(run, "Instrumentation")
    assert instrumentation.type == "kubernetes:opentelemetry.io/v1alpha1:Instrumentation"
    assert instrumentation.inputs["metadata"]["namespace"] == "inference"
    spec = instrumentation.inputs["spec"]
    # The collector's Service is <CR name>-collector; Python speaks OTLP/HTTP on 4318.
    assert (
        spec["exporter"]["endpoint"]
        == "http://ai-observability-collector.tracing.svc.cluster.local:4318"
    )
    assert spec["propagators"] == ["tracecontext", "baggage"]
    assert spec["sampler"]["type"] == "parentbased_traceidratio"
    operator = run.one("kubernetes:helm.sh/v3:Release", "tracing-operator")
    for cr in (collector, instrumentation):
        assert operator.urn in cr.dependencies  # the webhooks are up before the CRs


def test_sampler_ratio_from_config() -> None:
    spec = crs(program_run("prod"), "Instrumentation")[0].inputs["spec"]
    assert spec["sampler"]["argument"] == "0.1"


def test_vllm_traces_go_to_the_collector() -> None:
    run = program_run("prod")
    deployment = next(
        r
        for r in run.of_type("kubernetes:apps/v1:Deployment")
        if r.inputs["metadata"]["name"] == "llama-3-8b"
    )
    args = deployment.inputs["spec"]["template"]["spec"]["containers"][0]["args"]
    assert f"--otlp-traces-endpoint={collector_grpc_endpoint('tracing')}" in args
    assert (
        collector_grpc_endpoint("tracing")
        == "http://ai-observability-collector.tracing.svc.cluster.local:4317"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_grafana_gets_tempo_and_exemplar_links(stack: str) -> None:
    values = (
        program_run(stack)
        .one("kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack")
        .inputs["values"]
    )
    (tempo,) = values["grafana"]["additionalDataSources"]
    assert tempo["type"] == "tempo" and tempo["uid"] == "tempo"
    assert tempo["url"] == "http://tempo.tracing.svc.cluster.local:3200"
    assert tempo["jsonData"]["tracesToMetrics"]["datasourceUid"] == "prometheus"
    exemplars = values["grafana"]["sidecar"]["datasources"]["exemplarTraceIdDestinations"]
    assert exemplars == {"datasourceUid": "tempo", "traceIdLabelName": "trace_id"}
    assert "exemplar-storage" in values["prometheus"]["prometheusSpec"]["enableFeatures"]


def test_tempo_per_environment() -> None:
    def tempo(stack: str) -> dict[str, Any]:
        return (
            program_run(stack)
            .one("kubernetes:helm.sh/v3:Release", "tracing-tempo")
            .inputs["values"]
        )

    assert tempo("dev")["persistence"] == {"enabled": False, "size": "10Gi"}
    assert tempo("staging")["persistence"] == {"enabled": True, "size": "20Gi"}
    assert tempo("prod")["persistence"]["storageClassName"] == "gp3"
    assert (tempo("dev")["tempo"]["retention"], tempo("prod")["tempo"]["retention"]) == (
        "24h",
        "168h",
    )
    storage = tempo("prod")["tempo"]["storage"]["trace"]
    assert (
        storage["backend"] == "s3"
        and storage["s3"]["bucket"] == "acme-ai-observability-prod-traces"
    )
    assert "eks.amazonaws.com/role-arn" in tempo("prod")["serviceAccount"]["annotations"]
    assert "storage" not in tempo("staging")["tempo"]  # local blocks on the volume
    assert tempo("dev")["tempo"]["reportingEnabled"] is False
    assert tempo("dev")["tempo"]["tag"] == versions.TEMPO_IMAGE.tag


def test_collector_rbac_is_read_only_and_bound_to_its_account() -> None:
    run = program_run("dev")
    role = next(
        r
        for r in run.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")
        if r.name.startswith("tracing-")
    )
    for rule in role.inputs["rules"]:
        assert rule["verbs"] == ["get", "list", "watch"]
    (collector,) = crs(run, "OpenTelemetryCollector")
    binding = next(
        r
        for r in run.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
        if r.name.startswith("tracing-")
    )
    assert binding.inputs["subjects"][0]["name"] == collector.inputs["spec"]["serviceAccount"]


ERRORS = [
    (
        "sampling-ratio-above-1",
        {"tracing.samplingRatio": 1.5},
        "ai-observability:tracing.samplingRatio: must be between 0 and 1",
    ),
    (
        "sampling-ratio-negative",
        {"tracing.samplingRatio": -0.1},
        "ai-observability:tracing.samplingRatio: must be between 0 and 1",
    ),
    (
        "negative-latency-threshold",
        {"tracing.slowTraceMs": -5},
        "ai-observability:tracing.slowTraceMs: must be a positive integer",
    ),
    (
        "unknown-exporter",
        {"tracing.exporters": ["tempo", "jaeger"]},
        'ai-observability:tracing.exporters[1]: expected one of tempo, debug, got "jaeger"',
    ),
    (
        "keep-percent-above-100",
        {"tracing.keepPercent": 150},
        "ai-observability:tracing.keepPercent: must be between 0 and 100",
    ),
    (
        "collector-replicas",
        {"tracing.collector.replicas": 2},
        "ai-observability:tracing.collector.replicas: tail sampling needs",
    ),
    (
        "tempo-retention-days",
        {"tracing.tempo.retention": "7d"},
        "ai-observability:tracing.tempo.retention: expected hours (Tempo takes no days)",
    ),
    (
        "tempo-s3-without-bucket",
        {"tracing.tempo.s3": {"endpoint": "s3.amazonaws.com"}},
        "ai-observability:tracing.tempo.s3.bucket: required",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "prefix"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_tracing_config_errors(overrides: dict[str, Any], prefix: str) -> None:
    message, registered = run_failing_program("dev", overrides=overrides)
    assert message.startswith(prefix), message
    assert registered == []
