"""How our Prometheus selects ServiceMonitors, PodMonitors and PrometheusRules.

Mechanism (one, enforced by tests): kube-prometheus-stack's default, the
`release: <helm release name>` label. The chart renders every `*Selector` of the Prometheus
resource as `matchLabels: {release: <name>}` and every `*NamespaceSelector` as `{}` (all
namespaces), so an object is scraped or loaded if and only if it carries that label, in any
namespace. We chose the label over select-all (`*SelectorNilUsesHelmValues: false`) so that a
shared cluster's other ServiceMonitors and rules are never picked up by our Prometheus.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.kube.meta import PART_OF, metadata

RELEASE_NAME = "kube-prometheus-stack"
"""The Helm release name of the monitoring core; also the value of the selection label."""

SELECTION_LABEL = "release"

# The kinds our Prometheus selects and the values keys of their selectors.
SELECTED_KINDS: dict[str, str] = {
    "ServiceMonitor": "serviceMonitor",
    "PodMonitor": "podMonitor",
    "PrometheusRule": "rule",
    "Probe": "probe",
    "ScrapeConfig": "scrapeConfig",
}


def selection_labels() -> dict[str, str]:
    """Labels every ServiceMonitor, PodMonitor and PrometheusRule of this project carries."""
    return {SELECTION_LABEL: RELEASE_NAME}


def monitoring_metadata(
    name: str, namespace: str, labels: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """metadata of a ServiceMonitor, PodMonitor or PrometheusRule: selected by our Prometheus."""
    return metadata(name, namespace, {**PART_OF, **(labels or {}), **selection_labels()})


def selector_values() -> dict[str, object]:
    """The prometheusSpec values that implement the mechanism; `{}`, never None (None selects
    nothing)."""
    values: dict[str, object] = {}
    for key in SELECTED_KINDS.values():
        values[f"{key}SelectorNilUsesHelmValues"] = True
        values[f"{key}Selector"] = {}
        values[f"{key}NamespaceSelector"] = {}
    return values
