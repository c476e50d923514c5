"""NetworkPolicies of the monitoring namespace's own pods. Pure: no pulumi import.

Prometheus scrapes everything and sends alerts; Grafana and (given by the caller) Thanos Query
query Prometheus; users reach Grafana; Alertmanager replicas gossip; the API server calls the
operator's admission webhook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.kube.network import (
    ANY_ADDRESS,
    ANY_NAMESPACE,
    allow,
    default_deny,
    network_policy,
    pods,
    ports,
)

PROMETHEUS_PODS = {"app.kubernetes.io/name": "prometheus"}
ALERTMANAGER_PODS = {"app.kubernetes.io/name": "alertmanager"}
GRAFANA_PODS = {"app.kubernetes.io/name": "grafana"}
OPERATOR_PODS = {"app": "kube-prometheus-stack-operator"}
PROMETHEUS_PORT = 9090
GRAFANA_PORT = 3000
ALERTMANAGER_PORT = 9093
ALERTMANAGER_MESH_PORT = 9094
OPERATOR_WEBHOOK_PORT = 10250


def monitoring_policies(
    namespace: str,
    prometheus_clients: Sequence[dict[str, Any]] = (),
    prometheus_client_ports: Sequence[int] = (),
) -> list[dict[str, Any]]:
    """The monitoring namespace's policies; other concerns' clients of Prometheus are given."""
    mesh = ports(ALERTMANAGER_MESH_PORT) + ports(ALERTMANAGER_MESH_PORT, protocol="UDP")
    return [
        default_deny(namespace),
        # Prometheus scrapes every component and sends alerts to Alertmanager.
        network_policy("allow-from-prometheus", namespace, {}, [allow([pods(PROMETHEUS_PODS)])]),
        network_policy(
            "allow-prometheus-queries",
            namespace,
            PROMETHEUS_PODS,
            [
                allow(
                    [pods(GRAFANA_PODS), *prometheus_clients],
                    ports(PROMETHEUS_PORT, *prometheus_client_ports),
                )
            ],
        ),
        # Users reach Grafana through an ingress controller or port-forward, from any namespace.
        network_policy(
            "allow-grafana", namespace, GRAFANA_PODS, [allow([ANY_NAMESPACE], ports(GRAFANA_PORT))]
        ),
        network_policy(
            "allow-alertmanager",
            namespace,
            ALERTMANAGER_PODS,
            [
                allow([pods(GRAFANA_PODS)], ports(ALERTMANAGER_PORT)),
                allow([pods(ALERTMANAGER_PODS)], mesh),
            ],
        ),
        network_policy(
            "allow-operator-webhook",
            namespace,
            OPERATOR_PODS,
            [allow([ANY_ADDRESS], ports(OPERATOR_WEBHOOK_PORT))],
        ),
    ]


def allow_from_prometheus(namespace: str, monitoring_namespace: str) -> dict[str, Any]:
    """Prometheus (of the monitoring namespace) scrapes every pod of another namespace."""
    scraper = pods(PROMETHEUS_PODS, monitoring_namespace)
    return network_policy("allow-from-prometheus", namespace, {}, [allow([scraper])])
