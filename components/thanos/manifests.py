"""Kubernetes objects of Thanos Query, Store Gateway and Compactor, as plain dicts. Pure.

Modelled on kube-thanos (ports, probes, flags), on the official image pinned in
components/versions.py. Flags are checked against Thanos v0.42 (no `--store`; Query's endpoints
in an `--endpoint.sd-config-file`, components/thanos/endpoints.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components import versions
from components.config.workload import Resources, Volume
from components.kube.meta import PART_OF, selector
from components.kube.objects import (
    pod_disruption_budget,
    service,
    service_account,
    service_monitor,
    soft_anti_affinity,
    workload,
)
from components.kube.security import container_security_context, pod_security_context
from components.kube.selection import RELEASE_NAME
from components.kube.urls import dns_srv
from components.thanos.config import QueryConfig, ThanosConfig
from components.thanos.endpoints import (
    ENDPOINTS_FLAG,
    ENDPOINTS_MOUNT,
    ENDPOINTS_VOLUME,
    endpoint,
    endpoints_config_map,
)
from components.thanos.exposure import exposed_service, server_tls_args, server_tls_volumes

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
INSTANCE = "ai-observability"
_OBJSTORE_VOLUME = {
    "name": "objstore",
    "secret": {
        "secretName": OBJSTORE_SECRET,
        "items": [{"key": OBJSTORE_KEY, "path": OBJSTORE_KEY}],
    },
}
_OBJSTORE_MOUNT = {"name": "objstore", "mountPath": OBJSTORE_DIR, "readOnly": True}
_OBJSTORE_FLAG = f"--objstore.config-file={OBJSTORE_DIR}/{OBJSTORE_KEY}"


def selector_labels(name: str) -> dict[str, str]:
    """Labels that select one component's pods."""
    return selector(name, INSTANCE)


def labels(name: str, component: str) -> dict[str, str]:
    """All labels of one component's objects."""
    return {
        **selector_labels(name),
        "app.kubernetes.io/component": component,
        **PART_OF,
        "app.kubernetes.io/version": versions.THANOS_IMAGE.tag,
    }


