"""NetworkPolicies of the inference namespace. Pure: no pulumi import.

Only Prometheus, the namespace's own workloads (gateways, the load generator) and the configured
client namespaces reach the models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.inference.loadgen import LOAD_GENERATOR, METRICS_PORT
from components.inference.manifests import HTTP_PORT
from components.kube.network import allow, default_deny, namespaces, network_policy, pods, ports
from components.monitoring.network import PROMETHEUS_PODS

MODEL_SERVER_PODS = {"app.kubernetes.io/name": "model-server"}
LOAD_GENERATOR_PODS = {"app.kubernetes.io/name": LOAD_GENERATOR}


def inference_policies(
    namespace: str,
    monitoring_namespace: str,
    client_namespaces: Sequence[str],
    load_generator: bool = False,
) -> list[dict[str, Any]]:
    """Default-deny, then clients of the models on their port (and Prometheus to the dev load
    generator's metrics, when it runs)."""
    peers = [pods(PROMETHEUS_PODS, monitoring_namespace), pods({})]
    if client_namespaces:
        peers.append(namespaces(client_namespaces))
    policies = [
        default_deny(namespace),
        network_policy(
            "allow-model-clients", namespace, MODEL_SERVER_PODS, [allow(peers, ports(HTTP_PORT))]
        ),
    ]
    if load_generator:
        scraper = [allow([pods(PROMETHEUS_PODS, monitoring_namespace)], ports(METRICS_PORT))]
        policies.append(
            network_policy("allow-load-generator-metrics", namespace, LOAD_GENERATOR_PODS, scraper)
        )
    return policies
