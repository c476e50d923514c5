"""Names of the tracing pipeline that other components point at. Pure: no pulumi import."""

from __future__ import annotations

COLLECTOR_NAME = "ai-observability"
# The OpenTelemetry Operator names a collector's Service <name>-collector.
COLLECTOR_SERVICE = f"{COLLECTOR_NAME}-collector"
OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318


def collector_grpc_endpoint(tracing_namespace: str) -> str:
    """OTLP/gRPC endpoint of the collector, as vLLM's --otlp-traces-endpoint takes it."""
    return f"http://{COLLECTOR_SERVICE}.{tracing_namespace}.svc.cluster.local:{OTLP_GRPC_PORT}"
