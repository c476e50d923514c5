"""Our Prometheus selects the ServiceMonitors, PodMonitors and PrometheusRules this project creates.

`rendered_selectors` reproduces how kube-prometheus-stack 88.5.3 turns values into the
Prometheus resource's selectors (templates/prometheus/prometheus.yaml); `matches` is Kubernetes
label-selector semantics ({} matches everything, a null selector matches nothing).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.kube.selection import (
    RELEASE_NAME,
    SELECTED_KINDS,
    monitoring_metadata,
    selection_labels,
)
from tests.support.harness import STACKS
from tests.support.netpol import selects
from tests.support.programs import program_run

_ABSENT = object()


def rendered_selectors(spec: dict[str, Any], kind_key: str, release: str) -> tuple[Any, Any]:
    """(selector, namespaceSelector) of the rendered Prometheus resource for one kind."""
    selector = spec.get(f"{kind_key}Selector", {})  # the chart's default is {}
    nil_uses_helm = spec.get(f"{kind_key}SelectorNilUsesHelmValues", True)
    if selector:
        rendered = selector
    elif nil_uses_helm:
        rendered = {"matchLabels": {"release": release}}
    elif selector is None and kind_key in ("rule", "scrapeConfig"):
        rendered = None  # the field is omitted: the operator selects nothing
    else:
        rendered = {}
    namespace_selector = spec.get(f"{kind_key}NamespaceSelector", {}) or {}
    return rendered, namespace_selector


def prometheus_spec(stack: str) -> dict[str, Any]:
    release = program_run(stack).one(
        "kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack"
    )
    assert release.inputs["name"] == RELEASE_NAME
    return release.inputs["values"]["prometheus"]["prometheusSpec"]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("kind", ["ServiceMonitor", "PodMonitor", "PrometheusRule"])
def test_objects_created_by_the_project_are_selected(stack: str, kind: str) -> None:
    spec = prometheus_spec(stack)
    selector, namespace_selector = rendered_selectors(spec, SELECTED_KINDS[kind], RELEASE_NAME)
    for namespace in ("inference", "monitoring", "gpu-operator"):
        metadata = monitoring_metadata(f"vllm-{kind.lower()}", namespace, {"app": "x"})
        assert selects(selector, metadata["labels"]), (kind, selector)
        assert selects(namespace_selector, {"kubernetes.io/metadata.name": namespace})


@pytest.mark.parametrize("kind", ["ServiceMonitor", "PodMonitor", "PrometheusRule"])
def test_objects_without_the_label_are_not_selected(kind: str) -> None:
    """Control for the test above: the mechanism is the label, not select-everything."""
    selector, _ = rendered_selectors(prometheus_spec("prod"), SELECTED_KINDS[kind], RELEASE_NAME)
    assert not selects(selector, {"app": "someone-elses-exporter"})
    assert not selects(selector, {"release": "another-release"})


def test_a_none_selector_would_select_no_rules() -> None:
    """Why the values use {} and never None: the chart then omits ruleSelector entirely."""
    spec = copy.deepcopy(prometheus_spec("dev"))
    spec["ruleSelector"] = None
    spec["ruleSelectorNilUsesHelmValues"] = False
    selector, _ = rendered_selectors(spec, "rule", RELEASE_NAME)
    assert not selects(selector, selection_labels())


@pytest.mark.parametrize("stack", STACKS)
def test_values_never_pass_none_for_a_selector(stack: str) -> None:
    spec = prometheus_spec(stack)
    for kind_key in SELECTED_KINDS.values():
        for suffix in ("Selector", "NamespaceSelector"):
            assert spec[f"{kind_key}{suffix}"] == {}, f"{kind_key}{suffix}"
        assert spec[f"{kind_key}SelectorNilUsesHelmValues"] is True
