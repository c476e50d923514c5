"""Kubernetes objects of Thanos Query, Store Gateway and Compactor, as plain dicts.

Pure: no pulumi import. Modelled on kube-thanos (ports, probes, flags), on the official image
pinned in components/versions.py. Flags are checked against Thanos v0.42 (no `--store`).
"""

from __future__ import annotations

from typing import Any

from components import versions
from components.config_resources import Resources, Storage
from components.pod_security import container_security_context, pod_security_context
from components.selection import RELEASE_NAME, monitoring_object_metadata
from components.thanos_config import ThanosConfig

OBJSTORE_SECRET = "thanos-objstore"
OBJSTORE_KEY = "objstore.yml"
OBJSTORE_DIR = "/etc/thanos/objstore"
GRPC_PORT = 10901
HTTP_PORT = 10902
QUERY_HTTP_PORT = 9090  # kube-thanos convention: Query answers the Prometheus API on 9090
QUERY = "thanos-query"
STORE = "thanos-store"
COMPACT = "thanos-compact"
SIDECAR_SERVICE = f"{RELEASE_NAME}-thanos-discovery"  # from prometheus.thanosService
REPLICA_LABELS = ("prometheus_replica", "rule_replica")  # the operator's replica labels
USER_ID = 65534  # nobody, as in kube-thanos


def selector_labels(name: str) -> dict[str, str]:
    """Labels that select one component's pods."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": "ai-observability"}


def labels(name: str, component: str) -> dict[str, str]:
    """All labels of one component's objects."""
    return {
        **selector_labels(name),
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "ai-observability",
        "app.kubernetes.io/version": versions.THANOS_IMAGE.tag,
    }


def query_url(namespace: str) -> str:
    """Thanos Query's Prometheus-compatible HTTP API inside the cluster."""
    return f"http://{QUERY}.{namespace}.svc:{QUERY_HTTP_PORT}/"


def dns_srv(service: str, namespace: str) -> str:
    """A DNS SRV endpoint over the `grpc` port of a headless Service."""
    return f"dnssrv+_grpc._tcp.{service}.{namespace}.svc.cluster.local"


def _metadata(name: str, namespace: str, component: str) -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "labels": labels(name, component)}


def _probes(port: str, ready_failures: int) -> dict[str, Any]:
    return {
        "livenessProbe": {
            "httpGet": {"path": "/-/healthy", "port": port},
            "periodSeconds": 30,
            "failureThreshold": 4,
        },
        "readinessProbe": {
            "httpGet": {"path": "/-/ready", "port": port},
            "periodSeconds": 5,
            "failureThreshold": ready_failures,
        },
    }


def _container(
    name: str, args: list[str], resources: Resources, http_port: int, mounts: list[dict[str, Any]]
) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": versions.THANOS_IMAGE.reference,
        "imagePullPolicy": "IfNotPresent",
        "args": args,
        "ports": [
            {"name": "grpc", "containerPort": GRPC_PORT},
            {"name": "http", "containerPort": http_port},
        ],
        "resources": resources.to_k8s(),
        "securityContext": container_security_context(),
        "terminationMessagePolicy": "FallbackToLogsOnError",
        **_probes("http", 20),
    }
    if mounts:
        container["volumeMounts"] = mounts
    return container


def _anti_affinity(name: str) -> dict[str, Any]:
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "topologyKey": "kubernetes.io/hostname",
                        "labelSelector": {"matchLabels": selector_labels(name)},
                    },
                }
            ]
        }
    }


def _pod_template(
    name: str,
    component: str,
    container: dict[str, Any],
    replicas: int,
    volumes: list[dict[str, Any]],
    pod_labels: dict[str, str],
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "serviceAccountName": name,
        "automountServiceAccountToken": False,
        "securityContext": pod_security_context(USER_ID),
        "containers": [container],
        "terminationGracePeriodSeconds": 120,
    }
    if volumes:
        spec["volumes"] = volumes
    if replicas > 1:
        spec["affinity"] = _anti_affinity(name)
    return {"metadata": {"labels": {**labels(name, component), **pod_labels}}, "spec": spec}


def _service_account(name: str, namespace: str, component: str, annotations: dict[str, str]):
    metadata = _metadata(name, namespace, component)
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata,
        "automountServiceAccountToken": False,
    }


