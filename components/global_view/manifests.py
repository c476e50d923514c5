"""The global view's Thanos Query and its one alert, as plain dicts. Pure: no pulumi import.

The Query fans out to each cluster's exposed StoreAPI (strict endpoints, so a cluster that is
down stays listed and answers nothing), presents the client certificate the global CA signed,
verifies each server by the name in its certificate, deduplicates replicas and answers with a
partial result when a cluster is missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from components.global_view.config import ClusterEntry, GlobalViewConfig
from components.thanos.endpoints import endpoint, mutual_tls
from components.thanos.manifests import query_args, query_objects
from rules._builders import alert, group

CLIENT_TLS_SECRET = "thanos-query-client-tls"
CLIENT_TLS_DIR = "/etc/thanos/client-tls"
CLIENT_TLS_VOLUME = {"name": "client-tls", "secret": {"secretName": CLIENT_TLS_SECRET}}
CLIENT_TLS_MOUNT = {"name": "client-tls", "mountPath": CLIENT_TLS_DIR, "readOnly": True}
# Each endpoint's external labels and type on thanos_store_nodes_grpc_connections (the
# default), so a missing cluster shows there by its `cluster` label.
CONNECTION_LABELS = ("external_labels", "store_type")


def global_query_args() -> list[str]:
    """The global Query's flags: a cluster Query's, and each endpoint's external labels on its
    connection metric."""
    return [*query_args(), *(f"--query.conn-metric.label={label}" for label in CONNECTION_LABELS)]


def cluster_endpoints(
    clusters: Sequence[ClusterEntry], addresses: Mapping[str, str]
) -> list[dict[str, Any]]:
    """One strict, mutually authenticated endpoint per cluster, at its resolved address."""
    return [
        endpoint(
            addresses[c.name], strict=True, client_config=mutual_tls(CLIENT_TLS_DIR, c.server_name)
        )
        for c in clusters
    ]


def global_query_objects(cfg: GlobalViewConfig, namespace: str) -> list[dict[str, Any]]:
    """The global Query without its endpoints ConfigMap (built from resolved addresses)."""
    return query_objects(
        cfg.query,
        namespace,
        global_query_args(),
        None,
        volumes=[CLIENT_TLS_VOLUME],
        mounts=[CLIENT_TLS_MOUNT],
    )


def unreachable(cluster: str) -> str:
    """No healthy connection to the cluster's StoreAPI (its external labels name it)."""
    labels = f'external_labels=~".*cluster=\\"{cluster}\\".*"'
    return f"absent(thanos_store_nodes_grpc_connections{{{labels}}})"


def global_view_groups(cfg: GlobalViewConfig, runbook_base: str) -> list[dict[str, Any]]:
    """GlobalViewClusterUnreachable, one rule per cluster (absent() keeps no label of a regex)."""
    rules = [
        alert(
            "GlobalViewClusterUnreachable",
            unreachable(c.name),
            cfg.unreachable_for,
            "warning",
            "The global view cannot reach a cluster.",
            f"The global Thanos Query has had no healthy connection to cluster {c.name} for "
            f"{cfg.unreachable_for}: global dashboards show the other clusters only (partial "
            "results). The cluster still alerts on its own.",
            runbook_base,
            labels={"cluster": c.name},
        )
        for c in cfg.clusters
    ]
    return [group("ai-global-view.alerts", rules)]
