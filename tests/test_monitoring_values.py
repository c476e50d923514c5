"""kube-prometheus-stack values per environment, from the pure builder and from each stack."""

from __future__ import annotations

from dataclasses import replace

from conftest import program_run

from components import versions
from components.config import (
    MonitoringConfig,
    NamespacesConfig,
    PrometheusConfig,
    StackConfig,
    Storage,
)
from components.monitoring_values import (
    DASHBOARD_LABEL,
    GRAFANA_ADMIN_SECRET,
    kube_prometheus_stack_values,
)


def stack(**prometheus: object) -> StackConfig:
    return StackConfig(
        environment="qa",
        cluster="qa-east",
        kube_context="qa",
        namespaces=NamespacesConfig(),
        monitoring=MonitoringConfig(prometheus=replace(PrometheusConfig(), **prometheus)),
    )


def values_of(stack_name: str) -> dict:
    return (
        program_run(stack_name)
        .one("kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack")
        .inputs["values"]
    )


def test_external_labels_name_cluster_and_environment() -> None:
    spec = kube_prometheus_stack_values(stack())["prometheus"]["prometheusSpec"]
    assert spec["externalLabels"] == {"cluster": "qa-east", "environment": "qa"}


def test_exemplar_storage_is_on() -> None:
    spec = kube_prometheus_stack_values(stack())["prometheus"]["prometheusSpec"]
    assert "exemplar-storage" in spec["enableFeatures"]


def test_empty_dir_without_storage_and_a_claim_with_it() -> None:
    without = kube_prometheus_stack_values(stack())["prometheus"]["prometheusSpec"]
    assert without["storageSpec"] == {}
    with_pvc = kube_prometheus_stack_values(stack(storage=Storage(True, "80Gi", "fast-ssd")))
    claim = with_pvc["prometheus"]["prometheusSpec"]["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim == {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "80Gi"}},
        "storageClassName": "fast-ssd",
    }


def test_retention_size_only_when_set() -> None:
    assert (
        "retentionSize" not in kube_prometheus_stack_values(stack())["prometheus"]["prometheusSpec"]
    )
    values = kube_prometheus_stack_values(stack(retention_size="30GiB"))
    assert values["prometheus"]["prometheusSpec"]["retentionSize"] == "30GiB"


def test_images_are_pinned_from_the_versions_module() -> None:
    values = kube_prometheus_stack_values(stack())
    assert values["prometheus"]["prometheusSpec"]["image"]["tag"] == versions.PROMETHEUS_IMAGE.tag
    assert (
        values["alertmanager"]["alertmanagerSpec"]["image"]["tag"]
        == versions.ALERTMANAGER_IMAGE.tag
    )
    assert values["grafana"]["image"]["tag"] == versions.GRAFANA_IMAGE.tag
    for pin in versions.IMAGES.values():
        assert pin.tag and pin.tag != "latest"


def test_every_container_we_configure_has_requests_and_a_memory_limit() -> None:
    values = kube_prometheus_stack_values(stack())
    blocks = [
        values["prometheus"]["prometheusSpec"]["resources"],
        values["alertmanager"]["alertmanagerSpec"]["resources"],
        values["grafana"]["resources"],
        values["prometheusOperator"]["resources"],
    ]
    for resources in blocks:
        assert set(resources["requests"]) == {"cpu", "memory"}
        assert "memory" in resources["limits"]


def test_control_plane_targets_follow_the_switch() -> None:
    off = kube_prometheus_stack_values(stack())
    on = kube_prometheus_stack_values(stack(scrape_control_plane=True))
    for component in ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"):
        assert off[component] == {"enabled": False}
        assert on[component] == {"enabled": True}
    assert off["defaultRules"]["rules"]["etcd"] is False


def test_grafana_admin_from_existing_secret_and_dashboards_from_all_namespaces() -> None:
    grafana = kube_prometheus_stack_values(stack())["grafana"]
    assert grafana["admin"]["existingSecret"] == GRAFANA_ADMIN_SECRET
    dashboards = grafana["sidecar"]["dashboards"]
    assert dashboards["enabled"] is True
    assert dashboards["label"] == DASHBOARD_LABEL
    assert dashboards["searchNamespace"] == "ALL"
    assert dashboards["folderAnnotation"] == "grafana_folder"
    # Without this the provider ignores the folder annotation.
    assert dashboards["provider"]["foldersFromFilesStructure"] is True


def test_alertmanager_config_comes_from_our_secret() -> None:
    spec = kube_prometheus_stack_values(stack())["alertmanager"]["alertmanagerSpec"]
    assert spec["useExistingSecret"] is True
    assert spec["configSecret"] == "alertmanager-ai-observability"


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
