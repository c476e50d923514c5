"""NetworkPolicy builders: default-deny ingress, then exact allowances. Pure: no pulumi.

Every namespace the stack creates denies all ingress by default; each concern then allows
exactly the traffic its pods need, naming peers by pod labels and namespaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from components.kube.meta import NAMESPACE_NAME_LABEL, PART_OF, metadata

Labels = Mapping[str, str]
ANY_ADDRESS = {"ipBlock": {"cidr": "0.0.0.0/0"}}  # the API server calling webhooks: no pod identity
ANY_NAMESPACE = {"namespaceSelector": {}}


def network_policy(
    name: str,
    namespace: str,
    pods: Labels,
    ingress: list[dict[str, Any]],
    labels: Labels | None = None,
) -> dict[str, Any]:
    """An ingress NetworkPolicy for the pods matching `pods` (all pods when empty)."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": metadata(name, namespace, labels or PART_OF),
        "spec": {
            "podSelector": {"matchLabels": dict(pods)} if pods else {},
            "policyTypes": ["Ingress"],
            "ingress": ingress,
        },
    }


def default_deny(namespace: str) -> dict[str, Any]:
    """No ingress to any pod of the namespace unless another policy allows it."""
    return network_policy("default-deny-ingress", namespace, {}, [])


def pods(labels: Labels, namespace: str | None = None) -> dict[str, Any]:
    """A peer: pods with these labels, in the policy's namespace or in `namespace`."""
    peer: dict[str, Any] = {}
    if namespace is not None:
        peer["namespaceSelector"] = {"matchLabels": {NAMESPACE_NAME_LABEL: namespace}}
    peer["podSelector"] = {"matchLabels": dict(labels)} if labels else {}
    return peer


def namespaces(names: Iterable[str]) -> dict[str, Any]:
    """A peer: every pod of the named namespaces."""
    expression = {"key": NAMESPACE_NAME_LABEL, "operator": "In", "values": sorted(set(names))}
    return {"namespaceSelector": {"matchExpressions": [expression]}}


def ports(*numbers: int, protocol: str = "TCP") -> list[dict[str, Any]]:
    """The ports of an ingress rule."""
    return [{"protocol": protocol, "port": n} for n in numbers]


def allow(
    peers: list[dict[str, Any]], port_list: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """An ingress rule: from these peers, to these ports (all ports when None)."""
    rule: dict[str, Any] = {"from": peers}
    if port_list is not None:
        rule["ports"] = port_list
    return rule
