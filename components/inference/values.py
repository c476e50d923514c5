"""The inference concern's fragment of the kube-prometheus-stack values. Pure.

kube-state-metrics exports the model_name label of pods and Deployments (kube_pod_labels,
kube_deployment_labels as label_model_name) only when allowlisted: the availability rules count
replicas per model through it, and the cost rules bill a pod that is still loading its weights
(no vLLM series yet) to its model.
"""

from __future__ import annotations

from typing import Any

from components.inference.manifests import MODEL_LABEL


def kube_state_metrics_values() -> dict[str, Any]:
    """The kube-state-metrics subchart's label allowlist (its --metric-labels-allowlist)."""
    allowed = f"[{MODEL_LABEL}]"
    return {
        "kube-state-metrics": {
            "metricLabelsAllowlist": [f"pods={allowed}", f"deployments={allowed}"]
        }
    }
