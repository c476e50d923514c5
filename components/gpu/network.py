"""NetworkPolicies of the GPU Operator's namespace. Pure: no pulumi import.

Prometheus scrapes the DCGM exporter (9400) and the operator; the operator's own parts (NFD
master and workers, a standalone DCGM host engine) talk within the namespace; nothing else
reaches it. The operator has no admission webhooks to let in.
"""

from __future__ import annotations

from typing import Any

from components.kube.network import allow, default_deny, network_policy, pods
from components.monitoring.network import allow_from_prometheus


def gpu_operator_policies(namespace: str, monitoring_namespace: str) -> list[dict[str, Any]]:
    """Default-deny, then Prometheus and the namespace's own pods."""
    return [
        default_deny(namespace),
        allow_from_prometheus(namespace, monitoring_namespace),
        network_policy("allow-within-namespace", namespace, {}, [allow([pods({})])]),
    ]
