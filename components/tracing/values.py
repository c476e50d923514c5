"""Helm values of the OpenTelemetry Operator and of Tempo, and tracing's fragment of the
kube-prometheus-stack values (Grafana's Tempo datasource). Pure: no pulumi import."""

from __future__ import annotations

from typing import Any

from components import versions
from components.kube.selection import selection_labels
from components.kube.urls import service_url
from components.tracing.collector import TEMPO_SERVICE
from components.tracing.config import TracingConfig

OPERATOR_RELEASE = "opentelemetry-operator"
TEMPO_RELEASE = TEMPO_SERVICE
TEMPO_HTTP_PORT = 3200


def operator_values() -> dict[str, Any]:
    """The operator with the chart's own webhook certificate, generated once: under
    helm.v3.Release, `recreate: false` makes Helm reuse the Secret it finds (lookup), so renders
    are stable and no cert-manager is needed."""
    collector = versions.COLLECTOR_IMAGE
    return {
        "manager": {
            "collectorImage": {
                "repository": f"{collector.registry}/{collector.repository}",
                "tag": collector.tag,
            },
            "resources": {
                "requests": {"cpu": "50m", "memory": "128Mi"},
                "limits": {"memory": "256Mi"},
            },
        },
        "admissionWebhooks": {
            "certManager": {"enabled": False},
            "autoGenerateCert": {"enabled": True, "recreate": False, "certPeriodDays": 3650},
        },
    }


def tempo_values(tr: TracingConfig) -> dict[str, Any]:
    """Tempo single binary: retention, persistence and optional S3 storage from config."""
    image, tempo_cfg = versions.TEMPO_IMAGE, tr.tempo
    tempo: dict[str, Any] = {
        "registry": image.registry,
        "repository": image.repository,
        "tag": image.tag,
        "retention": tempo_cfg.retention,
        "reportingEnabled": False,
        "resources": tempo_cfg.resources.to_k8s(),
    }
    persistence: dict[str, Any] = {
        "enabled": tempo_cfg.persistence.enabled,
        "size": tempo_cfg.persistence.size,
    }
    if tempo_cfg.persistence.storage_class:
        persistence["storageClassName"] = tempo_cfg.persistence.storage_class
    values: dict[str, Any] = {
        "tempo": tempo,
        "persistence": persistence,
        "serviceMonitor": {"enabled": True, "additionalLabels": selection_labels()},
    }
    s3_cfg = tempo_cfg.s3
    if s3_cfg is not None:
        s3 = {"bucket": s3_cfg.bucket, "endpoint": s3_cfg.endpoint}
        if s3_cfg.region:
            s3["region"] = s3_cfg.region
        tempo["storage"] = {"trace": {"backend": "s3", "s3": s3, "wal": {"path": "/var/tempo/wal"}}}
        if s3_cfg.service_account_annotations:
            values["serviceAccount"] = {"annotations": dict(s3_cfg.service_account_annotations)}
    return values


def tempo_url(namespace: str) -> str:
    """Tempo's query API inside the cluster (Grafana's datasource)."""
    return service_url(TEMPO_RELEASE, namespace, TEMPO_HTTP_PORT)


def grafana_tracing_values(namespace: str) -> dict[str, Any]:
    """kube-prometheus-stack values for the Tempo datasource and exemplar links."""
    tempo = {
        "name": "Tempo",
        "uid": "tempo",
        "type": "tempo",
        "access": "proxy",
        "url": tempo_url(namespace),
        "jsonData": {
            "tracesToMetrics": {"datasourceUid": "prometheus"},
            "serviceMap": {"datasourceUid": "prometheus"},
            "nodeGraph": {"enabled": True},
        },
    }
    exemplars = {"datasourceUid": "tempo", "traceIdLabelName": "trace_id"}
    return {
        "grafana": {
            "additionalDataSources": [tempo],
            "sidecar": {"datasources": {"exemplarTraceIdDestinations": exemplars}},
        }
    }
