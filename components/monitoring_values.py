"""Helm values of kube-prometheus-stack, as a pure function of the stack config.

Every key set here exists in the pinned chart's values.yaml (tests/test_chart_keys.py checks it
against the key catalog in tests/fixtures/), because Helm silently ignores unknown keys.
"""

from __future__ import annotations

from typing import Any

from components import versions
from components.config import Resources, StackConfig, Storage
from components.selection import RELEASE_NAME, selector_values
from components.thanos_manifests import sidecar_values
from components.tracing_values import grafana_tracing_values

GRAFANA_ADMIN_SECRET = "grafana-admin"
GRAFANA_ADMIN_USER_KEY = "admin-user"
GRAFANA_ADMIN_PASSWORD_KEY = "admin-password"
ALERTMANAGER_CONFIG_SECRET = "alertmanager-ai-observability"
ALERTMANAGER_CONFIG_KEY = "alertmanager.yaml"  # the key the operator reads
DASHBOARD_LABEL = "grafana_dashboard"
DASHBOARD_LABEL_VALUE = "1"


def service_names() -> dict[str, str]:
    """Service names the chart creates for release RELEASE_NAME (fullname rules of 88.5.3)."""
    # The release name contains the chart name, so the chart's fullname is the release name.
    return {
        "prometheus": f"{RELEASE_NAME}-prometheus",
        "alertmanager": f"{RELEASE_NAME}-alertmanager",
        "grafana": f"{RELEASE_NAME}-grafana",
    }


def _image(pin: versions.ImagePin) -> dict[str, str]:
    return {"registry": pin.registry, "repository": pin.repository, "tag": pin.tag}


def _volume_claim(storage: Storage) -> dict[str, Any]:
    return {"volumeClaimTemplate": {"spec": storage.claim_spec()}}


def prometheus_values(cfg: StackConfig) -> dict[str, Any]:
    """The `prometheus` block."""
    prom = cfg.monitoring.prometheus
    spec: dict[str, Any] = {
        "image": _image(versions.PROMETHEUS_IMAGE),
        "replicas": prom.replicas,
        "retention": prom.retention,
        "scrapeInterval": prom.scrape_interval,
        "evaluationInterval": prom.evaluation_interval,
        "externalLabels": {"cluster": cfg.cluster, "environment": cfg.environment},
        "enableFeatures": ["exemplar-storage"],
        "resources": prom.resources.to_k8s(),
        # emptyDir in dev (data lost on restart), a PVC per replica elsewhere.
        "storageSpec": _volume_claim(prom.storage) if prom.storage.enabled else {},
        # Two replicas on two nodes when the cluster has them.
        "podAntiAffinity": "soft",
        **selector_values(),
    }
    if prom.retention_size:
        spec["retentionSize"] = prom.retention_size
    return {"prometheusSpec": spec}


def alertmanager_values(cfg: StackConfig) -> dict[str, Any]:
    """The `alertmanager` block: the configuration itself lives in our own Secret."""
    am = cfg.monitoring.alertmanager
    return {
        "alertmanagerSpec": {
            "image": _image(versions.ALERTMANAGER_IMAGE),
            "replicas": am.replicas,
            "useExistingSecret": True,
            "configSecret": ALERTMANAGER_CONFIG_SECRET,
            "resources": am.resources.to_k8s(),
            # Alertmanager never calls the Kubernetes API.
            "automountServiceAccountToken": False,
        }
    }


def grafana_values(cfg: StackConfig) -> dict[str, Any]:
    """The `grafana` block (the grafana subchart)."""
    graf = cfg.monitoring.grafana
    values: dict[str, Any] = {
        "image": _image(versions.GRAFANA_IMAGE),
        "admin": {
            "existingSecret": GRAFANA_ADMIN_SECRET,
            "userKey": GRAFANA_ADMIN_USER_KEY,
            "passwordKey": GRAFANA_ADMIN_PASSWORD_KEY,
        },
        "resources": graf.resources.to_k8s(),
        "persistence": {"enabled": graf.persistence.enabled, "size": graf.persistence.size},
        "sidecar": {
            "dashboards": {
                "enabled": True,
                "label": DASHBOARD_LABEL,
                "labelValue": DASHBOARD_LABEL_VALUE,
                "searchNamespace": "ALL",
                "folderAnnotation": graf.dashboard_folder_annotation,
                "provider": {"foldersFromFilesStructure": True},
            }
        },
    }
    return values


def _control_plane_values(enabled: bool) -> dict[str, Any]:
    """Control-plane targets: managed clusters and kind do not expose them to Prometheus."""
    components = ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy")
    values: dict[str, Any] = {name: {"enabled": enabled} for name in components}
    values["defaultRules"] = {
        "rules": {
            rule: enabled
            for rule in (
                "etcd",
                "kubeControllerManager",
                "kubeSchedulerAlerting",
                "kubeSchedulerRecording",
                "kubeProxy",
            )
        }
    }
    return values


def operator_values(resources: Resources) -> dict[str, Any]:
    """The `prometheusOperator` block."""
    return {"resources": resources.to_k8s()}


OPERATOR_RESOURCES = Resources("100m", "128Mi", "512Mi")


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """base with extra merged in, maps recursively; neither input is changed."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def kube_prometheus_stack_values(cfg: StackConfig) -> dict[str, Any]:
    """All values passed to the kube-prometheus-stack release."""
    core = {
        "crds": {"enabled": True},
        "prometheusOperator": operator_values(OPERATOR_RESOURCES),
        "prometheus": prometheus_values(cfg),
        "alertmanager": alertmanager_values(cfg),
        "grafana": grafana_values(cfg),
        "nodeExporter": {"enabled": cfg.monitoring.prometheus.node_exporter},
        **_control_plane_values(cfg.monitoring.prometheus.scrape_control_plane),
    }
    merged = deep_merge(core, sidecar_values(cfg.thanos, cfg.namespaces.monitoring))
    return deep_merge(merged, grafana_tracing_values(cfg))
