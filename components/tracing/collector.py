"""The OpenTelemetry Collector's configuration, as a pure function of the tracing config.

Traces: otlp -> memory_limiter -> k8s_attributes -> tail_sampling -> batch -> Tempo. Span metrics
are computed before sampling (a second traces pipeline into the span_metrics connector) so that
request rates and latencies count every span, not only the kept ones.
"""

from __future__ import annotations

from typing import Any

from components.kube.urls import service_host
from components.tracing.config import TracingConfig

TEMPO_SERVICE = "tempo"  # the Tempo chart's Service, release name "tempo"
TEMPO_OTLP_GRPC_PORT = 4317
SPAN_METRICS_PORT = 8889
# Seconds; LLM requests run from milliseconds to minutes (streaming, long generations).
SPAN_METRICS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600)


# Components of the collector contrib distribution this config relies on: checked against the
# opentelemetry-collector-releases v0.158.0 manifests (contrib has them all; the operator's
# default k8s distribution lacks the prometheus exporter). New snake_case names are used where
# components were renamed (k8s_attributes, span_metrics, otlp_grpc).
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


def exporter_ids(cfg: TracingConfig) -> list[str]:
    """The trace exporters of the config, as collector component ids."""
    ids = {"tempo": "otlp_grpc/tempo", "debug": "debug"}
    return [ids[name] for name in cfg.exporters]


def tail_sampling_policies(cfg: TracingConfig) -> list[dict[str, Any]]:
    """Keep every error, every slow trace, and a share of the rest (policies are OR'ed)."""
    return [
        {"name": "errors", "type": "status_code", "status_code": {"status_codes": ["ERROR"]}},
        {"name": "slow", "type": "latency", "latency": {"threshold_ms": cfg.slow_trace_ms}},
        {
            "name": "baseline",
            "type": "probabilistic",
            "probabilistic": {"sampling_percentage": cfg.keep_percent},
        },
    ]


def collector_config(cfg: TracingConfig, tracing_namespace: str) -> dict[str, Any]:
    """The `config` of the OpenTelemetryCollector (v1beta1: a structured object)."""
    exporters: dict[str, Any] = {
        "prometheus": {
            "endpoint": f"0.0.0.0:{SPAN_METRICS_PORT}",
            "enable_open_metrics": True,  # carries exemplars to Prometheus
            "resource_to_telemetry_conversion": {"enabled": False},
        }
    }
    if "tempo" in cfg.exporters:
        exporters["otlp_grpc/tempo"] = {
            "endpoint": f"{service_host(TEMPO_SERVICE, tracing_namespace)}:{TEMPO_OTLP_GRPC_PORT}",
            "tls": {"insecure": True},
        }
    if "debug" in cfg.exporters:
        exporters["debug"] = {"verbosity": "basic"}
    return {
        "receivers": {
            "otlp": {
                "protocols": {
                    "grpc": {"endpoint": "0.0.0.0:4317"},
                    "http": {"endpoint": "0.0.0.0:4318"},
                }
            }
        },
        "processors": {
            "memory_limiter": {
                "check_interval": "1s",
                "limit_percentage": 80,
                "spike_limit_percentage": 20,
            },
            # Before sampling: it resolves the sending pod from the connection's IP.
            "k8s_attributes": {
                "auth_type": "serviceAccount",
                "passthrough": False,
                "extract": {
                    "metadata": [
                        "k8s.namespace.name",
                        "k8s.pod.name",
                        "k8s.deployment.name",
                        "k8s.node.name",
                    ]
                },
            },
            "tail_sampling": {
                "decision_wait": "30s",
                "num_traces": 50000,
                "policies": tail_sampling_policies(cfg),
            },
            "batch": {"send_batch_size": 8192, "timeout": "1s"},
        },
        "connectors": {
            "span_metrics": {
                "histogram": {
                    "unit": "s",
                    "explicit": {"buckets": [f"{b}s" for b in SPAN_METRICS_BUCKETS]},
                },
                "dimensions": [
                    {"name": "gen_ai.request.model"},
                    {"name": "gen_ai.response.model"},
                    {"name": "k8s.namespace.name"},
                ],
                "exemplars": {"enabled": True},
                "aggregation_cardinality_limit": 5000,
            }
        },
        "exporters": exporters,
        "service": {
            "pipelines": {
                "traces": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "k8s_attributes", "tail_sampling", "batch"],
                    "exporters": exporter_ids(cfg),
                },
                "traces/spanmetrics": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "k8s_attributes", "batch"],
                    "exporters": ["span_metrics"],
                },
                "metrics/spanmetrics": {
                    "receivers": ["span_metrics"],
                    "processors": ["memory_limiter", "batch"],
                    "exporters": ["prometheus"],
                },
            }
        },
    }
