"""Kubernetes objects of the cost & quality exporter, as plain dicts. Pure: no pulumi import."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import yaml

from components.cost_exporter.config import CostExporterConfig
from components.kube.meta import PART_OF, selector
from components.kube.network import allow, namespaces, network_policy, ports
from components.kube.objects import (
    cluster_role_with_binding,
    config_map,
    read_only,
    service,
    service_account,
    service_monitor,
    workload,
)
from components.kube.security import container_security_context, pod_security_context

NAME = "cost-exporter"
PORT = 9402
CONFIG_MOUNT = "/etc/exporter"
TOKEN_MOUNT = "/var/run/secrets/ingest"
TOKEN_SECRET = f"{NAME}-ingest-token"
TOKEN_KEY = "token"
CLUSTER_ROLE = "ai-observability-cost-exporter"
USER = 65532  # the image's USER
PODS = selector(NAME)
LABELS = {**PODS, **PART_OF}


def exporter_config(cfg: CostExporterConfig, models: Sequence[str]) -> dict[str, Any]:
    """The exporter's config.yaml (prices, models, evaluators; the token is a mounted file).
    models: the stack's model names (the exporter also accepts cfg.extra_models)."""
    document: dict[str, Any] = {
        "default_capacity_type": cfg.default_capacity_type,
        "models": sorted({*models, *cfg.extra_models}),
        "evaluators": list(cfg.evaluators),
        "ingest_token_file": f"{TOKEN_MOUNT}/{TOKEN_KEY}",
        "inventory_staleness_seconds": cfg.inventory_staleness_seconds,
        "attribution": {"labels": list(cfg.attribution.labels)},
    }
    if cfg.mig_compute_slices:
        document["mig_compute_slices"] = dict(cfg.mig_compute_slices)
    if cfg.gpu_prices:
        document["gpus"] = {k: dict(v) for k, v in cfg.gpu_prices.items()}
    if cfg.instance_prices:
        document["instance_types"] = {k: dict(v) for k, v in cfg.instance_prices.items()}
    return document


def exporter_config_yaml(cfg: CostExporterConfig, models: Sequence[str]) -> str:
    """config.yaml as text."""
    return yaml.safe_dump(exporter_config(cfg, models), sort_keys=True)


def _deployment(cfg: CostExporterConfig, config_text: str, namespace: str) -> dict[str, Any]:
    def probe(path: str) -> dict[str, Any]:
        return {"httpGet": {"path": path, "port": "http"}, "timeoutSeconds": 5}

    container = {
        "name": NAME,
        "image": cfg.image,
        "imagePullPolicy": "IfNotPresent",
        # The exporter binds loopback unless told otherwise: here Prometheus scrapes the pod IP.
        "args": [
            "--config",
            f"{CONFIG_MOUNT}/config.yaml",
            "--port",
            str(PORT),
            "--host",
            "0.0.0.0",
        ],
        "ports": [{"name": "http", "containerPort": PORT, "protocol": "TCP"}],
        "resources": cfg.resources.to_k8s(),
        "securityContext": container_security_context(),
        "volumeMounts": [
            {"name": "config", "mountPath": CONFIG_MOUNT, "readOnly": True},
            {"name": "ingest-token", "mountPath": TOKEN_MOUNT, "readOnly": True},
        ],
        # Ready while it serves: a Kubernetes API outage must not take evaluations down.
        "readinessProbe": {**probe("/readyz"), "periodSeconds": 10, "failureThreshold": 3},
        # Restart only after a long outage (stale inventory on /healthz for 10 minutes past the
        # staleness limit): the process keeps serving the last known metrics meanwhile.
        "livenessProbe": {**probe("/healthz"), "periodSeconds": 30, "failureThreshold": 20},
    }
    # A changed price table restarts the exporter with it.
    config_hash = {
        "ai-observability/config-sha256": hashlib.sha256(config_text.encode()).hexdigest()
    }
    pod = {
        "serviceAccountName": NAME,
        "securityContext": pod_security_context(USER),
        "containers": [container],
        "volumes": [
            {"name": "config", "configMap": {"name": NAME}},
            {"name": "ingest-token", "secret": {"secretName": TOKEN_SECRET}},
        ],
    }
    return workload("Deployment", NAME, namespace, LABELS, PODS, pod, pod_annotations=config_hash)


def cost_exporter_manifests(
    cfg: CostExporterConfig, models: Sequence[str], namespace: str, client_namespaces: Sequence[str]
) -> list[dict[str, Any]]:
    """Every exporter object except the ingest-token Secret (which holds a secret).
    client_namespaces: who may reach the port (Prometheus' namespace and evaluation clients)."""
    if not cfg.enabled:
        return []
    config_text = exporter_config_yaml(cfg, models)
    # honorLabels: ai_pod_* carry the GPU pod's namespace and pod, which must not be renamed
    # exported_namespace/exported_pod by the exporter's own target labels.
    endpoint = {"port": "http", "interval": cfg.scrape_interval, "honorLabels": True}
    return [
        # The exporter watches nodes, pods and namespaces: it needs its API token.
        service_account(NAME, namespace, LABELS, api_token=True),
        *cluster_role_with_binding(
            CLUSTER_ROLE, LABELS, [read_only("", "nodes", "pods", "namespaces")], NAME, namespace
        ),
        config_map(NAME, namespace, LABELS, {"config.yaml": config_text}),
        _deployment(cfg, config_text, namespace),
        service(NAME, namespace, LABELS, PODS, [("http", PORT)]),
        service_monitor(NAME, namespace, LABELS, PODS, endpoint),
        network_policy(
            NAME, namespace, PODS, [allow([namespaces(client_namespaces)], ports(PORT))], LABELS
        ),
    ]
