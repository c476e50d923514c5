"""Helm values of the OpenTelemetry Operator and of Tempo, and the tracing objects, as pure
functions of the stack config."""

from __future__ import annotations

from typing import Any

from components import versions
from components.config import StackConfig
from components.otel_collector_config import SPAN_METRICS_PORT, collector_config
from components.selection import monitoring_object_metadata, selection_labels
from components.tracing_names import COLLECTOR_NAME, COLLECTOR_SERVICE, OTLP_HTTP_PORT

OPERATOR_RELEASE = "opentelemetry-operator"
TEMPO_RELEASE = "tempo"
TEMPO_HTTP_PORT = 3200
COLLECTOR_ACCOUNT = f"{COLLECTOR_NAME}-collector"
INSTRUMENTATION = "python"


def operator_values(cfg: StackConfig) -> dict[str, Any]:
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


def tempo_values(cfg: StackConfig) -> dict[str, Any]:
    """Tempo single binary: retention, persistence and optional S3 storage from config."""
    tr = cfg.tracing
    image = versions.TEMPO_IMAGE
    tempo: dict[str, Any] = {
        "registry": image.registry,
        "repository": image.repository,
        "tag": image.tag,
        "retention": tr.tempo_retention,
        "reportingEnabled": False,
        "resources": tr.tempo_resources.to_k8s(),
    }
    persistence: dict[str, Any] = {
        "enabled": tr.tempo_persistence.enabled,
        "size": tr.tempo_persistence.size,
    }
    if tr.tempo_persistence.storage_class:
        persistence["storageClassName"] = tr.tempo_persistence.storage_class
    values: dict[str, Any] = {
        "tempo": tempo,
        "persistence": persistence,
        "serviceMonitor": {"enabled": True, "additionalLabels": selection_labels()},
    }
    if tr.tempo_storage is not None:
        s3 = {"bucket": tr.tempo_storage.bucket, "endpoint": tr.tempo_storage.endpoint}
        if tr.tempo_storage.region:
            s3["region"] = tr.tempo_storage.region
        tempo["storage"] = {
            "trace": {
                "backend": "s3",
                "s3": s3,
                "wal": {"path": "/var/tempo/wal"},
            }
        }
        if tr.tempo_storage.service_account_annotations:
            values["serviceAccount"] = {
                "annotations": dict(tr.tempo_storage.service_account_annotations)
            }
    return values


def tempo_url(cfg: StackConfig) -> str:
    """Tempo's query API inside the cluster (Grafana's datasource)."""
    return f"http://{TEMPO_RELEASE}.{cfg.namespaces.tracing}.svc:{TEMPO_HTTP_PORT}"


def collector_endpoint_http(cfg: StackConfig) -> str:
    """OTLP/HTTP endpoint of the collector: what Python auto-instrumentation speaks."""
    return f"http://{COLLECTOR_SERVICE}.{cfg.namespaces.tracing}.svc.cluster.local:{OTLP_HTTP_PORT}"


def collector_manifest(cfg: StackConfig) -> dict[str, Any]:
    """The OpenTelemetryCollector (v1beta1), contrib image, with a port for span metrics."""
    return {
        "apiVersion": "opentelemetry.io/v1beta1",
        "kind": "OpenTelemetryCollector",
        "metadata": {"name": COLLECTOR_NAME, "namespace": cfg.namespaces.tracing},
        "spec": {
            "mode": "deployment",
            "replicas": cfg.tracing.collector_replicas,
            "image": versions.COLLECTOR_IMAGE.reference,
            "serviceAccount": COLLECTOR_ACCOUNT,
            "resources": cfg.tracing.collector_resources.to_k8s(),
            "securityContext": {
                "runAsNonRoot": True,
                "allowPrivilegeEscalation": False,
                "readOnlyRootFilesystem": True,
                "capabilities": {"drop": ["ALL"]},
            },
            "ports": [{"name": "spanmetrics", "port": SPAN_METRICS_PORT, "protocol": "TCP"}],
            "config": collector_config(cfg.tracing, cfg.namespaces.tracing),
        },
    }


