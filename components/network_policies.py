"""NetworkPolicies of the monitoring and inference namespaces, as plain dicts. Pure.

Each namespace denies all ingress by default; then exactly the traffic the stack needs is
allowed: Prometheus scrapes, queries from Grafana and Thanos Query, Alertmanager's mesh, the
Prometheus operator's admission webhook, users reaching Grafana, and clients of the models.
"""

from __future__ import annotations

from typing import Any

from components.config import StackConfig
from components.thanos_manifests import GRPC_PORT, HTTP_PORT, QUERY, QUERY_HTTP_PORT, STORE

PROMETHEUS = {"app.kubernetes.io/name": "prometheus"}
ALERTMANAGER = {"app.kubernetes.io/name": "alertmanager"}
GRAFANA = {"app.kubernetes.io/name": "grafana"}
OPERATOR = {"app": "kube-prometheus-stack-operator"}
THANOS_QUERY = {"app.kubernetes.io/name": QUERY}
THANOS_STORE = {"app.kubernetes.io/name": STORE}
MODEL_SERVER = {"app.kubernetes.io/name": "model-server"}
NAMESPACE_LABEL = "kubernetes.io/metadata.name"
OPERATOR_WEBHOOK_PORT = 10250
MODEL_PORT = 8000


def _policy(
    name: str, namespace: str, pod_selector: dict[str, str], ingress: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/part-of": "ai-observability"},
        },
        "spec": {
            "podSelector": {"matchLabels": pod_selector} if pod_selector else {},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    }


def _pods(labels: dict[str, str]) -> dict[str, Any]:
    return {"podSelector": {"matchLabels": labels}}


def _ports(*ports: int, protocol: str = "TCP") -> list[dict[str, Any]]:
    return [{"protocol": protocol, "port": p} for p in ports]


def monitoring_policies(cfg: StackConfig) -> list[dict[str, Any]]:
    """The monitoring namespace."""
    ns = cfg.namespaces.monitoring
    return [
        _policy("default-deny-ingress", ns, {}, []),
        # Prometheus scrapes every component and sends alerts to Alertmanager.
        _policy("allow-from-prometheus", ns, {}, [{"from": [_pods(PROMETHEUS)]}]),
        _policy(
            "allow-prometheus-queries",
            ns,
            PROMETHEUS,
            [
                {
                    "from": [_pods(GRAFANA), _pods(THANOS_QUERY)],
                    "ports": _ports(9090, GRPC_PORT, HTTP_PORT),
                }
            ],
        ),
        _policy(
            "allow-thanos-query",
            ns,
            THANOS_QUERY,
            [{"from": [_pods(GRAFANA)], "ports": _ports(QUERY_HTTP_PORT)}],
        ),
        _policy(
            "allow-thanos-store",
            ns,
            THANOS_STORE,
            [{"from": [_pods(THANOS_QUERY)], "ports": _ports(GRPC_PORT)}],
        ),
        # Users reach Grafana through an ingress controller or port-forward, from any namespace.
        _policy(
            "allow-grafana",
            ns,
            GRAFANA,
            [{"from": [{"namespaceSelector": {}}], "ports": _ports(3000)}],
        ),
        _policy(
            "allow-alertmanager",
            ns,
            ALERTMANAGER,
            [
                {"from": [_pods(GRAFANA)], "ports": _ports(9093)},
                {
                    "from": [_pods(ALERTMANAGER)],
                    "ports": _ports(9094) + _ports(9094, protocol="UDP"),
                },
            ],
        ),
        # The API server calls the operator's admission webhook; it has no pod identity.
        _policy(
            "allow-operator-webhook",
            ns,
            OPERATOR,
            [
                {
                    "from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                    "ports": _ports(OPERATOR_WEBHOOK_PORT),
                }
            ],
        ),
    ]


def inference_policies(cfg: StackConfig) -> list[dict[str, Any]]:
    """The inference namespace: only Prometheus and the configured clients reach the models."""
    ns = cfg.namespaces.inference
    peers: list[dict[str, Any]] = [
        {
            "namespaceSelector": {"matchLabels": {NAMESPACE_LABEL: cfg.namespaces.monitoring}},
            **_pods(PROMETHEUS),
        },
        {"podSelector": {}},  # workloads of the inference namespace (gateways, load generator)
    ]
    clients = cfg.hardening.inference_client_namespaces
    if clients:
        peers.append(
            {
                "namespaceSelector": {
                    "matchExpressions": [
                        {"key": NAMESPACE_LABEL, "operator": "In", "values": sorted(clients)}
                    ]
                }
            }
        )
    return [
        _policy("default-deny-ingress", ns, {}, []),
        _policy(
            "allow-model-clients", ns, MODEL_SERVER, [{"from": peers, "ports": _ports(MODEL_PORT)}]
        ),
    ]


def network_policies(cfg: StackConfig) -> list[dict[str, Any]]:
    """Every NetworkPolicy of the stack (none when hardening.networkPolicies is false)."""
    if not cfg.hardening.network_policies:
        return []
    return monitoring_policies(cfg) + inference_policies(cfg)
