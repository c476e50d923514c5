"""Thanos Query, Store Gateway and Compactor objects from the pure builders."""

from __future__ import annotations

import yaml

from components import versions
from components.kube.references import prerequisites
from components.thanos.config import ThanosConfig
from components.thanos.manifests import query_args, thanos_manifests
from components.thanos.network import SIDECAR_PORTS, prometheus_clients, thanos_policies
from components.thanos.values import query_url, sidecar_values

BUCKET = {"provider": "s3", "bucket": "metrics", "endpoint": "s3.eu-west-1.amazonaws.com"}
NO_BUCKET = ThanosConfig.model_validate({"longTermStorage": False})
WITH_BUCKET = ThanosConfig.model_validate(
    {"objectStorage": BUCKET, "query": {"replicas": 2}, "storeGateway": {"replicas": 2}}
)


def kinds(cfg: ThanosConfig) -> list[tuple[str, str]]:
    return [(m["kind"], m["metadata"]["name"]) for m in thanos_manifests(cfg, "monitoring")]


def test_without_a_bucket_only_query_runs() -> None:
    assert kinds(NO_BUCKET) == [
        ("ServiceAccount", "thanos-query"),
        ("ConfigMap", "thanos-query-endpoints"),
        ("Deployment", "thanos-query"),
        ("Service", "thanos-query"),
        ("ServiceMonitor", "thanos-query"),
    ]
    assert (
        thanos_manifests(
            ThanosConfig.model_validate({"enabled": False, "longTermStorage": False}), "m"
        )
        == []
    )


def test_with_a_bucket_store_and_compactor_run_and_replicas_get_a_budget() -> None:
    names = kinds(WITH_BUCKET)
    assert ("StatefulSet", "thanos-store") in names and ("StatefulSet", "thanos-compact") in names
    assert ("PodDisruptionBudget", "thanos-query") in names
    assert ("PodDisruptionBudget", "thanos-store") in names
    assert ("PodDisruptionBudget", "thanos-compact") not in names  # always one compactor


def endpoints_file(cfg: ThanosConfig) -> dict:
    (config_map,) = [m for m in thanos_manifests(cfg, "monitoring") if m["kind"] == "ConfigMap"]
    return yaml.safe_load(config_map["data"]["endpoints.yaml"])


def test_query_finds_sidecars_and_the_store_in_its_endpoints_file_and_deduplicates() -> None:
    args = query_args()
    # Thanos v0.42: --store is gone and --endpoint deprecated; the file is the current way.
    assert not any(a.startswith(("--store", "--endpoint=")) for a in args)
    assert "--endpoint.sd-config-file=/etc/thanos/endpoints/endpoints.yaml" in args
    assert "--query.replica-label=prometheus_replica" in args
    assert "--query.partial-response" in args
    sidecars = (
        "dnssrv+_grpc._tcp.kube-prometheus-stack-thanos-discovery.monitoring.svc.cluster.local"
    )
    store = "dnssrv+_grpc._tcp.thanos-store.monitoring.svc.cluster.local"
    # DNS-discovered endpoints may not be strict (Thanos refuses the file otherwise).
    assert endpoints_file(WITH_BUCKET) == {
        "endpoints": [{"address": sidecars, "strict": False}, {"address": store, "strict": False}]
    }
    assert endpoints_file(NO_BUCKET) == {"endpoints": [{"address": sidecars, "strict": False}]}
    (query,) = [m for m in thanos_manifests(WITH_BUCKET, "monitoring") if m["kind"] == "Deployment"]
    pod = query["spec"]["template"]["spec"]
    assert pod["volumes"] == [
        {"name": "endpoints", "configMap": {"name": "thanos-query-endpoints"}}
    ]
    mounts = pod["containers"][0]["volumeMounts"]
    assert mounts == [{"name": "endpoints", "mountPath": "/etc/thanos/endpoints", "readOnly": True}]


def test_workloads_are_pinned_non_root_and_wait_for_their_account() -> None:
    manifests = thanos_manifests(WITH_BUCKET, "monitoring")
    for workload in (m for m in manifests if m["kind"] in ("Deployment", "StatefulSet")):
        pod = workload["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["image"] == versions.THANOS_IMAGE.reference
        assert pod["securityContext"]["runAsNonRoot"] and not pod["automountServiceAccountToken"]
        assert ("ServiceAccount", workload["metadata"]["name"]) in prerequisites(
            workload, manifests
        )
    store = next(
        m
        for m in manifests
        if m["metadata"]["name"] == "thanos-store" and m["kind"] == "StatefulSet"
    )
    assert store["spec"]["template"]["spec"]["affinity"]  # two replicas spread over nodes
    assert store["spec"]["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }


def test_sidecar_fragment_mounts_the_bucket_and_points_grafana_at_query() -> None:
    fragment = sidecar_values(WITH_BUCKET, "monitoring")
    thanos = fragment["prometheus"]["prometheusSpec"]["thanos"]
    assert thanos["objectStorageConfig"] == {
        "existingSecret": {"name": "thanos-objstore", "key": "objstore.yml"}
    }
    assert fragment["grafana"]["sidecar"]["datasources"]["url"] == query_url("monitoring") + "/"
    assert (
        "objectStorageConfig"
        not in sidecar_values(NO_BUCKET, "monitoring")["prometheus"]["prometheusSpec"]["thanos"]
    )


def test_policies_follow_what_runs() -> None:
    names = {p["metadata"]["name"] for p in thanos_policies(WITH_BUCKET, "monitoring")}
    assert names == {"allow-thanos-query", "allow-thanos-store"}
    assert {p["metadata"]["name"] for p in thanos_policies(NO_BUCKET, "monitoring")} == {
        "allow-thanos-query"
    }
    off = ThanosConfig.model_validate({"enabled": False, "longTermStorage": False})
    assert thanos_policies(off, "monitoring") == [] and prometheus_clients(off) == []
    assert SIDECAR_PORTS == (10901, 10902)
