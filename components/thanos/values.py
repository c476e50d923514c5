"""Thanos' fragment of the kube-prometheus-stack values: the sidecar in each Prometheus pod,
its discovery Service, and Grafana's datasource pointing at Thanos Query. Pure."""

from __future__ import annotations

from typing import Any

from components import versions
from components.kube.urls import service_url
from components.thanos.config import ThanosConfig
from components.thanos.manifests import OBJSTORE_KEY, OBJSTORE_SECRET, QUERY, QUERY_HTTP_PORT


def query_url(namespace: str) -> str:
    """Thanos Query's Prometheus-compatible HTTP API inside the cluster."""
    return service_url(QUERY, namespace, QUERY_HTTP_PORT)


def sidecar_values(cfg: ThanosConfig, namespace: str) -> dict[str, Any]:
    """The sidecar, its discovery Service and ServiceMonitor, and Grafana's datasource."""
    if not cfg.enabled:
        return {}
    thanos: dict[str, Any] = {
        "image": versions.THANOS_IMAGE.reference,
        "resources": cfg.sidecar.resources.to_k8s(),
    }
    prometheus: dict[str, Any] = {
        "thanosService": {"enabled": True},
        "thanosServiceMonitor": {"enabled": True},
        "prometheusSpec": {"thanos": thanos},
    }
    bucket = cfg.object_storage
    if cfg.has_bucket and bucket is not None:
        thanos["objectStorageConfig"] = {
            "existingSecret": {"name": OBJSTORE_SECRET, "key": OBJSTORE_KEY}
        }
        if bucket.service_account_annotations:
            prometheus["serviceAccount"] = {"annotations": dict(bucket.service_account_annotations)}
        if bucket.pod_labels:
            prometheus["prometheusSpec"]["podMetadata"] = {"labels": dict(bucket.pod_labels)}
    return {"prometheus": prometheus, **query_datasource_values(namespace)}


def query_datasource_values(namespace: str) -> dict[str, Any]:
    """Grafana's default datasource: the Thanos Query of this namespace (a cluster's, or a
    global view's)."""
    datasource = {"url": f"{query_url(namespace)}/", "extraJsonData": {"prometheusType": "Thanos"}}
    return {"grafana": {"sidecar": {"datasources": datasource}}}