def _service(
    name: str, namespace: str, component: str, ports: list[tuple[str, int]], headless: bool
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "selector": selector_labels(name),
        "ports": [{"name": p, "port": n, "targetPort": p, "protocol": "TCP"} for p, n in ports],
    }
    if headless:
        spec["clusterIP"] = "None"  # DNS SRV records per pod for Query's dnssrv+ discovery
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(name, namespace, component),
        "spec": spec,
    }


def _service_monitor(name: str, namespace: str, component: str) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": monitoring_object_metadata(name, namespace, labels(name, component)),
        "spec": {
            "selector": {"matchLabels": selector_labels(name)},
            "namespaceSelector": {"matchNames": [namespace]},
            "endpoints": [{"port": "http", "path": "/metrics"}],
        },
    }


def _pdb(name: str, namespace: str, component: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(name, namespace, component),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector_labels(name)}},
    }


def _claim(storage: Storage) -> dict[str, Any]:
    return {"metadata": {"name": "data"}, "spec": storage.claim_spec()}


_OBJSTORE_VOLUME = {
    "name": "objstore",
    "secret": {
        "secretName": OBJSTORE_SECRET,
        "items": [{"key": OBJSTORE_KEY, "path": OBJSTORE_KEY}],
    },
}
_OBJSTORE_MOUNT = {"name": "objstore", "mountPath": OBJSTORE_DIR, "readOnly": True}
_OBJSTORE_FLAG = f"--objstore.config-file={OBJSTORE_DIR}/{OBJSTORE_KEY}"


def query_args(cfg: ThanosConfig, namespace: str) -> list[str]:
    """Thanos Query's flags: sidecars and (with a bucket) the store gateway, deduplicated."""
    args = [
        "query",
        "--log.level=info",
        "--log.format=logfmt",
        f"--grpc-address=0.0.0.0:{GRPC_PORT}",
        f"--http-address=0.0.0.0:{QUERY_HTTP_PORT}",
        *(f"--query.replica-label={label}" for label in REPLICA_LABELS),
        "--query.auto-downsampling",
        f"--endpoint={dns_srv(SIDECAR_SERVICE, namespace)}",
    ]
    if cfg.has_bucket:
        args.append(f"--endpoint={dns_srv(STORE, namespace)}")
    return args


def query_manifests(cfg: ThanosConfig, namespace: str) -> list[dict[str, Any]]:
    """ServiceAccount, Deployment, Service, ServiceMonitor (and PDB) of Thanos Query."""
    component = "query"
    container = _container(
        "thanos-query", query_args(cfg, namespace), cfg.query_resources, QUERY_HTTP_PORT, []
    )
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(QUERY, namespace, component),
        "spec": {
            "replicas": cfg.query_replicas,
            "selector": {"matchLabels": selector_labels(QUERY)},
            "template": _pod_template(QUERY, component, container, cfg.query_replicas, [], {}),
        },
    }
    objects = [
        _service_account(QUERY, namespace, component, {}),
        deployment,
        _service(
            QUERY, namespace, component, [("grpc", GRPC_PORT), ("http", QUERY_HTTP_PORT)], False
        ),
        _service_monitor(QUERY, namespace, component),
    ]
    if cfg.query_replicas > 1:
        objects.append(_pdb(QUERY, namespace, component))
    return objects


def store_args() -> list[str]:
    """Thanos Store Gateway's flags."""
    return [
        "store",
        "--log.level=info",
        "--log.format=logfmt",
        "--data-dir=/var/thanos/store",
        _OBJSTORE_FLAG,
        f"--grpc-address=0.0.0.0:{GRPC_PORT}",
        f"--http-address=0.0.0.0:{HTTP_PORT}",
        "--ignore-deletion-marks-delay=24h",
    ]


def compact_args(cfg: ThanosConfig) -> list[str]:
    """Thanos Compactor's flags: a long-running singleton with downsampling and retention."""
    return [
        "compact",
        "--log.level=info",
        "--log.format=logfmt",
        "--wait",
        "--wait-interval=5m",
        "--data-dir=/var/thanos/compact",
        _OBJSTORE_FLAG,
        f"--http-address=0.0.0.0:{HTTP_PORT}",
        f"--retention.resolution-raw={cfg.retention.raw}",
        f"--retention.resolution-5m={cfg.retention.five_minutes}",
        f"--retention.resolution-1h={cfg.retention.one_hour}",
        "--delete-delay=48h",
        "--compact.concurrency=1",
    ]


