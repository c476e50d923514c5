"""The monitoring namespace's own NetworkPolicies, with the chart's pod labels."""

from __future__ import annotations

from components.kube.network import pods
from components.monitoring.network import allow_from_prometheus, monitoring_policies
from tests.support.netpol import Pod, allowed

# kube-prometheus-stack 88.5.3: the operator labels Prometheus and Alertmanager pods
# app.kubernetes.io/name: prometheus|alertmanager; the grafana subchart app.kubernetes.io/name.
PROMETHEUS = Pod("prometheus-0", "monitoring", {"app.kubernetes.io/name": "prometheus"})
ALERTMANAGER = Pod("alertmanager-0", "monitoring", {"app.kubernetes.io/name": "alertmanager"})
GRAFANA = Pod("grafana", "monitoring", {"app.kubernetes.io/name": "grafana"})
QUERY = Pod("thanos-query", "monitoring", {"app.kubernetes.io/name": "thanos-query"})
STRANGER = Pod("x", "default", {"app": "curl"})


def test_grafana_and_the_given_clients_query_prometheus_and_nobody_else() -> None:
    policies = monitoring_policies("monitoring", [pods(QUERY.labels)], (10901,))
    assert allowed(policies, GRAFANA, PROMETHEUS, 9090)
    assert allowed(policies, QUERY, PROMETHEUS, 10901)
    assert not allowed(policies, STRANGER, PROMETHEUS, 9090)
    without = monitoring_policies("monitoring")
    assert not allowed(without, QUERY, PROMETHEUS, 10901)


def test_alertmanager_mesh_on_tcp_and_udp_and_grafana_for_users() -> None:
    policies = monitoring_policies("monitoring")
    assert allowed(policies, ALERTMANAGER, ALERTMANAGER, 9094, "TCP")
    assert allowed(policies, ALERTMANAGER, ALERTMANAGER, 9094, "UDP")
    assert not allowed(policies, GRAFANA, ALERTMANAGER, 9094)
    assert allowed(policies, STRANGER, GRAFANA, 3000)


def test_prometheus_scrapes_another_namespace() -> None:
    policy = allow_from_prometheus("tracing", "monitoring")
    tempo = Pod("tempo-0", "tracing", {"app.kubernetes.io/name": "tempo"})
    assert allowed([policy], PROMETHEUS, tempo, 3200)
    assert not allowed([policy], STRANGER, tempo, 3200)