def collector_rbac(cfg: StackConfig) -> list[dict[str, Any]]:
    """ServiceAccount, ClusterRole and binding that k8s_attributes needs (read-only)."""
    labels = {"app.kubernetes.io/part-of": "ai-observability"}
    role = f"ai-observability-{COLLECTOR_ACCOUNT}"
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": COLLECTOR_ACCOUNT,
                "namespace": cfg.namespaces.tracing,
                "labels": labels,
            },
            "automountServiceAccountToken": True,
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": role, "labels": labels},
            "rules": [
                {
                    "apiGroups": [""],
                    "resources": ["pods", "namespaces", "nodes"],
                    "verbs": ["get", "list", "watch"],
                },
                {
                    "apiGroups": ["apps"],
                    "resources": ["replicasets"],
                    "verbs": ["get", "list", "watch"],
                },
            ],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": role, "labels": labels},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": role,
            },
            "subjects": [
                {
                    "kind": "ServiceAccount",
                    "name": COLLECTOR_ACCOUNT,
                    "namespace": cfg.namespaces.tracing,
                }
            ],
        },
    ]


def instrumentation_manifest(cfg: StackConfig) -> dict[str, Any]:
    """The Instrumentation for Python services (opt-in per pod by annotation)."""
    endpoint = collector_endpoint_http(cfg)
    return {
        "apiVersion": "opentelemetry.io/v1alpha1",
        "kind": "Instrumentation",
        "metadata": {"name": INSTRUMENTATION, "namespace": cfg.namespaces.inference},
        "spec": {
            "exporter": {"endpoint": endpoint},
            "propagators": ["tracecontext", "baggage"],
            "sampler": {
                "type": "parentbased_traceidratio",
                "argument": f"{cfg.tracing.sampling_ratio:g}",
            },
            # Python speaks OTLP over HTTP (4318); the language env wins over the generated one.
            "python": {
                "env": [
                    {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": endpoint},
                    {"name": "OTEL_EXPORTER_OTLP_PROTOCOL", "value": "http/protobuf"},
                ]
            },
        },
    }


def span_metrics_monitor(cfg: StackConfig) -> dict[str, Any]:
    """A PodMonitor for the collector's span metrics (both Prometheus replicas scrape it)."""
    namespace = cfg.namespaces.tracing
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": monitoring_object_metadata(f"{COLLECTOR_NAME}-span-metrics", namespace),
        "spec": {
            "selector": {
                "matchLabels": {
                    "app.kubernetes.io/component": "opentelemetry-collector",
                    "app.kubernetes.io/instance": f"{namespace}.{COLLECTOR_NAME}",
                }
            },
            "namespaceSelector": {"matchNames": [namespace]},
            "podMetricsEndpoints": [{"port": "spanmetrics", "path": "/metrics"}],
        },
    }


def grafana_tracing_values(cfg: StackConfig) -> dict[str, Any]:
    """kube-prometheus-stack values for the Tempo datasource and exemplar links."""
    if not cfg.tracing.enabled:
        return {}
    tempo = {
        "name": "Tempo",
        "uid": "tempo",
        "type": "tempo",
        "access": "proxy",
        "url": tempo_url(cfg),
        "jsonData": {
            "tracesToMetrics": {"datasourceUid": "prometheus"},
            "serviceMap": {"datasourceUid": "prometheus"},
            "nodeGraph": {"enabled": True},
        },
    }
    return {
        "grafana": {
            "additionalDataSources": [tempo],
            "sidecar": {
                "datasources": {
                    "exemplarTraceIdDestinations": {
                        "datasourceUid": "tempo",
                        "traceIdLabelName": "trace_id",
                    }
                }
            },
        }
    }
