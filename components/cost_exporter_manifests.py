"""Kubernetes objects of the cost & quality exporter, as plain dicts. Pure: no pulumi import."""

from __future__ import annotations

import hashlib
from typing import Any

import yaml

from components.config import StackConfig
from components.pod_security import container_security_context, pod_security_context
from components.selection import monitoring_object_metadata

NAME = "cost-exporter"
PORT = 9402
CONFIG_MOUNT = "/etc/exporter"
TOKEN_MOUNT = "/var/run/secrets/ingest"
TOKEN_SECRET = f"{NAME}-ingest-token"
TOKEN_KEY = "token"
CLUSTER_ROLE = "ai-observability-cost-exporter"
USER = 65532  # the image's USER
READ_ONLY = ["get", "list", "watch"]


def labels() -> dict[str, str]:
    """Labels of every exporter object."""
    return {**selector_labels(), "app.kubernetes.io/part-of": "ai-observability"}


def selector_labels() -> dict[str, str]:
    """Labels that select the exporter's pods."""
    return {"app.kubernetes.io/name": NAME}


def exporter_models(cfg: StackConfig) -> list[str]:
    """Model names /v1/evaluations accepts: the stack's models and the extra ones."""
    return sorted({m.name for m in cfg.inference.models} | set(cfg.exporter.extra_models))


def exporter_config(cfg: StackConfig) -> dict[str, Any]:
    """The exporter's config.yaml (prices, models, evaluators; the token is a mounted file)."""
    exp = cfg.exporter
    document: dict[str, Any] = {
        "default_capacity_type": exp.default_capacity_type,
        "models": exporter_models(cfg),
        "evaluators": list(exp.evaluators),
        "ingest_token_file": f"{TOKEN_MOUNT}/{TOKEN_KEY}",
        "inventory_staleness_seconds": exp.inventory_staleness_seconds,
    }
    if exp.gpu_prices:
        document["gpus"] = {k: dict(v) for k, v in exp.gpu_prices.items()}
    if exp.instance_prices:
        document["instance_types"] = {k: dict(v) for k, v in exp.instance_prices.items()}
    return document


def exporter_config_yaml(cfg: StackConfig) -> str:
    """config.yaml as text."""
    return yaml.safe_dump(exporter_config(cfg), sort_keys=True)


def _meta(name: str, namespace: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": labels()}
    if namespace:
        meta["namespace"] = namespace
    return meta


def _deployment(cfg: StackConfig, namespace: str) -> dict[str, Any]:
    config_text = exporter_config_yaml(cfg)
    probe = {"httpGet": {"path": "/healthz", "port": "http"}, "timeoutSeconds": 5}
    container = {
        "name": NAME,
        "image": cfg.exporter.image,
        "imagePullPolicy": "IfNotPresent",
        "args": ["--config", f"{CONFIG_MOUNT}/config.yaml", "--port", str(PORT)],
        "ports": [{"name": "http", "containerPort": PORT, "protocol": "TCP"}],
        "resources": cfg.exporter.resources.to_k8s(),
        "securityContext": container_security_context(),
        "volumeMounts": [
            {"name": "config", "mountPath": CONFIG_MOUNT, "readOnly": True},
            {"name": "ingest-token", "mountPath": TOKEN_MOUNT, "readOnly": True},
        ],
        "readinessProbe": {**probe, "periodSeconds": 10, "failureThreshold": 3},
        # Restart only after a long outage: the process keeps serving the last known metrics.
        "livenessProbe": {**probe, "periodSeconds": 30, "failureThreshold": 20},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(NAME, namespace),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": selector_labels()},
            "template": {
                "metadata": {
                    "labels": labels(),
                    # A changed price table restarts the exporter with it.
                    "annotations": {
                        "ai-observability/config-sha256": hashlib.sha256(
                            config_text.encode()
                        ).hexdigest()
                    },
                },
                "spec": {
                    "serviceAccountName": NAME,
                    "securityContext": pod_security_context(USER),
                    "containers": [container],
                    "volumes": [
                        {"name": "config", "configMap": {"name": NAME}},
                        {"name": "ingest-token", "secret": {"secretName": TOKEN_SECRET}},
                    ],
                },
            },
        },
    }


def _network_policy(cfg: StackConfig, namespace: str) -> dict[str, Any]:
    """Only Prometheus' namespace and the configured evaluation clients reach the port."""
    allowed = sorted({cfg.namespaces.monitoring, *cfg.exporter.evaluation_client_namespaces})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(NAME, namespace),
        "spec": {
            "podSelector": {"matchLabels": selector_labels()},
            "policyTypes": ["Ingress"],
            "ingress": [
                {
                    "from": [
                        {
                            "namespaceSelector": {
                                "matchExpressions": [
                                    {
                                        "key": "kubernetes.io/metadata.name",
                                        "operator": "In",
                                        "values": allowed,
                                    }
                                ]
                            }
                        }
                    ],
                    "ports": [{"protocol": "TCP", "port": PORT}],
                }
            ],
        },
    }


def cost_exporter_manifests(cfg: StackConfig) -> list[dict[str, Any]]:
    """Every exporter object except the ingest-token Secret (which holds a secret)."""
    if not cfg.exporter.enabled:
        return []
    namespace = cfg.namespaces.monitoring
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta(NAME, namespace),
            # The exporter watches nodes and pods: it needs its API token.
            "automountServiceAccountToken": True,
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": _meta(CLUSTER_ROLE),
            "rules": [
                {
                    "apiGroups": [""],
                    "resources": ["nodes", "pods"],
                    "verbs": ["get", "list", "watch"],
                }
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": _meta(CLUSTER_ROLE),
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": CLUSTER_ROLE,
            },
            "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": namespace}],
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(NAME, namespace),
            "data": {"config.yaml": exporter_config_yaml(cfg)},
        },
        _deployment(cfg, namespace),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(NAME, namespace),
            "spec": {
                "selector": selector_labels(),
                "ports": [{"name": "http", "port": PORT, "targetPort": "http", "protocol": "TCP"}],
            },
        },
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": monitoring_object_metadata(NAME, namespace, labels()),
            "spec": {
                "selector": {"matchLabels": selector_labels()},
                "namespaceSelector": {"matchNames": [namespace]},
                # honorLabels: ai_pod_* carry the GPU pod's namespace and pod, which must not
                # be renamed exported_namespace/exported_pod by the exporter's own target labels.
                "endpoints": [
                    {"port": "http", "path": "/metrics", "interval": "30s", "honorLabels": True}
                ],
            },
        },
        _network_policy(cfg, namespace),
    ]
