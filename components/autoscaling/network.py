"""NetworkPolicies of KEDA's namespace, and what KEDA needs from the monitoring namespace.
Pure: no pulumi import.

Ingress only, like the rest of the stack: the API server calls the metrics server (the external
metrics APIService) and the admission webhooks; the metrics server asks the operator for metric
values over gRPC; Prometheus scrapes all three. The operator's queries to Prometheus or Thanos
Query are let in on the monitoring side (`query_clients`); Prometheus scrapes every part's
/metrics (values.METRICS_PORT).
"""

from __future__ import annotations

from typing import Any

from components.autoscaling.values import OPERATOR
from components.kube.network import ANY_ADDRESS, allow, default_deny, network_policy, pods, ports
from components.monitoring.network import allow_from_prometheus

OPERATOR_PODS = {"app": OPERATOR}
METRICS_SERVER_PODS = {"app": f"{OPERATOR}-metrics-apiserver"}
WEBHOOK_PODS = {"app": "keda-admission-webhooks"}
METRICS_SERVICE_PORT = 9666  # the operator's gRPC metrics service
METRICS_API_PORT = 6443  # service.portHttpsTarget
WEBHOOK_PORT = 9443  # webhooks.port's default


def query_clients(namespace: str) -> list[dict[str, Any]]:
    """The peers that query Prometheus or Thanos Query for the triggers: KEDA's operator."""
    return [pods(OPERATOR_PODS, namespace)]


def keda_policies(namespace: str, monitoring_namespace: str) -> list[dict[str, Any]]:
    """Default-deny, then the API server, the operator's gRPC and Prometheus' scrapes."""
    return [
        default_deny(namespace),
        # Every part's /metrics on METRICS_PORT.
        allow_from_prometheus(namespace, monitoring_namespace),
        network_policy(
            "allow-external-metrics-api",
            namespace,
            METRICS_SERVER_PODS,
            [allow([ANY_ADDRESS], ports(METRICS_API_PORT))],
        ),
        network_policy(
            "allow-admission-webhooks",
            namespace,
            WEBHOOK_PODS,
            [allow([ANY_ADDRESS], ports(WEBHOOK_PORT))],
        ),
        network_policy(
            "allow-metrics-service",
            namespace,
            OPERATOR_PODS,
            [allow([pods(METRICS_SERVER_PODS)], ports(METRICS_SERVICE_PORT))],
        ),
    ]
