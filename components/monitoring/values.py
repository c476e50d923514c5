"""Helm values of kube-prometheus-stack, as a pure function of the monitoring config.

Every key set here exists in the pinned chart's values.yaml (a test checks it against the key
catalogs in tests/program/fixtures/), because Helm silently ignores unknown keys. Other concerns
add their own fragments (the Thanos sidecar, Grafana's Tempo datasource); they are merged last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from components import versions
from components.config.schema import deep_merge
from components.config.workload import Storage, resources
from components.kube.selection import RELEASE_NAME, selector_values
from components.monitoring.config import AlertmanagerConfig, GrafanaConfig, PrometheusConfig

GRAFANA_ADMIN_SECRET = "grafana-admin"
GRAFANA_ADMIN_USER_KEY = "admin-user"
GRAFANA_ADMIN_PASSWORD_KEY = "admin-password"
ALERTMANAGER_CONFIG_SECRET = "alertmanager-ai-observability"
ALERTMANAGER_CONFIG_KEY = "alertmanager.yaml"  # the key the operator reads
DASHBOARD_LABEL = "grafana_dashboard"
DASHBOARD_LABEL_VALUE = "1"
DASHBOARD_FOLDER_ANNOTATION = "grafana_folder"
OPERATOR_RESOURCES = resources("100m", "128Mi", "512Mi")
# The release name contains the chart name, so the chart's fullname is the release name.
SERVICES = {
    "prometheus": f"{RELEASE_NAME}-prometheus",
    "alertmanager": f"{RELEASE_NAME}-alertmanager",
    "grafana": f"{RELEASE_NAME}-grafana",
}


def _image(pin: versions.ImagePin) -> dict[str, str]:
    return {"registry": pin.registry, "repository": pin.repository, "tag": pin.tag}


def _volume_claim(storage: Storage) -> dict[str, Any]:
    return {"volumeClaimTemplate": {"spec": storage.claim_spec()}}


def prometheus_values(prom: PrometheusConfig, external_labels: Mapping[str, str]) -> dict[str, Any]:
    """The `prometheus` block."""
    spec: dict[str, Any] = {
        "image": _image(versions.PROMETHEUS_IMAGE),
        "replicas": prom.replicas,
        "retention": prom.retention,
        "scrapeInterval": prom.scrape_interval,
        "evaluationInterval": prom.evaluation_interval,
        "externalLabels": dict(external_labels),
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


def alertmanager_values(am: AlertmanagerConfig) -> dict[str, Any]:
    """The `alertmanager` block: the configuration itself lives in our own Secret."""
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


def grafana_values(graf: GrafanaConfig) -> dict[str, Any]:
    """The `grafana` block (the grafana subchart)."""
    return {
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
                "folderAnnotation": DASHBOARD_FOLDER_ANNOTATION,
                "provider": {"foldersFromFilesStructure": True},
            }
        },
    }


def control_plane_values(enabled: bool) -> dict[str, Any]:
    """Control-plane targets and their rules: managed clusters and kind do not expose them."""
    targets = ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy")
    values: dict[str, Any] = {name: {"enabled": enabled} for name in targets}
    rules = (
        "etcd",
        "kubeControllerManager",
        "kubeSchedulerAlerting",
        "kubeSchedulerRecording",
        "kubeProxy",
    )
    values["defaultRules"] = {"rules": dict.fromkeys(rules, enabled)}
    return values


def kube_prometheus_stack_values(
    prometheus: PrometheusConfig,
    alertmanager: AlertmanagerConfig,
    grafana: GrafanaConfig,
    external_labels: Mapping[str, str],
    fragments: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """All values of the kube-prometheus-stack release, other concerns' fragments merged in."""
    values: dict[str, Any] = {
        "crds": {"enabled": True},
        "prometheusOperator": {"resources": OPERATOR_RESOURCES.to_k8s()},
        "prometheus": prometheus_values(prometheus, external_labels),
        "alertmanager": alertmanager_values(alertmanager),
        "grafana": grafana_values(grafana),
        "nodeExporter": {"enabled": prometheus.node_exporter},
        **control_plane_values(prometheus.scrape_control_plane),
    }
    for fragment in fragments:
        values = deep_merge(values, fragment)
    return values
