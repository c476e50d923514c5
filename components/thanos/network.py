"""NetworkPolicies of Thanos Query and Store Gateway, and what Thanos Query needs from
Prometheus (its sidecar's ports). Pure: no pulumi import."""

from __future__ import annotations

from typing import Any

from components.kube.network import allow, network_policy, pods, ports
from components.monitoring.network import GRAFANA_PODS
from components.thanos.manifests import GRPC_PORT, HTTP_PORT, QUERY, QUERY_HTTP_PORT, STORE

QUERY_PODS = {"app.kubernetes.io/name": QUERY}
STORE_PODS = {"app.kubernetes.io/name": STORE}
# Thanos Query reaches the sidecar in each Prometheus pod on these ports.
SIDECAR_PORTS = (GRPC_PORT, HTTP_PORT)


def prometheus_clients() -> list[dict[str, Any]]:
    """The peers that query Prometheus' sidecars: Thanos Query."""
    return [pods(QUERY_PODS)]


def thanos_policies(namespace: str) -> list[dict[str, Any]]:
    """Grafana queries Thanos Query; Thanos Query reads the Store Gateway."""
    return [
        network_policy(
            "allow-thanos-query",
            namespace,
            QUERY_PODS,
            [allow([pods(GRAFANA_PODS)], ports(QUERY_HTTP_PORT))],
        ),
        network_policy(
            "allow-thanos-store",
            namespace,
            STORE_PODS,
            [allow([pods(QUERY_PODS)], ports(GRPC_PORT))],
        ),
    ]
