"""The GPU component under mocks per stack, and its values from the pure builder."""

from __future__ import annotations

from typing import Any

import pytest

from components import versions
from components.gpu.counters import COUNTERS_KEY, counters_csv
from components.gpu.values import COUNTERS_HASH_ANNOTATION, counters_sha256
from components.kube.selection import RELEASE_NAME, selection_labels
from tests.support.harness import ProgramRun, run_failing_program
from tests.support.programs import program_run

GPU_RELEASE = "gpu-gpu-operator"


def gpu_values(run: ProgramRun) -> dict[str, Any]:
    return run.one("kubernetes:helm.sh/v3:Release", GPU_RELEASE).inputs["values"]


def test_dev_has_no_gpu_component() -> None:
    run = program_run("dev")
    assert not [r for r in run.resources if r.type.startswith("ai-observability:gpu")]
    assert "gpuOperatorNamespace" not in run.outputs


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_release_is_pinned_and_installed_after_the_monitoring_core(stack: str) -> None:
    run = program_run(stack)
    release = run.one("kubernetes:helm.sh/v3:Release", GPU_RELEASE)
    assert release.inputs["name"] == "gpu-operator"
    assert release.inputs["chart"] == "gpu-operator"
    assert release.inputs["version"] == versions.GPU_OPERATOR.version == "v26.7.0"
    assert release.inputs["repositoryOpts"]["repo"] == "https://helm.ngc.nvidia.com/nvidia"
    assert release.inputs["namespace"] == "gpu-operator"
    assert release.inputs["disableOpenapiValidation"] is True
    component = run.one("ai-observability:gpu:GpuTelemetry")
    kps = run.one("kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack")
    assert kps.urn in component.dependencies  # the ServiceMonitor CRD exists first


def test_driver_toggles_per_stack() -> None:
    staging, prod = gpu_values(program_run("staging")), gpu_values(program_run("prod"))
    assert staging["driver"] == {"enabled": True} and staging["toolkit"] == {"enabled": True}
    assert prod["driver"] == {"enabled": False} and prod["toolkit"] == {"enabled": False}
    for values in (staging, prod):
        assert values["devicePlugin"] == {"enabled": True}
        assert values["gfd"] == {"enabled": True}
        assert values["mig"] == {"strategy": "single"}


def test_prod_node_selector_and_tolerations() -> None:
    values = gpu_values(program_run("prod"))
    assert values["operator"]["nodeSelector"] == {
        "kubernetes.io/os": "linux",
        "node-role.kubernetes.io/system": "true",
    }
    tolerations = values["daemonsets"]["tolerations"]
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in tolerations
    dedicated = {
        "key": "dedicated",
        "operator": "Equal",
        "value": "gpu-inference",
        "effect": "NoSchedule",
    }
    assert dedicated in tolerations
    assert dedicated in values["node-feature-discovery"]["worker"]["tolerations"]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_service_monitor_is_selected_and_names_the_workload(stack: str) -> None:
    sm = gpu_values(program_run(stack))["dcgmExporter"]["serviceMonitor"]
    assert sm["enabled"] is True
    assert sm["interval"] == "15s"
    assert sm["additionalLabels"] == selection_labels() == {"release": RELEASE_NAME}
    assert sm["honorLabels"] is True
    # The target's own pod/namespace/container go, so the exporter's (the workload's) stay.
    assert sm["relabelings"] == [{"action": "labeldrop", "regex": "pod|namespace|container"}]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_counters_configmap_is_wired_by_name(stack: str) -> None:
    run = program_run(stack)
    configmap = run.one("kubernetes:core/v1:ConfigMap", "gpu-dcgm-counters")
    assert configmap.inputs["metadata"]["namespace"] == "gpu-operator"
    assert configmap.inputs["data"] == {COUNTERS_KEY: counters_csv()}
    exporter = gpu_values(run)["dcgmExporter"]
    assert exporter["config"] == {"name": configmap.inputs["metadata"]["name"]}
    release = run.one("kubernetes:helm.sh/v3:Release", GPU_RELEASE)
    assert configmap.urn in release.dependencies
    assert exporter["annotations"][COUNTERS_HASH_ANNOTATION] == counters_sha256()


def test_exporter_image_is_pinned() -> None:
    exporter = gpu_values(program_run("prod"))["dcgmExporter"]
    reference = f"{exporter['repository']}/{exporter['image']}:{exporter['version']}"
    assert reference == versions.DCGM_EXPORTER_IMAGE.reference
    assert set(exporter["resources"]["requests"]) == {"cpu", "memory"}


def test_namespace_allows_the_privileged_gpu_pods() -> None:
    namespace = next(
        r
        for r in program_run("prod").of_type("kubernetes:core/v1:Namespace")
        if r.inputs["metadata"]["name"] == "gpu-operator"
    )
    assert (
        namespace.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"
    )


@pytest.mark.parametrize(
    ("overrides", "prefix"),
    [
        (
            {"gpu.migStrategy": "auto"},
            "ai-observability:gpu.migStrategy: expected one of none, single, mixed",
        ),
        ({"gpu.driver": "no"}, "ai-observability:gpu.driver: expected true or false"),
        (
            {"gpu.dcgmExporter.scrapeInterval": "10m"},
            "ai-observability:gpu.dcgmExporter.scrapeInterval: must be between",
        ),
        (
            {"gpu.tolerations": [{"operator": "Equal", "value": "x"}]},
            "ai-observability:gpu.tolerations[0].key: required",
        ),
        (
            {"gpu.tolerations": [{"key": "a", "operator": "Exists", "value": "x"}]},
            "ai-observability:gpu.tolerations[0].value: must be empty",
        ),
        (
            {"gpu.tolerations": [{"key": "a", "effect": "Sometimes"}]},
            "ai-observability:gpu.tolerations[0].effect: expected one of",
        ),
        (
            {"gpu.operatorNodeSelector": {"pool": 3}},
            "ai-observability:gpu.operatorNodeSelector.pool: expected a string",
        ),
        (
            {"gpu.dcgmExporter.interval": "15s"},
            "ai-observability:gpu.dcgmExporter.interval: unknown key",
        ),
    ],
    ids=[
        "mig",
        "driver-type",
        "scrape-interval",
        "toleration-key",
        "toleration-value",
        "effect",
        "selector",
        "unknown",
    ],
)
def test_gpu_config_errors(overrides: dict[str, Any], prefix: str) -> None:
    message, registered = run_failing_program("staging", overrides=overrides)
    assert message.startswith(prefix), message
    assert registered == []
