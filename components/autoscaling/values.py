"""Helm values of KEDA (kedacore/keda), as a pure function. Pure: no pulumi import.

Non-root and read-only (the chart's defaults, kept explicit), requests and limits for its three
parts, their images pinned, the operator's and metrics server's ServiceMonitors selected by our
Prometheus, webhooks that fail closed on a ScaledObject KEDA would reject.
"""

from __future__ import annotations

from typing import Any

from components import versions
from components.kube.selection import selection_labels

RELEASE_NAME = "keda"
OPERATOR = "keda-operator"
METRICS_PORT = 8080  # prometheus.operator.port, prometheus.metricServer.port, .webhooks.port
PARTS = ("operator", "metricServer", "webhooks")  # the chart's keys for its three parts
IMAGES = {
    "keda": versions.KEDA_OPERATOR_IMAGE,
    "metricsApiServer": versions.KEDA_METRICS_SERVER_IMAGE,
    "webhooks": versions.KEDA_WEBHOOKS_IMAGE,
}
RESOURCES = {
    "operator": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
    "metricServer": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
    "webhooks": {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}},
}
SECURITY_CONTEXT = {
    "capabilities": {"drop": ["ALL"]},
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}


# KEDA's per-ScaledObject series carry the ScaledObject's namespace in `namespace`, which the
# chart's ServiceMonitor (no honorLabels) renames exported_namespace under KEDA's own. Put it
# back, so `namespace` names the model's namespace as on every other series of the stack.
NAMESPACE_OF_THE_SCALED_OBJECT = [
    {
        "sourceLabels": ["exported_namespace"],
        "regex": "(.+)",
        "targetLabel": "namespace",
        "replacement": "$1",
        "action": "replace",
    },
    {"action": "labeldrop", "regex": "exported_namespace"},
]


def keda_values() -> dict[str, Any]:
    """All values passed to the keda release."""
    monitor = {"enabled": True, "additionalLabels": selection_labels()}
    operator_monitor = {**monitor, "metricRelabelings": NAMESPACE_OF_THE_SCALED_OBJECT}
    return {
        "image": {
            key: {"registry": pin.registry, "repository": pin.repository, "tag": pin.tag}
            for key, pin in IMAGES.items()
        }
        | {"pullPolicy": "IfNotPresent"},
        "resources": RESOURCES,
        "securityContext": {part: dict(SECURITY_CONTEXT) for part in PARTS},
        "podSecurityContext": {part: {"runAsNonRoot": True} for part in PARTS},
        "prometheus": {
            "operator": {
                "enabled": True,
                "port": METRICS_PORT,
                "serviceMonitor": operator_monitor,
            },
            "metricServer": {"enabled": True, "port": METRICS_PORT, "serviceMonitor": monitor},
            "webhooks": {"enabled": True, "port": METRICS_PORT, "serviceMonitor": monitor},
        },
        # A ScaledObject KEDA cannot serve (two on one Deployment, a bad trigger) is refused
        # at `pulumi up` rather than accepted and left idle.
        "webhooks": {"failurePolicy": "Fail"},
    }
