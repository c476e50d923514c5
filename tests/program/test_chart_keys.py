"""Every Helm values key we set exists in the pinned chart (Helm silently ignores unknown keys)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from components import versions
from tests.support.harness import STACKS
from tests.support.programs import program_run

FIXTURES = Path(__file__).parent / "fixtures"
# Release resource name -> (generated catalog, template-only keys) of its pinned chart.
CATALOGS = {
    "monitoring-kube-prometheus-stack": (
        FIXTURES / f"kube-prometheus-stack-{versions.KUBE_PROMETHEUS_STACK.version}.paths",
        FIXTURES / "kube-prometheus-stack-template-keys.paths",
    ),
    "gpu-gpu-operator": (
        FIXTURES / f"gpu-operator-{versions.GPU_OPERATOR.version}.paths",
        FIXTURES / "gpu-operator-template-keys.paths",
    ),
    "tracing-operator": (
        FIXTURES / f"opentelemetry-operator-{versions.OTEL_OPERATOR.version}.paths",
        FIXTURES / "opentelemetry-operator-template-keys.paths",
    ),
    "tracing-tempo": (
        FIXTURES / f"tempo-{versions.TEMPO.version}.paths",
        FIXTURES / "tempo-template-keys.paths",
    ),
    "autoscaling-keda": (
        FIXTURES / f"keda-{versions.KEDA.version}.paths",
        FIXTURES / "keda-template-keys.paths",
    ),
}


def load_catalog(release: str = "monitoring-kube-prometheus-stack") -> dict[str, str]:
    """Key path -> kind (map, open, value): the generated catalog plus template-only keys."""
    catalog: dict[str, str] = {}
    for source in CATALOGS[release]:
        for line in source.read_text().splitlines():
            if not line or line.startswith("#"):
                continue
            path, kind = line.split("\t")[:2]
            catalog[path] = kind
    return catalog


def leaf_paths(values: dict[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield path
            yield from leaf_paths(value, path + ".")
        else:
            yield path


def unknown_keys(values: dict[str, Any], catalog: dict[str, str]) -> list[str]:
    """Paths that the chart does not know and that are not below a free-form map."""
    unknown = []
    for path in leaf_paths(values):
        parts = path.split(".")
        parents = [".".join(parts[:i]) for i in range(1, len(parts))]
        if any(catalog.get(parent) in ("open", "value") for parent in parents):
            continue  # below a free-form map such as resources or externalLabels
        if path not in catalog:
            unknown.append(path)
    return unknown


def test_catalog_is_for_the_pinned_chart() -> None:
    catalog = load_catalog()
    assert len(catalog) > 1500
    assert "prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues" in catalog


@pytest.mark.parametrize("stack", STACKS)
def test_every_values_key_exists_in_the_chart(stack: str) -> None:
    releases = program_run(stack).of_type("kubernetes:helm.sh/v3:Release")
    assert {r.name for r in releases} <= set(CATALOGS)
    for release in releases:
        assert unknown_keys(release.inputs["values"], load_catalog(release.name)) == [], (
            release.name
        )


def test_gpu_operator_catalog_is_for_the_pinned_chart() -> None:
    catalog = load_catalog("gpu-gpu-operator")
    assert catalog["dcgmExporter.serviceMonitor.honorLabels"] == "value"
    assert catalog["operator.nodeSelector"] == "open"  # the user's own label keys go below it


def test_a_typo_is_caught() -> None:
    """Control: the check above does fail on a misspelt key."""
    values = {"prometheus": {"prometheusSpec": {"retension": "15d", "resources": {"x": 1}}}}
    assert unknown_keys(values, load_catalog()) == ["prometheus.prometheusSpec.retension"]