def _stateful_set(
    name: str,
    namespace: str,
    component: str,
    container: dict[str, Any],
    replicas: int,
    storage: Storage,
    pod_labels: dict[str, str],
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": _metadata(name, namespace, component),
        "spec": {
            "replicas": replicas,
            "serviceName": name,
            "selector": {"matchLabels": selector_labels(name)},
            "template": _pod_template(
                name, component, container, replicas, [_OBJSTORE_VOLUME], pod_labels
            ),
            "volumeClaimTemplates": [_claim(storage)],
            # Keep the volumes when the StatefulSet is deleted or scaled down.
            "persistentVolumeClaimRetentionPolicy": {
                "whenDeleted": "Retain",
                "whenScaled": "Retain",
            },
        },
    }


def store_manifests(cfg: ThanosConfig, namespace: str) -> list[dict[str, Any]]:
    """ServiceAccount, StatefulSet, headless Service, ServiceMonitor (and PDB) of the store."""
    assert cfg.object_storage is not None
    component = "store-gateway"
    mounts = [{"name": "data", "mountPath": "/var/thanos/store"}, _OBJSTORE_MOUNT]
    container = _container("thanos-store", store_args(), cfg.store_resources, HTTP_PORT, mounts)
    storage = cfg.object_storage
    objects = [
        _service_account(STORE, namespace, component, dict(storage.service_account_annotations)),
        _stateful_set(
            STORE,
            namespace,
            component,
            container,
            cfg.store_replicas,
            cfg.store_storage,
            dict(storage.pod_labels),
        ),
        _service(STORE, namespace, component, [("grpc", GRPC_PORT), ("http", HTTP_PORT)], True),
        _service_monitor(STORE, namespace, component),
    ]
    if cfg.store_replicas > 1:
        objects.append(_pdb(STORE, namespace, component))
    return objects


def compactor_manifests(cfg: ThanosConfig, namespace: str) -> list[dict[str, Any]]:
    """ServiceAccount, single-replica StatefulSet, Service and ServiceMonitor of the compactor."""
    assert cfg.object_storage is not None
    component = "compactor"
    mounts = [{"name": "data", "mountPath": "/var/thanos/compact"}, _OBJSTORE_MOUNT]
    container = _container(
        "thanos-compact", compact_args(cfg), cfg.compactor_resources, HTTP_PORT, mounts
    )
    container["ports"] = [{"name": "http", "containerPort": HTTP_PORT}]
    storage = cfg.object_storage
    return [
        _service_account(COMPACT, namespace, component, dict(storage.service_account_annotations)),
        _stateful_set(
            COMPACT,
            namespace,
            component,
            container,
            1,
            cfg.compactor_storage,
            dict(storage.pod_labels),
        ),
        _service(COMPACT, namespace, component, [("http", HTTP_PORT)], False),
        _service_monitor(COMPACT, namespace, component),
    ]


def thanos_manifests(cfg: ThanosConfig, namespace: str) -> list[dict[str, Any]]:
    """Every Thanos object the stack creates outside kube-prometheus-stack."""
    if not cfg.enabled:
        return []
    objects = query_manifests(cfg, namespace)
    if cfg.has_bucket:
        objects += store_manifests(cfg, namespace) + compactor_manifests(cfg, namespace)
    return objects


def sidecar_values(cfg: ThanosConfig, namespace: str) -> dict[str, Any]:
    """kube-prometheus-stack values for the sidecar, its discovery Service and Grafana's
    datasource; merged into the chart values by components.monitoring_values."""
    if not cfg.enabled:
        return {}
    thanos: dict[str, Any] = {
        "image": versions.THANOS_IMAGE.reference,
        "resources": cfg.sidecar_resources.to_k8s(),
    }
    prometheus: dict[str, Any] = {
        "thanosService": {"enabled": True},
        "thanosServiceMonitor": {"enabled": True},
        "prometheusSpec": {"thanos": thanos},
    }
    if cfg.has_bucket:
        assert cfg.object_storage is not None
        thanos["objectStorageConfig"] = {
            "existingSecret": {"name": OBJSTORE_SECRET, "key": OBJSTORE_KEY}
        }
        if cfg.object_storage.service_account_annotations:
            prometheus["serviceAccount"] = {
                "annotations": dict(cfg.object_storage.service_account_annotations)
            }
        if cfg.object_storage.pod_labels:
            prometheus["prometheusSpec"]["podMetadata"] = {
                "labels": dict(cfg.object_storage.pod_labels)
            }
    grafana = {
        "sidecar": {
            "datasources": {
                "url": query_url(namespace),
                "extraJsonData": {"prometheusType": "Thanos"},
            }
        }
    }
    return {"prometheus": prometheus, "grafana": grafana}
