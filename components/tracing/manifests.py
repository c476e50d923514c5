"""The tracing objects: the OpenTelemetryCollector, its RBAC, the Python Instrumentation and
the span-metrics PodMonitor, and the collector's endpoints. Pure: no pulumi import."""

from __future__ import annotations

from typing import Any

from components import versions
from components.kube.meta import PART_OF
from components.kube.objects import (
    cluster_role_with_binding,
    pod_monitor,
    read_only,
    service_account,
)
from components.kube.urls import service_url
from components.tracing.collector import SPAN_METRICS_PORT, collector_config
from components.tracing.config import TracingConfig

COLLECTOR_NAME = "ai-observability"
# The OpenTelemetry Operator names a collector's Service <name>-collector.
COLLECTOR_SERVICE = f"{COLLECTOR_NAME}-collector"
COLLECTOR_ACCOUNT = COLLECTOR_SERVICE
OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318
INSTRUMENTATION = "python"
# The operator sets OTEL_METRICS_EXPORTER and OTEL_LOGS_EXPORTER to otlp for Python; the
# collector has trace pipelines only, so both are off (see the README's Tracing section):
# request rates and latencies of instrumented services come from the span metrics, and logs
# stay on stdout for the cluster's log pipeline.
UNEXPORTED_SIGNALS = ("METRICS", "LOGS")


def collector_grpc_endpoint(namespace: str) -> str:
    """OTLP/gRPC endpoint of the collector, as vLLM's --otlp-traces-endpoint takes it."""
    return service_url(COLLECTOR_SERVICE, namespace, OTLP_GRPC_PORT)


def collector_http_endpoint(namespace: str) -> str:
    """OTLP/HTTP endpoint of the collector: what Python auto-instrumentation speaks."""
    return service_url(COLLECTOR_SERVICE, namespace, OTLP_HTTP_PORT)


def collector_manifest(tr: TracingConfig, namespace: str) -> dict[str, Any]:
    """The OpenTelemetryCollector (v1beta1), contrib image, with a port for span metrics."""
    return {
        "apiVersion": "opentelemetry.io/v1beta1",
        "kind": "OpenTelemetryCollector",
        "metadata": {"name": COLLECTOR_NAME, "namespace": namespace},
        "spec": {
            "mode": "deployment",
            "replicas": tr.collector.replicas,
            "image": versions.COLLECTOR_IMAGE.reference,
            "serviceAccount": COLLECTOR_ACCOUNT,
            "resources": tr.collector.resources.to_k8s(),
            "securityContext": {
                "runAsNonRoot": True,
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": True,
                "capabilities": {"drop": ["ALL"]},
            },
            "ports": [{"name": "spanmetrics", "port": SPAN_METRICS_PORT, "protocol": "TCP"}],
            "config": collector_config(tr, namespace),
        },
    }


def collector_rbac(namespace: str) -> list[dict[str, Any]]:
    """ServiceAccount, ClusterRole and binding that k8s_attributes needs (read-only)."""
    role = f"ai-observability-{COLLECTOR_ACCOUNT}"
    rules = [read_only("", "pods", "namespaces", "nodes"), read_only("apps", "replicasets")]
    return [
        service_account(COLLECTOR_ACCOUNT, namespace, PART_OF, api_token=True),
        *cluster_role_with_binding(role, PART_OF, rules, COLLECTOR_ACCOUNT, namespace),
    ]


def instrumentation_manifest(tr: TracingConfig, tracing_namespace: str) -> dict[str, Any]:
    """The Instrumentation for Python services (opt-in per pod by annotation); its namespace is
    set by the caller (the inference namespace)."""
    endpoint = collector_http_endpoint(tracing_namespace)
    return {
        "apiVersion": "opentelemetry.io/v1alpha1",
        "kind": "Instrumentation",
        "metadata": {"name": INSTRUMENTATION},
        "spec": {
            "exporter": {"endpoint": endpoint},
            "propagators": ["tracecontext", "baggage"],
            "sampler": {"type": "parentbased_traceidratio", "argument": f"{tr.sampling_ratio:g}"},
            # Python speaks OTLP over HTTP (4318); the language env wins over the generated one.
            "python": {
                "env": [
                    {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": endpoint},
                    {"name": "OTEL_EXPORTER_OTLP_PROTOCOL", "value": "http/protobuf"},
                    *(
                        {"name": f"OTEL_{signal}_EXPORTER", "value": "none"}
                        for signal in UNEXPORTED_SIGNALS
                    ),
                ]
            },
        },
    }


def span_metrics_monitor(namespace: str) -> dict[str, Any]:
    """A PodMonitor for the collector's span metrics (both Prometheus replicas scrape it)."""
    pods = {
        "app.kubernetes.io/component": "opentelemetry-collector",
        "app.kubernetes.io/instance": f"{namespace}.{COLLECTOR_NAME}",
    }
    return pod_monitor(f"{COLLECTOR_NAME}-span-metrics", namespace, pods, "spanmetrics")
