"""NetworkPolicies of Thanos Query and Store Gateway, and what Thanos Query needs from
Prometheus (its sidecar's ports). Pure: no pulumi import."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.kube.network import ANY_ADDRESS, allow, network_policy, pods, ports
from components.monitoring.network import GRAFANA_PODS
from components.thanos.config import ThanosConfig
from components.thanos.manifests import GRPC_PORT, HTTP_PORT, QUERY, QUERY_HTTP_PORT, STORE

QUERY_PODS = {"app.kubernetes.io/name": QUERY}
STORE_PODS = {"app.kubernetes.io/name": STORE}
# Thanos Query reaches the sidecar in each Prometheus pod on these ports.
SIDECAR_PORTS = (GRPC_PORT, HTTP_PORT)


def prometheus_clients(cfg: ThanosConfig) -> list[dict[str, Any]]:
    """The peers that query Prometheus' sidecars: Thanos Query, when Thanos runs."""
    return [pods(QUERY_PODS)] if cfg.enabled else []


def thanos_policies(
    cfg: ThanosConfig, namespace: str, query_clients: Sequence[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Grafana (and other concerns' given clients) query Thanos Query; Thanos Query reads the
    Store Gateway (with a bucket)."""
    policies = []
    if cfg.enabled:
        clients = [allow([pods(GRAFANA_PODS), *query_clients], ports(QUERY_HTTP_PORT))]
        policies.append(network_policy("allow-thanos-query", namespace, QUERY_PODS, clients))
    if cfg.has_bucket:
        query = [allow([pods(QUERY_PODS)], ports(GRPC_PORT))]
        policies.append(network_policy("allow-thanos-store", namespace, STORE_PODS, query))
    exposed = cfg.query.expose_store_api
    if cfg.enabled and exposed.enabled:
        # The global view's Query, through the load balancer (TLS decides who is let in).
        ranges = [{"ipBlock": {"cidr": c}} for c in exposed.source_ranges] or [ANY_ADDRESS]
        view = [allow(ranges, ports(GRPC_PORT))]
        policies.append(network_policy("allow-store-api", namespace, QUERY_PODS, view))
    return policies
