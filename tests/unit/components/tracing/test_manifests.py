"""The tracing objects, Helm values and policies from the pure builders."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components import versions
from components.kube.references import prerequisites
from components.tracing.config import TracingConfig
from components.tracing.manifests import (
    collector_grpc_endpoint,
    collector_http_endpoint,
    collector_manifest,
    collector_rbac,
    instrumentation_manifest,
    span_metrics_monitor,
)
from components.tracing.network import collector_pods, tracing_policies
from components.tracing.values import grafana_tracing_values, operator_values, tempo_values
from tests.support.netpol import Pod, allowed

CFG = TracingConfig.model_validate({"enabled": True, "samplingRatio": 0.2})


def test_the_collector_runs_as_its_read_only_account() -> None:
    collector = collector_manifest(CFG, "tracing")
    assert collector["spec"]["image"] == versions.COLLECTOR_IMAGE.reference
    assert collector["spec"]["serviceAccount"] == "ai-observability-collector"
    objects = [*collector_rbac("tracing"), collector]
    assert set(prerequisites(collector, objects)) == {
        ("ServiceAccount", "ai-observability-collector"),
        ("ClusterRoleBinding", "ai-observability-ai-observability-collector"),
    }
    role = objects[1]
    assert all(rule["verbs"] == ["get", "list", "watch"] for rule in role["rules"])


def test_python_services_speak_otlp_http_and_vllm_otlp_grpc() -> None:
    spec = instrumentation_manifest(CFG, "tracing")["spec"]
    assert spec["exporter"]["endpoint"] == collector_http_endpoint("tracing")
    assert collector_http_endpoint("tracing").endswith(":4318")
    assert collector_grpc_endpoint("tracing").endswith(":4317")
    assert spec["sampler"] == {"type": "parentbased_traceidratio", "argument": "0.2"}
    assert {"name": "OTEL_EXPORTER_OTLP_PROTOCOL", "value": "http/protobuf"} in spec["python"][
        "env"
    ]


def signals_without_a_pipeline(instrumentation: dict, collector: dict) -> list[str]:
    """Signals the Python agent exports (the operator defaults each to otlp) that no collector
    pipeline receives over OTLP: the agent would retry those exports forever."""
    env = {e["name"]: e["value"] for e in instrumentation["spec"]["python"]["env"]}
    pipelines = collector["spec"]["config"]["service"]["pipelines"]
    received = {name.split("/")[0] for name, p in pipelines.items() if "otlp" in p["receivers"]}
    return [
        signal
        for signal in ("traces", "metrics", "logs")
        if env.get(f"OTEL_{signal.upper()}_EXPORTER", "otlp") != "none" and signal not in received
    ]


def test_python_services_export_only_what_the_collector_receives() -> None:
    instrumentation = instrumentation_manifest(CFG, "tracing")
    collector = collector_manifest(CFG, "tracing")
    assert signals_without_a_pipeline(instrumentation, collector) == []
    # Traces still go out; metrics and logs are off (span metrics count the requests).
    env = {e["name"]: e["value"] for e in instrumentation["spec"]["python"]["env"]}
    assert "OTEL_TRACES_EXPORTER" not in env
    assert env["OTEL_METRICS_EXPORTER"] == env["OTEL_LOGS_EXPORTER"] == "none"
    # Control: the operator's defaults (otlp for every signal) leave two signals nowhere.
    instrumentation["spec"]["python"]["env"] = env_without_exporters = [
        e for e in instrumentation["spec"]["python"]["env"] if not e["name"].endswith("_EXPORTER")
    ]
    assert env_without_exporters
    assert signals_without_a_pipeline(instrumentation, collector) == ["metrics", "logs"]


def test_span_metrics_pods_are_the_collectors() -> None:
    monitor = span_metrics_monitor("tracing")
    assert monitor["spec"]["selector"]["matchLabels"] == collector_pods("tracing")


def test_values_of_the_operator_tempo_and_grafana() -> None:
    webhooks = operator_values()["admissionWebhooks"]
    assert webhooks["autoGenerateCert"]["recreate"] is False  # stable renders, no cert-manager
    s3 = TracingConfig.model_validate(
        {"tempo": {"s3": {"bucket": "traces", "endpoint": "s3.test", "region": "eu-west-1"}}}
    )
    assert tempo_values(s3)["tempo"]["storage"]["trace"]["s3"] == {
        "bucket": "traces",
        "endpoint": "s3.test",
        "region": "eu-west-1",
    }
    assert "storage" not in tempo_values(CFG)["tempo"]
    (datasource,) = grafana_tracing_values("tracing")["grafana"]["additionalDataSources"]
    assert datasource["url"] == "http://tempo.tracing.svc.cluster.local:3200"


def test_only_the_pipeline_s_traffic_reaches_the_tracing_namespace() -> None:
    policies = tracing_policies("tracing", "monitoring", ["inference"])
    collector = Pod("c", "tracing", collector_pods("tracing"))
    tempo = Pod("tempo-0", "tracing", {"app.kubernetes.io/name": "tempo"})
    vllm = Pod("llama-0", "inference", {"app.kubernetes.io/name": "model-server"})
    assert allowed(policies, vllm, collector, 4317) and allowed(policies, vllm, collector, 4318)
    assert not allowed(policies, vllm, tempo, 4317)
    assert allowed(policies, collector, tempo, 4317)
    assert not allowed(policies, Pod("x", "default", {}), collector, 4317)


def test_tracing_config_rules() -> None:
    with pytest.raises(ValidationError, match="tail sampling needs every span"):
        TracingConfig.model_validate({"collector": {"replicas": 2}})
    with pytest.raises(ValidationError, match=r"expected hours \(Tempo takes no days\)"):
        TracingConfig.model_validate({"tempo": {"retention": "7d"}})
    with pytest.raises(ValidationError, match="at least 1 item"):
        TracingConfig.model_validate({"exporters": []})
