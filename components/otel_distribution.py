"""Components of the OpenTelemetry Collector contrib distribution that this project relies on.

Checked against the opentelemetry-collector-releases v0.158.0 manifests (contrib contains all of
them; the operator's default k8s distribution lacks the prometheus exporter). New snake_case
names are used where the components were renamed (k8s_attributes, span_metrics, otlp_grpc).
"""

from __future__ import annotations

CONTRIB_COMPONENTS: dict[str, frozenset[str]] = {
    "receivers": frozenset(
        {"otlp", "prometheus", "jaeger", "zipkin", "k8s_cluster", "kubelet_stats"}
    ),
    "processors": frozenset(
        {
            "memory_limiter",
            "batch",
            "k8s_attributes",
            "tail_sampling",
            "transform",
            "filter",
            "resource",
            "attributes",
        }
    ),
    "exporters": frozenset(
        {"otlp_grpc", "otlp_http", "prometheus", "prometheusremotewrite", "debug", "load_balancing"}
    ),
    "connectors": frozenset({"span_metrics", "forward"}),
    "extensions": frozenset({"health_check", "pprof", "zpages"}),
}
