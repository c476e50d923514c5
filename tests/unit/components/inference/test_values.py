"""The inference concern's kube-prometheus-stack fragment: the model label for the rules."""

from __future__ import annotations

from components.inference.config import ModelConfig
from components.inference.manifests import (
    MODEL_LABEL,
    Serving,
    model_deployment,
    model_service_monitor,
)
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


def test_each_model_is_scraped_on_its_http_port_at_the_configured_interval() -> None:
    model = ModelConfig.model_validate({"name": "m", "backend": "simulator"})
    serving = Serving(namespace="inference", scrape_interval="20s")
    monitor = model_service_monitor(model, serving)
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint == {"port": "http", "path": "/metrics", "interval": "20s", "honorLabels": True}
    assert monitor["spec"]["targetLabels"] == [MODEL_LABEL]
    assert monitor["metadata"]["namespace"] == "inference"
    deployment = model_deployment(model, serving)
    ports = [
        p["name"] for c in deployment["spec"]["template"]["spec"]["containers"] for p in c["ports"]
    ]
    assert "http" in ports
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
