"""NetworkPolicy builders, checked with the evaluator of Kubernetes' ingress semantics."""

from __future__ import annotations

from components.kube.network import allow, default_deny, namespaces, network_policy, pods, ports
from tests.support.netpol import Pod, allowed

WEB = Pod("web", "shop", {"app": "web"})
DB = Pod("db", "shop", {"app": "db"})
PROM = Pod("prometheus-0", "monitoring", {"app.kubernetes.io/name": "prometheus"})
OTHER = Pod("x", "other", {"app": "web"})


def test_default_deny_closes_every_pod_of_its_namespace_only() -> None:
    policies = [default_deny("shop")]
    assert policies[0]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": []}
    assert not allowed(policies, WEB, DB, 5432)
    assert allowed(policies, WEB, PROM, 9090)  # another namespace


def test_peers_by_labels_namespace_and_port() -> None:
    policies = [
        default_deny("shop"),
        network_policy("db", "shop", {"app": "db"}, [allow([pods({"app": "web"})], ports(5432))]),
        network_policy("scrape", "shop", {}, [allow([pods(PROM.labels, "monitoring")])]),
    ]
    assert allowed(policies, WEB, DB, 5432)
    assert not allowed(policies, WEB, DB, 22)
    assert not allowed(policies, OTHER, DB, 5432)  # same labels, other namespace
    assert allowed(policies, PROM, DB, 9187) and allowed(policies, PROM, WEB, 8080)


def test_namespaces_peer_and_udp_ports() -> None:
    rule = allow([namespaces(["other", "other"])], ports(53, protocol="UDP"))
    assert rule["from"][0]["namespaceSelector"]["matchExpressions"][0]["values"] == ["other"]
    policies = [default_deny("shop"), network_policy("dns", "shop", {}, [rule])]
    assert allowed(policies, OTHER, WEB, 53, "UDP")
    assert not allowed(policies, OTHER, WEB, 53, "TCP")