def _probes(port: str) -> dict[str, Any]:
    return {
        "livenessProbe": {
            "httpGet": {"path": "/-/healthy", "port": port},
            "periodSeconds": 30,
            "failureThreshold": 4,
        },
        "readinessProbe": {
            "httpGet": {"path": "/-/ready", "port": port},
            "periodSeconds": 5,
            "failureThreshold": 20,
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
        **_probes("http"),
    }
    if mounts:
        container["volumeMounts"] = mounts
    return container


def _pod(name: str, container: dict[str, Any], replicas: int, volumes: list[dict[str, Any]]):
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
        spec["affinity"] = soft_anti_affinity(selector_labels(name))
    return spec


def _common(
    name: str,
    namespace: str,
    component: str,
    ports: list[tuple[str, int]],
    headless: bool,
    annotations: dict[str, str],
) -> list[dict[str, Any]]:
    """ServiceAccount, Service and ServiceMonitor of one component."""
    lbl = labels(name, component)
    return [
        service_account(name, namespace, lbl, api_token=False, annotations=annotations),
        service(name, namespace, lbl, selector_labels(name), ports, headless),
        service_monitor(name, namespace, lbl, selector_labels(name), {"port": "http"}),
    ]


def query_args() -> list[str]:
    """Thanos Query's flags: its endpoints from the file, replicas deduplicated."""
    args = [
        "query",
        "--log.level=info",
        "--log.format=logfmt",
        f"--grpc-address=0.0.0.0:{GRPC_PORT}",
        f"--http-address=0.0.0.0:{QUERY_HTTP_PORT}",
        *(f"--query.replica-label={label}" for label in REPLICA_LABELS),
        "--query.auto-downsampling",
        # A store that does not answer leaves a warning and a partial result, not an error.
        "--query.partial-response",
        ENDPOINTS_FLAG,
    ]
    return args


def query_endpoints(cfg: ThanosConfig, namespace: str) -> list[dict[str, Any]]:
    """The sidecars and (with a bucket) the Store Gateway, found by DNS SRV."""
    endpoints = [endpoint(dns_srv(SIDECAR_SERVICE, namespace))]
    if cfg.has_bucket:
        endpoints.append(endpoint(dns_srv(STORE, namespace)))
    return endpoints


def query_manifests(cfg: ThanosConfig, namespace: str) -> list[dict[str, Any]]:
    """ServiceAccount, endpoints ConfigMap, Deployment, Service, ServiceMonitor (and PDB) of
    the cluster's Thanos Query, and its exposed StoreAPI (TLS) when a global view reads it."""
    exposed = cfg.query.expose_store_api
    if not exposed.enabled:
        return query_objects(cfg.query, namespace, query_args(), query_endpoints(cfg, namespace))
    volumes, mounts = server_tls_volumes()
    args = [*query_args(), *server_tls_args(exposed)]
    objects = query_objects(
        cfg.query, namespace, args, query_endpoints(cfg, namespace), volumes, mounts
    )
    pods = selector_labels(QUERY)
    return [*objects, exposed_service(exposed, namespace, labels(QUERY, "query"), pods)]


def query_objects(
    query: QueryConfig,
    namespace: str,
    args: list[str],
    endpoints: list[dict[str, Any]] | None,
    volumes: Sequence[dict[str, Any]] = (),
    mounts: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """A Thanos Query with these flags, its endpoints file (None: the caller registers the
    ConfigMap, e.g. from Outputs) and more volumes (client certificates)."""
    component, replicas = "query", query.replicas
    container = _container(
        QUERY, args, query.resources, QUERY_HTTP_PORT, [ENDPOINTS_MOUNT, *mounts]
    )
    deployment = workload(
        "Deployment",
        QUERY,
        namespace,
        labels(QUERY, component),
        selector_labels(QUERY),
        _pod(QUERY, container, replicas, [ENDPOINTS_VOLUME, *volumes]),
        replicas,
    )
    account, svc, monitor = _common(
        QUERY, namespace, component, [("grpc", GRPC_PORT), ("http", QUERY_HTTP_PORT)], False, {}
    )
    objects = [account, deployment, svc, monitor]
    if endpoints is not None:
        objects.insert(1, endpoints_config_map(namespace, labels(QUERY, component), endpoints))
    if replicas > 1:
        objects.append(
            pod_disruption_budget(
                QUERY, namespace, labels(QUERY, component), selector_labels(QUERY)
            )
        )
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
    retention = cfg.compactor.retention
    return [
        "compact",
        "--log.level=info",
        "--log.format=logfmt",
        "--wait",
        "--wait-interval=5m",
        "--data-dir=/var/thanos/compact",
        _OBJSTORE_FLAG,
        f"--http-address=0.0.0.0:{HTTP_PORT}",
        f"--retention.resolution-raw={retention.raw}",
        f"--retention.resolution-5m={retention.five_minutes}",
        f"--retention.resolution-1h={retention.one_hour}",
        "--delete-delay=48h",
        "--compact.concurrency=1",
    ]


def _stateful_set(
    name: str,
    namespace: str,
    component: str,
    container: dict[str, Any],
    replicas: int,
    volume: Volume,
    pod_labels: dict[str, str],
) -> dict[str, Any]:
    return workload(
        "StatefulSet",
        name,
        namespace,
        labels(name, component),
        selector_labels(name),
        _pod(name, container, replicas, [_OBJSTORE_VOLUME]),
        replicas,
        pod_labels={**labels(name, component), **pod_labels},
        serviceName=name,
        volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": volume.claim_spec()}],
        # Keep the volumes when the StatefulSet is deleted or scaled down.
        persistentVolumeClaimRetentionPolicy={"whenDeleted": "Retain", "whenScaled": "Retain"},
    )


def store_manifests(cfg: ThanosConfig, namespace: str) -> list[dict[str, Any]]:
    """ServiceAccount, StatefulSet, headless Service, ServiceMonitor (and PDB) of the store."""
    assert cfg.object_storage is not None
    component, store = "store-gateway", cfg.store_gateway
    mounts = [{"name": "data", "mountPath": "/var/thanos/store"}, _OBJSTORE_MOUNT]
    container = _container("thanos-store", store_args(), store.resources, HTTP_PORT, mounts)
    bucket = cfg.object_storage
    account, svc, monitor = _common(
        STORE,
        namespace,
        component,
        [("grpc", GRPC_PORT), ("http", HTTP_PORT)],
        True,
        dict(bucket.service_account_annotations),
    )
    workload = _stateful_set(
        STORE,
        namespace,
        component,
        container,
        store.replicas,
        store.storage,
        dict(bucket.pod_labels),
    )
    objects = [account, workload, svc, monitor]
    if store.replicas > 1:
        objects.append(
            pod_disruption_budget(
                STORE, namespace, labels(STORE, component), selector_labels(STORE)
            )
        )
    return objects


def compactor_manifests(cfg: ThanosConfig, namespace: str) -> list[dict[str, Any]]:
    """ServiceAccount, single-replica StatefulSet, Service and ServiceMonitor of the compactor."""
    assert cfg.object_storage is not None
    component = "compactor"
    mounts = [{"name": "data", "mountPath": "/var/thanos/compact"}, _OBJSTORE_MOUNT]
    container = _container(
        "thanos-compact", compact_args(cfg), cfg.compactor.resources, HTTP_PORT, mounts
    )
    container["ports"] = [{"name": "http", "containerPort": HTTP_PORT}]
    bucket = cfg.object_storage
    account, svc, monitor = _common(
        COMPACT,
        namespace,
        component,
        [("http", HTTP_PORT)],
        False,
        dict(bucket.service_account_annotations),
    )
    workload = _stateful_set(
        COMPACT, namespace, component, container, 1, cfg.compactor.storage, dict(bucket.pod_labels)
    )
    return [account, workload, svc, monitor]


def thanos_manifests(cfg: ThanosConfig, namespace: str) -> list[dict[str, Any]]:
    """Every Thanos object the stack creates outside kube-prometheus-stack."""
    if not cfg.enabled:
        return []
    objects = query_manifests(cfg, namespace)
    if cfg.has_bucket:
        objects += store_manifests(cfg, namespace) + compactor_manifests(cfg, namespace)
    return objects
