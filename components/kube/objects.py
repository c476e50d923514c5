"""Builders of the Kubernetes objects every concern uses, as plain dicts. Pure: no pulumi.

One place for the shapes: Deployment and StatefulSet, Service, ServiceAccount, ConfigMap,
PodDisruptionBudget, ServiceMonitor, PodMonitor, ClusterRole with its binding, anti-affinity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from components.kube.meta import metadata
from components.kube.selection import monitoring_metadata

READ_ONLY = ["get", "list", "watch"]
Labels = Mapping[str, str]


def workload(
    kind: str,
    name: str,
    namespace: str,
    labels: Labels,
    selector: Labels,
    pod: Mapping[str, Any],
    replicas: int | None = 1,
    pod_labels: Labels | None = None,
    pod_annotations: Labels | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """A Deployment or StatefulSet running `pod`; its pods carry pod_labels (labels if None).
    replicas None leaves them to an autoscaler (the field is not set)."""
    template: dict[str, Any] = {"metadata": {"labels": dict(pod_labels or labels)}, "spec": pod}
    if pod_annotations:
        template["metadata"]["annotations"] = dict(pod_annotations)
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": metadata(name, namespace, labels),
        "spec": {
            **({} if replicas is None else {"replicas": replicas}),
            "selector": {"matchLabels": dict(selector)},
            "template": template,
            **spec,
        },
    }


def service(
    name: str,
    namespace: str,
    labels: Labels,
    selector: Labels,
    ports: Sequence[tuple[str, int]],
    headless: bool = False,
) -> dict[str, Any]:
    """A Service whose ports target the pods' named ports of the same name."""
    spec: dict[str, Any] = {
        "selector": dict(selector),
        "ports": [{"name": p, "port": n, "targetPort": p, "protocol": "TCP"} for p, n in ports],
    }
    if headless:
        spec["clusterIP"] = "None"  # DNS SRV records per pod
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(name, namespace, labels),
        "spec": spec,
    }


def service_account(
    name: str, namespace: str, labels: Labels, api_token: bool, annotations: Labels | None = None
) -> dict[str, Any]:
    """A ServiceAccount; api_token: whether its pods get a Kubernetes API token."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata(name, namespace, labels, annotations),
        "automountServiceAccountToken": api_token,
    }


def config_map(
    name: str,
    namespace: str,
    labels: Labels,
    data: Mapping[str, str],
    annotations: Labels | None = None,
) -> dict[str, Any]:
    """A ConfigMap (never for secrets)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(name, namespace, labels, annotations),
        "data": dict(data),
    }


def pod_disruption_budget(
    name: str, namespace: str, labels: Labels, selector: Labels
) -> dict[str, Any]:
    """At most one pod of the workload down at a time by voluntary disruption."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(name, namespace, labels),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(selector)}},
    }


def service_monitor(
    name: str,
    namespace: str,
    labels: Labels,
    selector: Labels,
    endpoint: Mapping[str, Any],
    target_labels: Sequence[str] = (),
) -> dict[str, Any]:
    """A ServiceMonitor our Prometheus selects, for Services of its own namespace."""
    spec: dict[str, Any] = {
        "selector": {"matchLabels": dict(selector)},
        "namespaceSelector": {"matchNames": [namespace]},
    }
    if target_labels:
        spec["targetLabels"] = list(target_labels)
    spec["endpoints"] = [{"path": "/metrics", **endpoint}]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": monitoring_metadata(name, namespace, labels),
        "spec": spec,
    }


def pod_monitor(
    name: str, namespace: str, selector: Labels, port: str, labels: Labels | None = None
) -> dict[str, Any]:
    """A PodMonitor our Prometheus selects, for pods of its own namespace."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": monitoring_metadata(name, namespace, labels),
        "spec": {
            "selector": {"matchLabels": dict(selector)},
            "namespaceSelector": {"matchNames": [namespace]},
            "podMetricsEndpoints": [{"port": port, "path": "/metrics"}],
        },
    }


def cluster_role_with_binding(
    name: str, labels: Labels, rules: list[dict[str, Any]], account: str, namespace: str
) -> list[dict[str, Any]]:
    """A ClusterRole and the ClusterRoleBinding that grants it to one ServiceAccount."""
    rbac = "rbac.authorization.k8s.io"
    return [
        {
            "apiVersion": f"{rbac}/v1",
            "kind": "ClusterRole",
            "metadata": metadata(name, labels=labels),
            "rules": rules,
        },
        {
            "apiVersion": f"{rbac}/v1",
            "kind": "ClusterRoleBinding",
            "metadata": metadata(name, labels=labels),
            "roleRef": {"apiGroup": rbac, "kind": "ClusterRole", "name": name},
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}],
        },
    ]


def read_only(api_group: str, *resources: str) -> dict[str, Any]:
    """An RBAC rule: get, list and watch on resources of one API group."""
    return {"apiGroups": [api_group], "resources": list(resources), "verbs": list(READ_ONLY)}


def soft_anti_affinity(selector: Labels) -> dict[str, Any]:
    """Prefer to spread the pods matching selector over nodes."""
    term = {
        "topologyKey": "kubernetes.io/hostname",
        "labelSelector": {"matchLabels": dict(selector)},
    }
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "podAffinityTerm": term}
            ]
        }
    }
