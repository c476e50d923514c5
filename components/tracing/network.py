"""NetworkPolicies of the tracing namespace. Pure: no pulumi import.

The model servers (and auto-instrumented services) of the given namespaces send OTLP to the
collector; the collector sends traces to Tempo; Grafana queries Tempo; Prometheus scrapes
every pod; the API server calls the operator's admission webhook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.kube.network import (
    ANY_ADDRESS,
    allow,
    default_deny,
    namespaces,
    network_policy,
    pods,
    ports,
)
from components.monitoring.network import GRAFANA_PODS, allow_from_prometheus
from components.tracing.collector import TEMPO_OTLP_GRPC_PORT
from components.tracing.manifests import COLLECTOR_NAME, OTLP_GRPC_PORT, OTLP_HTTP_PORT
from components.tracing.values import TEMPO_HTTP_PORT

TEMPO_PODS = {"app.kubernetes.io/name": "tempo"}
OPERATOR_PODS = {"app.kubernetes.io/name": "opentelemetry-operator"}
OPERATOR_WEBHOOK_PORT = 9443  # the chart's manager.ports.webhookPort


def collector_pods(namespace: str) -> dict[str, str]:
    """The labels the operator puts on the pods of our collector."""
    return {
        "app.kubernetes.io/component": "opentelemetry-collector",
        "app.kubernetes.io/instance": f"{namespace}.{COLLECTOR_NAME}",
    }


def tracing_policies(
    namespace: str, monitoring_namespace: str, sender_namespaces: Sequence[str]
) -> list[dict[str, Any]]:
    """Default-deny, then exactly the traffic of the tracing pipeline."""
    collector = collector_pods(namespace)
    grafana = pods(GRAFANA_PODS, monitoring_namespace)
    return [
        default_deny(namespace),
        allow_from_prometheus(namespace, monitoring_namespace),
        network_policy(
            "allow-otlp",
            namespace,
            collector,
            [allow([namespaces(sender_namespaces)], ports(OTLP_GRPC_PORT, OTLP_HTTP_PORT))],
        ),
        network_policy(
            "allow-tempo",
            namespace,
            TEMPO_PODS,
            [
                allow([pods(collector)], ports(TEMPO_OTLP_GRPC_PORT)),
                allow([grafana], ports(TEMPO_HTTP_PORT)),
            ],
        ),
        network_policy(
            "allow-operator-webhook",
            namespace,
            OPERATOR_PODS,
            [allow([ANY_ADDRESS], ports(OPERATOR_WEBHOOK_PORT))],
        ),
    ]
