"""The inference concern's kube-prometheus-stack fragment: the model label for the rules."""

from __future__ import annotations

from components.inference.config import ModelConfig
from components.inference.manifests import MODEL_LABEL, Serving, model_deployment
from components.inference.values import kube_state_metrics_values
from rules.availability import from_label
from rules.catalog import KUBE_STATE_METRICS


def test_kube_state_metrics_exports_the_model_label_of_pods_and_deployments() -> None:
    allowlist = kube_state_metrics_values()["kube-state-metrics"]["metricLabelsAllowlist"]
    assert allowlist == ["pods=[model_name]", "deployments=[model_name]"]
    # The label every model's Deployment and pods carry, under the name the rules read.
    model = ModelConfig.model_validate({"name": "m", "backend": "simulator"})
    deployment = model_deployment(model, Serving(namespace="inference", scrape_interval="15s"))
    assert deployment["metadata"]["labels"][MODEL_LABEL] == "m"
    assert deployment["spec"]["template"]["metadata"]["labels"][MODEL_LABEL] == "m"
    exported = f"label_{MODEL_LABEL}"
    assert exported in KUBE_STATE_METRICS["kube_pod_labels"].optional
    assert exported in KUBE_STATE_METRICS["kube_deployment_labels"].optional
    assert f'{exported}!=""' in from_label("kube_pod_labels")
