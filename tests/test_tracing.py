"""Tracing: the collector config builder, the operator and Tempo values, the objects under
mocks, and the tracing config errors."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import program_run
from harness import STACKS, ProgramRun, run_failing_program

from components import versions
from components.config import StackConfig
from components.otel_collector_config import SPAN_METRICS_BUCKETS, collector_config
from components.otel_distribution import CONTRIB_COMPONENTS
from components.tracing_config import TracingConfig
from components.tracing_names import collector_grpc_endpoint
from components.tracing_values import operator_values

KINDS = ("receivers", "processors", "exporters", "connectors", "extensions")


def config(**changes: Any) -> dict[str, Any]:
    return collector_config(TracingConfig(enabled=True, **changes), "tracing")


@pytest.mark.parametrize("exporters", [("tempo",), ("debug",), ("tempo", "debug")])
def test_every_referenced_component_is_defined_and_every_defined_one_used(
    exporters: tuple[str, ...],
) -> None:
    cfg = config(exporters=exporters)
    defined = {(kind, cid) for kind in KINDS for cid in cfg.get(kind, {})}
    used = set()
    for pipeline in cfg["service"]["pipelines"].values():
        used |= {
            ("receivers", c) if c in cfg["receivers"] else ("connectors", c)
            for c in pipeline["receivers"]
        }
        used |= {("processors", c) for c in pipeline.get("processors", [])}
        used |= {
            ("exporters", c) if c in cfg["exporters"] else ("connectors", c)
            for c in pipeline["exporters"]
        }
    assert used == defined
    for kind, cid in defined:
        assert cid.split("/")[0] in CONTRIB_COMPONENTS[kind], (kind, cid)


def test_a_connector_is_both_exporter_and_receiver() -> None:
    pipelines = config()["service"]["pipelines"]
    assert "span_metrics" in pipelines["traces/spanmetrics"]["exporters"]
    assert pipelines["metrics/spanmetrics"]["receivers"] == ["span_metrics"]
    # Span metrics are computed from every span: their pipeline does not sample.
    assert "tail_sampling" not in pipelines["traces/spanmetrics"]["processors"]
    assert pipelines["traces"]["processors"][0] == "memory_limiter"
    assert pipelines["traces"]["processors"].index("k8s_attributes") < pipelines["traces"][
        "processors"
    ].index("tail_sampling")


def test_tail_sampling_policies_are_well_formed() -> None:
    policies = config(slow_trace_ms=12000, keep_percent=7.5)["processors"]["tail_sampling"][
        "policies"
    ]
    assert [p["name"] for p in policies] == ["errors", "slow", "baseline"]
    for policy in policies:
        assert set(policy) == {"name", "type", policy["type"]}
    assert policies[0]["status_code"]["status_codes"] == ["ERROR"]
    assert policies[1]["latency"]["threshold_ms"] == 12000
    assert policies[2]["probabilistic"]["sampling_percentage"] == 7.5


def test_span_metric_buckets_suit_llm_requests() -> None:
    spanmetrics = config()["connectors"]["span_metrics"]
    assert spanmetrics["histogram"]["unit"] == "s"
    buckets = [float(b.rstrip("s")) for b in spanmetrics["histogram"]["explicit"]["buckets"]]
    assert buckets == sorted(buckets) and max(buckets) >= 120
    assert max(SPAN_METRICS_BUCKETS) >= 120
    assert spanmetrics["exemplars"]["enabled"] is True


def test_operator_values_are_stable_across_renders() -> None:
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
    stack: StackConfig = _stack("dev")
    assert operator_values(stack) == operator_values(stack)


def _stack(name: str) -> StackConfig:
    from test_config import parse

    return parse(name)


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
    assert tempo["url"] == "http://tempo.tracing.svc:3200"
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
        "ai-observability:tracing.slowTraceMs: must be a positive number",
    ),
    (
        "unknown-exporter",
        {"tracing.exporters": ["tempo", "jaeger"]},
        'ai-observability:tracing.exporters[1]: unknown exporter "jaeger"',
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
        "ai-observability:tracing.tempo.retention: Tempo takes hours",
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
