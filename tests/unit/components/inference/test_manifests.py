"""Model server objects, the load generator and the inference policies from the builders."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from components import versions
from components.inference.config import InferenceConfig, ModelConfig
from components.inference.loadgen import load_generator_manifests
from components.inference.manifests import Serving, model_manifests, vllm_args
from components.inference.network import inference_policies
from components.kube.references import prerequisites
from tests.support.netpol import Pod, allowed

VLLM = ModelConfig.model_validate(
    {
        "name": "llama",
        "backend": "vllm",
        "huggingFaceId": "meta-llama/Llama-3.1-8B-Instruct",
        "gpus": 2,
        "replicas": 2,
        "modelCache": {"size": "50Gi", "accessMode": "ReadWriteMany"},
    }
)
SIMULATED = ModelConfig.model_validate({"name": "sim", "backend": "simulator"})
SERVING = Serving("inference", "15s", "http://c.tracing.svc.cluster.local:4317", True, [])


def by_kind(model: ModelConfig, serving: Serving = SERVING) -> dict[str, dict]:
    return {m["kind"]: m for m in model_manifests(model, serving)}


def test_a_vllm_model_gets_gpus_a_cache_a_budget_and_one_at_a_time_rollouts() -> None:
    objects = by_kind(VLLM)
    assert set(objects) == {
        "PersistentVolumeClaim",
        "Deployment",
        "Service",
        "ServiceMonitor",
        "PodDisruptionBudget",
    }
    deployment = objects["Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert container["image"] == versions.VLLM_IMAGE.reference
    assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 0, "maxUnavailable": 1}
    assert objects["PersistentVolumeClaim"]["spec"]["accessModes"] == ["ReadWriteMany"]
    manifests = model_manifests(VLLM, SERVING)
    assert set(prerequisites(deployment, manifests)) == {
        ("PersistentVolumeClaim", "llama-model-cache"),
        ("Secret", "huggingface-token"),
    }


def test_vllm_args_carry_the_config_and_the_traces_endpoint_only_with_tracing() -> None:
    args = vllm_args(VLLM, SERVING)
    assert args[0] == "meta-llama/Llama-3.1-8B-Instruct"  # positional: --model is deprecated
    assert "--tensor-parallel-size=2" in args and "--served-model-name=llama" in args
    assert "--otlp-traces-endpoint=http://c.tracing.svc.cluster.local:4317" in args
    assert not any("otlp" in a for a in vllm_args(VLLM, Serving("inference", "15s")))


def test_the_simulator_has_the_same_labels_port_and_monitoring_but_no_gpu() -> None:
    vllm, sim = by_kind(VLLM), by_kind(SIMULATED)
    assert "PodDisruptionBudget" not in sim and "strategy" not in sim["Deployment"]["spec"]
    (container,) = sim["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert "nvidia.com/gpu" not in container["resources"]["limits"]
    assert "--force-dummy-tokenizer" in container["args"]
    assert sim["Service"]["spec"]["ports"] == vllm["Service"]["spec"]["ports"]
    endpoint = sim["ServiceMonitor"]["spec"]["endpoints"][0]
    assert endpoint == {"path": "/metrics", "port": "http", "interval": "15s", "honorLabels": True}
    assert sim["ServiceMonitor"]["spec"]["targetLabels"] == ["model_name"]


def test_the_load_generator_targets_every_model() -> None:
    load = InferenceConfig.model_validate(
        {"backend": "simulator", "models": [{"name": "a"}], "loadGenerator": {"enabled": True}}
    ).load_generator
    config_map, deployment, monitor = load_generator_manifests(load, ["a", "b"], "inference")
    env = {
        e["name"]: e["value"]
        for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert [t["model"] for t in json.loads(env["LOADGEN_TARGETS"])] == ["a", "b"]
    assert prerequisites(deployment, [config_map, deployment]) == [("ConfigMap", "load-generator")]
    assert load_generator_manifests(load.model_copy(update={"enabled": False}), ["a"], "x") == []
    # Its own metrics, scraped like the models: the PodMonitor's port is the container's.
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert env["LOADGEN_METRICS_PORT"] == "9100" and env["LOADGEN_MAX_CONCURRENCY"] == "16"
    assert container["ports"] == [{"name": "metrics", "containerPort": 9100, "protocol": "TCP"}]
    assert monitor["kind"] == "PodMonitor"
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    policies = inference_policies("inference", "monitoring", [], load_generator=True)
    prometheus = Pod("p", "monitoring", {"app.kubernetes.io/name": "prometheus"})
    generator = Pod("lg", "inference", pod_labels)
    assert allowed(policies, prometheus, generator, 9100)
    assert not allowed(policies, Pod("x", "default", {}), generator, 9100)
    assert not allowed(
        inference_policies("inference", "monitoring", []), prometheus, generator, 9100
    )


def test_models_are_reached_by_prometheus_their_namespace_and_configured_clients() -> None:
    policies = inference_policies("inference", "monitoring", ["apps"])
    model = Pod("llama-0", "inference", {"app.kubernetes.io/name": "model-server"})
    assert allowed(
        policies, Pod("p", "monitoring", {"app.kubernetes.io/name": "prometheus"}), model, 8000
    )
    assert allowed(policies, Pod("gw", "apps", {}), model, 8000)
    assert allowed(policies, Pod("lg", "inference", {"app": "load"}), model, 8000)
    assert not allowed(policies, Pod("x", "default", {}), model, 8000)
    assert not allowed(policies, Pod("gw", "apps", {}), model, 22)


def test_model_config_rules() -> None:
    with pytest.raises(ValidationError, match="required for a vllm model"):
        ModelConfig.model_validate({"name": "a", "backend": "vllm"})
    with pytest.raises(ValidationError, match="does not take gpus"):
        ModelConfig.model_validate({"name": "a", "backend": "simulator", "gpus": 1})
    with pytest.raises(ValidationError, match="does not fit in the memory limit"):
        ModelConfig.model_validate(
            {"name": "a", "backend": "vllm", "huggingFaceId": "o/m", "shmSize": "40Gi"}
        )
    assert SIMULATED.resources.to_k8s()["limits"] == {"memory": "256Mi"}  # the simulator's default
    with pytest.raises(ValidationError, match="already the name"):
        InferenceConfig.model_validate(
            {"backend": "simulator", "models": [{"name": "a"}, {"name": "a"}]}
        )
