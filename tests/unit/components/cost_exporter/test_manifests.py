"""The cost exporter's objects and config from the pure builders."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from components.cost_exporter.config import CostExporterConfig
from components.cost_exporter.manifests import cost_exporter_manifests, exporter_config
from components.kube.references import prerequisites
from exporter.config import parse_config

CFG = CostExporterConfig.model_validate(
    {
        "image": "registry.test/exporter:1.0.0",
        "gpuPrices": {"NVIDIA-H100-80GB-HBM3": {"on_demand": 5.2}},
        "extraModels": ["embedder"],
    }
)


def test_the_config_file_is_one_the_exporter_accepts() -> None:
    document = exporter_config(CFG, ["llama", "mistral"])
    assert document["models"] == ["embedder", "llama", "mistral"]
    assert document["gpus"] == {"NVIDIA-H100-80GB-HBM3": {"on_demand": 5.2}}
    parsed = parse_config({k: v for k, v in document.items() if k != "ingest_token_file"})
    assert parsed.gpu_prices["NVIDIA-H100-80GB-HBM3"]["on_demand"] == 5.2


def test_the_deployment_waits_for_its_config_token_account_and_permissions() -> None:
    manifests = cost_exporter_manifests(CFG, ["llama"], "monitoring", ["monitoring", "inference"])
    deployment = next(m for m in manifests if m["kind"] == "Deployment")
    assert set(prerequisites(deployment, manifests)) == {
        ("ServiceAccount", "cost-exporter"),
        ("ClusterRoleBinding", "ai-observability-cost-exporter"),
        ("ConfigMap", "cost-exporter"),
        ("Secret", "cost-exporter-ingest-token"),
    }
    config_map = next(m for m in manifests if m["kind"] == "ConfigMap")
    assert "token" not in yaml.safe_load(config_map["data"]["config.yaml"])  # only its file path
    policy = next(m for m in manifests if m["kind"] == "NetworkPolicy")
    (peer,) = policy["spec"]["ingress"][0]["from"]
    assert peer["namespaceSelector"]["matchExpressions"][0]["values"] == ["inference", "monitoring"]
    assert cost_exporter_manifests(CFG.model_copy(update={"enabled": False}), [], "m", []) == []


def test_prices_are_checked_by_the_exporter_and_images_must_be_pinned() -> None:
    with pytest.raises(ValidationError, match="must be a non-negative price"):
        CostExporterConfig.model_validate({"image": "r/e:1", "gpuPrices": {"H100": {"spot": -1}}})
    with pytest.raises(ValidationError, match="pinned to a tag or digest"):
        CostExporterConfig.model_validate({"image": "registry.test/exporter:latest"})
    with pytest.raises(ValidationError, match="required: the exporter image"):
        CostExporterConfig.model_validate({})


def test_prometheus_scrapes_the_exporter_port_at_its_configured_interval() -> None:
    cfg = CFG.model_copy(update={"scrape_interval": "45s"})
    manifests = cost_exporter_manifests(cfg, ["llama"], "monitoring", ["monitoring"])
    monitor = next(m for m in manifests if m["kind"] == "ServiceMonitor")
    service = next(m for m in manifests if m["kind"] == "Service")
    deployment = next(m for m in manifests if m["kind"] == "Deployment")
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint == {"port": "http", "path": "/metrics", "interval": "45s", "honorLabels": True}
    # The named port exists on the Service, which selects the exporter's pods.
    assert [p["name"] for p in service["spec"]["ports"]] == ["http"]
    assert (
        monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    )
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
