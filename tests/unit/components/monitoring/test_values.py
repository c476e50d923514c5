"""kube-prometheus-stack values per environment, from the pure builder and from each stack."""

from __future__ import annotations

from typing import Any

import pytest

from components import versions
from components.config.workload import Storage
from components.monitoring.config import AlertmanagerConfig, GrafanaConfig, PrometheusConfig
from components.monitoring.values import (
    DASHBOARD_LABEL,
    GRAFANA_ADMIN_SECRET,
    kube_prometheus_stack_values,
)
from tests.support.programs import program_run


def values(*fragments: dict[str, Any], **prometheus: object) -> dict[str, Any]:
    """The chart values of a qa stack with these Prometheus settings (and fragments)."""
    return kube_prometheus_stack_values(
        PrometheusConfig(**prometheus),
        AlertmanagerConfig(),
        GrafanaConfig(),
        {"cluster": "qa-east", "environment": "qa"},
        fragments,
    )


def values_of(stack_name: str) -> dict:
    return (
        program_run(stack_name)
        .one("kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack")
        .inputs["values"]
    )


def test_external_labels_name_cluster_and_environment() -> None:
    spec = values()["prometheus"]["prometheusSpec"]
    assert spec["externalLabels"] == {"cluster": "qa-east", "environment": "qa"}


def test_scrape_evaluation_and_retention_come_from_the_config() -> None:
    spec = values(scrape_interval="20s", evaluation_interval="40s", retention="9d")["prometheus"][
        "prometheusSpec"
    ]
    assert (spec["scrapeInterval"], spec["evaluationInterval"]) == ("20s", "40s")
    assert spec["retention"] == "9d"


def test_exemplar_storage_is_on() -> None:
    spec = values()["prometheus"]["prometheusSpec"]
    assert "exemplar-storage" in spec["enableFeatures"]


def test_empty_dir_without_storage_and_a_claim_with_it() -> None:
    without = values()["prometheus"]["prometheusSpec"]
    assert without["storageSpec"] == {}
    with_pvc = values(storage=Storage(enabled=True, size="80Gi", storage_class="fast-ssd"))
    claim = with_pvc["prometheus"]["prometheusSpec"]["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "80Gi"}},
        "storageClassName": "fast-ssd",
    }


def test_retention_size_only_when_set() -> None:
    assert "retentionSize" not in values()["prometheus"]["prometheusSpec"]
    assert (
        values(retention_size="30GiB")["prometheus"]["prometheusSpec"]["retentionSize"] == "30GiB"
    )


def test_images_are_pinned_from_the_versions_module() -> None:
    chart = values()
    assert chart["prometheus"]["prometheusSpec"]["image"]["tag"] == versions.PROMETHEUS_IMAGE.tag
    assert (
        chart["alertmanager"]["alertmanagerSpec"]["image"]["tag"] == versions.ALERTMANAGER_IMAGE.tag
    )
    assert chart["grafana"]["image"]["tag"] == versions.GRAFANA_IMAGE.tag
    for pin in versions.IMAGES.values():
        assert pin.tag and pin.tag != "latest"


def test_every_container_we_configure_has_requests_and_a_memory_limit() -> None:
    chart = values()
    blocks = [
        chart["prometheus"]["prometheusSpec"]["resources"],
        chart["alertmanager"]["alertmanagerSpec"]["resources"],
        chart["grafana"]["resources"],
        chart["prometheusOperator"]["resources"],
    ]
    for resources in blocks:
        assert set(resources["requests"]) == {"cpu", "memory"}
        assert "memory" in resources["limits"]


def test_control_plane_targets_follow_the_switch() -> None:
    off = values()
    on = values(scrape_control_plane=True)
    for component in ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"):
        assert off[component] == {"enabled": False}
        assert on[component] == {"enabled": True}
    assert off["defaultRules"]["rules"]["etcd"] is False


def test_grafana_admin_from_existing_secret_and_dashboards_from_all_namespaces() -> None:
    grafana = values()["grafana"]
    assert grafana["admin"]["existingSecret"] == GRAFANA_ADMIN_SECRET
    dashboards = grafana["sidecar"]["dashboards"]
    assert dashboards["enabled"] is True
    assert dashboards["label"] == DASHBOARD_LABEL
    assert dashboards["searchNamespace"] == "ALL"
    assert dashboards["folderAnnotation"] == "grafana_folder"
    # Without this the provider ignores the folder annotation.
    assert dashboards["provider"]["foldersFromFilesStructure"] is True


def test_alertmanager_config_comes_from_our_secret() -> None:
    spec = values()["alertmanager"]["alertmanagerSpec"]
    assert spec["useExistingSecret"] is True
    assert spec["configSecret"] == "alertmanager-ai-observability"


@pytest.mark.pulumi_program
def test_per_environment_differences() -> None:
    dev, staging, prod = (values_of(s) for s in ("dev", "staging", "prod"))
    dev_spec = dev["prometheus"]["prometheusSpec"]
    prod_spec = prod["prometheus"]["prometheusSpec"]
    assert (dev_spec["retention"], dev_spec["retentionSize"]) == ("2d", "4GiB")
    assert (prod_spec["retention"], prod_spec["retentionSize"]) == ("15d", "400GiB")
    assert dev_spec["storageSpec"] == {}
    assert staging["prometheus"]["prometheusSpec"]["storageSpec"]["volumeClaimTemplate"]
    assert (dev_spec["replicas"], prod_spec["replicas"]) == (1, 2)
    assert dev["grafana"]["persistence"]["enabled"] is False
    assert prod["grafana"]["persistence"] == {"enabled": True, "size": "20Gi"}
    assert prod["alertmanager"]["alertmanagerSpec"]["replicas"] == 3
    assert prod_spec["externalLabels"] == {"cluster": "prod-gpu-us-east-1", "environment": "prod"}


def test_fragments_of_other_concerns_merge_into_the_values_last() -> None:
    merged = values(
        {"prometheus": {"prometheusSpec": {"thanos": {"image": "thanos:v1"}}}},
        {"grafana": {"sidecar": {"datasources": {"url": "http://q/"}}}},
    )
    assert merged["prometheus"]["prometheusSpec"]["thanos"] == {"image": "thanos:v1"}
    assert merged["prometheus"]["prometheusSpec"]["retention"] == "15d"  # kept, not replaced
    assert merged["grafana"]["sidecar"]["datasources"] == {"url": "http://q/"}
    assert merged["grafana"]["sidecar"]["dashboards"]["label"] == DASHBOARD_LABEL
